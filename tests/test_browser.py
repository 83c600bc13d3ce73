"""The real thing: `defnews serve` (gunicorn) on 127.0.0.1, driven in Debian's
Chromium through Playwright, over the shipped sample corpus."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import parse_qs, urlparse

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(corpus_index_dir, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "indexer", "serve", "--port", str(port), "--workers", "2",
             "--index", corpus_index_dir],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"server did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


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
    shot(phone, tmp_path, "phone")
    context.close()
