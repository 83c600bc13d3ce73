"""The real thing: `defnews serve` (gunicorn) on 127.0.0.1, driven in Debian's
Chromium through Playwright, over the shipped sample corpus."""

from __future__ import annotations

import json
import os
import shutil
from urllib.parse import parse_qs, quote, urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
# As root in a closed network: no sandbox, and no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not os.path.exists(CHROMIUM) or shutil.which("chromium") is None:
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt", pytrace=False)
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def server(corpus_server):
    return corpus_server


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    context.close()


def shot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def test_ukrainian_query_highlights_inflected_forms(page, server, tmp_path):
    page.goto(server + "/?ui=uk")
    box = page.get_by_label("Пошуковий запит")
    expect(box).to_be_focused()
    box.fill("ракета")
    box.press("Enter")
    page.wait_for_url("**/search?**")
    marks = page.locator("li.hit mark").all_inner_texts()
    assert {m.lower() for m in marks} >= {"ракети", "ракету"}
    assert any(m.lower() == "ракетами" for m in marks) or len(set(marks)) >= 3
    shot(page, tmp_path, "ukrainian-query")


def test_a_hit_opens_its_article_page_with_the_matches_marked(page, server, tmp_path):
    page.goto(server + "/search?q=Райнметаллом&ui=uk")
    title = page.locator("li.hit h2").first.inner_text()
    page.locator("li.hit a.read").first.click()
    page.wait_for_url("**/article/**")
    assert page.locator("article h1").inner_text() == title
    marks = {m.lower() for m in page.locator("article .text mark").all_inner_texts()}
    assert marks and all(m.startswith(("rheinmetall", "райнметал")) for m in marks)
    expect(page.get_by_role("link", name="Назад до результатів")).to_be_visible()
    more = page.locator("section.like a")
    assert more.count() >= 1
    more.first.click()
    page.wait_for_url("**/article/**")
    assert page.locator("article h1").inner_text() != title
    shot(page, tmp_path, "article-page")


def test_company_facet_click_updates_results_and_counts(page, server, tmp_path):
    page.goto(server + "/search?q=снаряд&ui=en")
    total_before = page.locator(".result-count").inner_text()
    page.locator(".facet-company a", has_text="Rheinmetall").first.click()
    page.wait_for_url("**company=rheinmetall**")
    expect(page.locator(".chips")).to_contain_text("Rheinmetall")
    expect(page.locator(".facet-company li.selected")).to_contain_text("Rheinmetall")
    assert page.locator(".result-count").inner_text() != total_before
    for hit in page.locator("li.hit .companies").all():
        expect(hit).to_contain_text("Rheinmetall")
    shot(page, tmp_path, "company-facet")


def test_system_facet_then_the_system_page_and_its_maker(page, server, tmp_path):
    page.goto(server + "/search?q=танк OR tank&ui=en")
    page.locator(".facet-system a", has_text="Leopard 2").first.click()
    page.wait_for_url("**system=leopard-2**")
    expect(page.locator(".chips")).to_contain_text("Leopard 2")
    for hit in page.locator("li.hit .companies").all():
        expect(hit).to_contain_text("Leopard 2")
    # the class facet now counts only the Leopard articles' classes
    expect(page.locator(".facet-class")).to_contain_text("main battle tank")
    page.locator("li.hit .entity-system a.about").first.click()
    page.wait_for_url("**/system/**")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".coverage svg rect").first).to_be_attached()
    expect(page.locator(".newest li.hit").first).to_be_visible()
    shot(page, tmp_path, "system-page")
    page.goto(server + "/system/leopard-2?ui=uk")
    expect(page.locator("h1")).to_have_text("Leopard 2")
    page.locator(".makers a").first.click()
    page.wait_for_url("**/company/**")
    expect(page.locator(".named-with-system li").first).to_be_visible()
    shot(page, tmp_path, "company-page")


def test_histogram_bar_filters_to_its_month(page, server, tmp_path):
    page.goto(server + "/search?q=F-16&ui=en")
    bar = page.locator(".histogram a").first
    bar.click()
    page.wait_for_url("**from=**")
    query = parse_qs(urlparse(page.url).query)
    month = query["from"][0]
    assert query["to"] == [month]
    for text in page.locator("li.hit time").all_inner_texts():
        assert text  # every hit shows its date
    assert page.locator(".histogram rect.selected").count() == 1
    shot(page, tmp_path, "histogram")


def test_page_forward_and_back(page, server):
    page.goto(server + "/search?q=ракета&ui=en")
    first_titles = page.locator("li.hit h2").all_inner_texts()
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2**")
    second_titles = page.locator("li.hit h2").all_inner_texts()
    assert second_titles and not set(first_titles) & set(second_titles)
    page.go_back()
    page.wait_for_url(lambda url: "page=2" not in url)
    assert page.locator("li.hit h2").all_inner_texts() == first_titles


def test_switch_ui_language_keeps_the_search(page, server, tmp_path):
    page.goto(server + "/search?q=F-16&ui=en")
    expect(page.locator(".facet-company h2")).to_have_text("Companies")
    page.get_by_role("link", name="Українською").click()
    expect(page.locator(".facet-company h2")).to_have_text("Компанії")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.get_by_label("Пошуковий запит").input_value() == "F-16"
    shot(page, tmp_path, "ukrainian-ui")


def test_browser_can_add_the_search_engine(page, server):
    page.goto(server + "/")
    href = page.locator('link[rel="search"]').get_attribute("href")
    response = page.request.get(server + href)
    assert response.ok and response.headers["content-type"].startswith(
        "application/opensearchdescription+xml"
    )
    assert "{searchTerms}" in response.text()


def test_search_as_you_type_fills_suggestions(page, server):
    page.goto(server + "/?ui=uk")
    page.get_by_label("Пошуковий запит").press_sequentially("ракет", delay=30)
    options = page.locator("datalist#suggestions option")
    expect(options.first).to_be_attached(timeout=5000)
    assert all(v.startswith("ракет") for v in [o.get_attribute("value") for o in options.all()])


def test_injected_markup_never_runs(page, server):
    page.goto(
        server + "/search?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E%3Cimg src=x onerror=alert(2)%3E"
    )
    page.wait_for_load_state("load")
    assert page.dialogs == []
    assert page.get_by_label("Search query").input_value().startswith('">')


def test_works_on_a_phone_width_screen(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(server + "/search?q=Rheinmetall&ui=uk")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    # the facets wait behind a Filters button, and open above the results
    facets = phone.locator("aside.facets")
    expect(facets).to_be_hidden()
    phone.get_by_role("link", name="Фільтри").click()
    expect(facets).to_be_visible()
    facets_top = facets.bounding_box()["y"]
    assert facets_top < phone.locator("section.results").bounding_box()["y"]
    shot(phone, tmp_path, "phone-filters")
    phone.get_by_role("link", name="Назад до результатів").click()
    expect(facets).to_be_hidden()
    shot(phone, tmp_path, "phone")
    context.close()


def test_messages_read_right_in_the_browser(page, server):
    page.goto(server + "/search?q=&ui=uk")
    expect(page.locator(".sort strong")).to_have_text("Спершу нові")  # no words: newest first
    badge = page.locator("li.hit .badge").first
    assert badge.inner_text() in ("УКР", "АНГЛ")
    page.goto(server + "/search?q=%22ремонт+танків&ui=uk")
    expect(page.locator(".read-as code")).to_have_text('"ремонт танків"')
    assert "лапки не закрито" in page.locator(".read-as").inner_text()
    assert page.locator("li.hit h2 mark").count() >= 1  # matches marked in titles
    page.get_by_role("link", name="Поради з пошуку").click()
    page.wait_for_url("**/help?ui=uk")
    page.locator("table.tips a").first.click()
    page.wait_for_url("**/search?**")
    expect(page.locator(".result-count")).to_be_visible()
    page.goto(server + "/search?q=zeppelinquasar&ui=en")
    expect(page.locator(".empty")).to_be_visible()
    expect(page.locator(".relaxed")).to_have_count(0)


def test_a_skip_link_reaches_the_results_in_one_tab(page, server):
    page.goto(server + "/search?q=F-16&ui=en")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#results"
    page.keyboard.press("Tab")  # the next stop is inside the results, not the facets
    inside = page.evaluate("document.activeElement.closest('section.results') !== null")
    assert inside


def test_the_histogram_has_a_year_axis_and_counts_on_hover_and_focus(page, server):
    page.goto(server + "/search?q=&ui=en")
    figure = page.locator("aside figure.histogram")
    labels = figure.locator(".axis text")
    years = labels.all_text_contents()
    assert years and years == sorted(years) and all(y.isdigit() and len(y) == 4 for y in years)
    lefts = [labels.nth(i).bounding_box()["x"] for i in range(labels.count())]
    assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts)  # laid out, not stacked
    tip = figure.locator(".histogram-tip")
    bar = figure.locator("a[data-month]").first
    bar.hover()
    expect(tip).to_have_text(bar.get_attribute("data-label"))
    last = figure.locator("a[data-month]").last
    last.focus()
    expect(tip).to_have_text(last.get_attribute("data-label"))
    assert "articles" in tip.inner_text() or "article" in tip.inner_text()


def test_a_dragged_or_shift_clicked_span_of_months_filters_to_it(page, server):
    page.goto(server + "/search?q=&ui=en")
    bars = page.locator("aside figure.histogram a[data-month]")
    first, third = bars.nth(0), bars.nth(2)
    months = sorted([first.get_attribute("data-month"), third.get_attribute("data-month")])
    # drag from one bar to another
    first.hover()
    page.mouse.down()
    bars.nth(1).hover()
    third.hover()
    page.mouse.up()
    page.wait_for_url("**/search?*from=*")
    query = parse_qs(urlparse(page.url).query)
    assert (query["from"], query["to"]) == ([months[0]], [months[1]])
    expect(page.locator(".result-count")).to_be_visible()
    # a click on one month, then shift-click on another
    page.goto(server + "/search?q=&ui=en")
    bars = page.locator("aside figure.histogram a[data-month]")
    a, b = bars.nth(1).get_attribute("data-month"), bars.nth(3).get_attribute("data-month")
    bars.nth(1).click()
    page.wait_for_url(f"**to={a}*")
    page.locator(f"aside figure.histogram a[data-month='{b}']").click(modifiers=["Shift"])
    page.wait_for_url(f"**/search?*to={b}*")
    query = parse_qs(urlparse(page.url).query)
    assert (query["from"], query["to"]) == ([a], [b])
    counted = page.locator(".result-count").inner_text()
    assert "results" in counted or "result" in counted


def test_the_year_list_reads_as_a_column_of_years_and_counts(page, server):
    page.goto(server + "/search?q=&ui=en")
    items = page.locator("ul.years li")
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    assert len(boxes) >= 3
    # each year sits beside its count on one row, rows aligned in columns
    lefts = {round(b["x"]) for b in boxes}
    assert len(lefts) < len(boxes)


# Hostile input: markup in every field an article or a user controls -------------

XSS = [
    "<img src=x onerror=alert('{}')>",
    "<script>alert('{}')</script>",
    "\"><svg onload=alert('{}')>",
    "javascript:alert('{}')",
]
HOSTILE_ARTICLES = [
    {"id": "<script>alert('id')</script>", "title": XSS[0].format("title") + " ракета",
     "body": XSS[1].format("body") + " ракета " + XSS[2].format("body2"),
     "source": XSS[2].format("source"), "url": XSS[3].format("url"),
     "companies": [XSS[0].format("company"), "Rheinmetall"], "published": "2024-06-01"},
    {"id": "plain", "title": "Ракета без пригод", "body": "Звичайний текст про ракету.",
     "url": " JavaScript:alert('url2')", "published": "2024-07-01"},
]  # fmt: skip
HOSTILE_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>&amp;lt;img src=x onerror=alert('feedsrc')&amp;gt;</title>
<item><guid>feed-x</guid><title>&amp;lt;img src=x onerror=alert('feedtitle')&amp;gt; ракета</title>
<link>javascript:alert('feedlink')</link>
<description>&amp;lt;script&amp;gt;alert('feedbody')&amp;lt;/script&amp;gt; ракета
&lt;img src=x onerror=alert('feedhtml')&gt;</description></item>
</channel></rss>"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from conftest import build_index, serving

    folder = tmp_path_factory.mktemp("hostile")
    src = folder / "src"
    src.mkdir()
    (src / "evil.jsonl").write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in HOSTILE_ARTICLES), "utf-8"
    )
    (src / "evil.rss").write_text(HOSTILE_FEED, "utf-8")
    report = build_index(folder / "ix", src)
    assert report.added == 3 and not report.problems
    with serving(folder / "ix", folder / "serve.log") as base:
        yield base


INJECTED = """() => ({
  elements: document.querySelectorAll(
    'img, iframe, object, embed, script:not([src]), [onerror], [onload], [onclick]').length,
  jsLinks: [...document.querySelectorAll('[href]')].filter(
    e => /^\\s*javascript:/i.test(e.getAttribute('href'))).length,
})"""


@pytest.mark.parametrize(
    "query",
    [
        "ракета",
        "ракета " + XSS[0].format("q1"),
        XSS[2].format("q2") + " ракета",
        "ракета&company=" + quote(XSS[1].format("c")),
        "ракета&source=" + quote(XSS[2].format("s")) + "&from=" + quote(XSS[0].format("f")),
        "ракета&ui=" + quote(XSS[2].format("ui")) + "&sort=" + quote(XSS[1].format("sort")),
    ],
)
def test_hostile_articles_and_queries_never_run_in_the_browser(page, hostile_server, query):
    response = page.goto(hostile_server + "/search?q=" + query)
    assert response.status in (200, 400)
    page.wait_for_load_state("load")
    assert page.evaluate(INJECTED) == {"elements": 0, "jsLinks": 0}
    assert (
        page.get_by_label("Search query")
        .input_value()
        .startswith(page.evaluate("new URLSearchParams(location.search).get('q')"))
    )  # the query is shown as typed, as text
    if query == "ракета":
        titles = " ".join(page.locator("li.hit h2").all_inner_texts())
        assert "<img src=x onerror=alert('title')>" in titles  # shown as text
        assert "<img src=x onerror=alert('feedtitle')>" in titles
        assert "<script>alert('body')</script>" in " ".join(
            page.locator(".snippet").all_inner_texts()
        )
        for link in page.locator("li.hit h2 a").all():
            link.click()  # javascript: urls were never made links
        page.get_by_label("Search query").press_sequentially("<img src", delay=10)
        page.wait_for_timeout(300)  # the suggestions request
        assert page.evaluate(INJECTED) == {"elements": 0, "jsLinks": 0}
    assert page.dialogs == []
