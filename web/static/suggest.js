// Search-as-you-type: fill the search box's <datalist> from /api/suggest.
// Everything works without this script; it only adds completions.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) return;
  var timer = null;
  var latest = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = input.value;
      var ticket = ++latest;
      if (text.trim().length < 2) { list.replaceChildren(); return; }
      fetch("/api/suggest?q=" + encodeURIComponent(text))
        .then(function (r) { return r.ok ? r.json() : [text, []]; })
        .then(function (data) {
          if (ticket !== latest) return; // a newer request is on its way
          list.replaceChildren.apply(list, data[1].map(function (completion) {
            var option = document.createElement("option");
            option.value = completion;
            return option;
          }));
        })
        .catch(function () {});
    }, 150);
  });
})();
