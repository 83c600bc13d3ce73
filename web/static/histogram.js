// The month histogram, enhanced: a month's count on hover and on focus, and a
// span of months chosen by dragging across bars or by shift-clicking a second
// month (the first is the last month clicked, or the current selection).
// Without this script each bar is still a link to its month.
(function () {
  "use strict";
  var ANCHOR = "defnews-histogram-anchor";

  function rangeUrl(link, a, b) {
    // an SVG link's href is an SVGAnimatedString: read the attribute
    var url = new URL(link.getAttribute("href"), window.location.href);
    url.searchParams.set("from", a < b ? a : b);
    url.searchParams.set("to", a < b ? b : a);
    url.searchParams.delete("page");
    return url.toString();
  }

  function enhance(figure) {
    var bars = Array.prototype.slice.call(figure.querySelectorAll("a[data-month]"));
    var tip = figure.querySelector(".histogram-tip");
    var start = null;
    var dragged = false;

    function show(text) { if (tip) tip.textContent = text; }
    function between(a, b) {
      var lo = a < b ? a : b, hi = a < b ? b : a;
      bars.forEach(function (bar) {
        var month = bar.getAttribute("data-month");
        bar.classList.toggle("in-range", month >= lo && month <= hi);
      });
    }
    function spanLabel(a, b) {
      var lo = a < b ? a : b, hi = a < b ? b : a, count = 0, first = "", last = "";
      bars.forEach(function (bar) {
        var month = bar.getAttribute("data-month");
        if (month >= lo && month <= hi) {
          count += parseInt(bar.getAttribute("data-count"), 10);
          first = first || bar.getAttribute("data-name");
          last = bar.getAttribute("data-name");
        }
      });
      return figure.getAttribute("data-range-label")
        .replace("{first}", first).replace("{last}", last).replace("{count}", count);
    }

    bars.forEach(function (bar) {
      var month = bar.getAttribute("data-month");
      bar.addEventListener("mouseenter", function () {
        if (start !== null) {
          dragged = dragged || month !== start;
          between(start, month);
          show(spanLabel(start, month));
        } else {
          show(bar.getAttribute("data-label"));
        }
      });
      bar.addEventListener("focus", function () { show(bar.getAttribute("data-label")); });
      bar.addEventListener("mousedown", function (event) {
        if (event.button !== 0 || event.shiftKey) return;
        event.preventDefault();  // no native drag of the link
        start = month;
        dragged = false;
      });
      bar.addEventListener("mouseup", function () {
        if (start !== null && dragged && month !== start) {
          var url = rangeUrl(bar, start, month);
          start = null;
          window.location.assign(url);
        }
      });
      bar.addEventListener("click", function (event) {
        if (dragged) {  // the end of a drag, already handled
          event.preventDefault();
          dragged = false;
          return;
        }
        start = null;
        if (event.shiftKey) {
          var selected = figure.querySelector("a[data-month] .bar.selected");
          var anchor = sessionStorage.getItem(ANCHOR) ||
            (selected ? selected.parentNode.getAttribute("data-month") : null);
          if (anchor && anchor !== month) {
            event.preventDefault();
            window.location.assign(rangeUrl(bar, anchor, month));
            return;
          }
        }
        sessionStorage.setItem(ANCHOR, month);
      });
    });
    document.addEventListener("mouseup", function () {
      if (start !== null && !dragged) start = null;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("figure.histogram"), enhance);
})();
