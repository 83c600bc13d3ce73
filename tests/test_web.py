"""The Flask app through its test client, on a real index of the sample fixture."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from conftest import SAMPLE, build_index

ATOM = "{http://www.w3.org/2005/Atom}"


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_home_shows_the_box_examples_and_what_the_index_holds(client):
    page = soup(client.get("/?ui=en"))
    box = page.select_one("input#q")
    assert box.has_attr("autofocus") and page.select_one("label[for=q]")
    assert len(page.select(".examples a")) >= 4
    holds = page.select_one(".holds").text
    assert "6 articles" in holds and "English 3" in holds and "13 Oct 2022" in holds
    assert page.select_one("link[rel=search]")["href"] == "/opensearch.xml"


def test_results_page_lists_hits_with_highlights_and_links(client):
    page = soup(client.get("/search?q=ракета&ui=en&translate=0"))
    hits = page.select("li.hit")
    assert len(hits) == 2
    marks = {m.text for m in page.select("li.hit mark")}
    assert {"ракети", "Ракетами"} <= marks
    first = hits[0]
    assert first.select_one("h2 a")["href"].startswith("https://test.example/")
    assert first.select_one(".badge").text == "UKR"  # "UK" read as the United Kingdom
    assert first.select_one(".badge")["title"] == "Ukrainian"
    assert (
        "2 results" in page.select_one(".result-count").text
        and " ms" in page.select_one(".took").text
    )


def test_facet_links_toggle_filters_and_counts_stay_disjunctive(client):
    page = soup(client.get("/search?q=155mm&ui=en"))
    company_links = {
        a.text.strip("☐☑ ").strip(): a["href"] for a in page.select(".facet-company a")
    }
    link = company_links["Lockheed Martin"]
    filtered = soup(client.get(link))
    assert [h.select_one("h2 a").text for h in filtered.select("li.hit")] == [
        "Lockheed Martin's F16 deliveries speed up"
    ]
    selected = filtered.select_one(".facet-company li.selected")
    assert "Lockheed Martin" in selected.text
    # the other companies still count as if Lockheed were not selected
    counts = {
        li.select_one("a").text.strip("☐☑ ").strip(): li.select_one(".count").text
        for li in filtered.select(".facet-company li")
    }
    assert counts["Lockheed Martin"] == "1" and len(counts) > 1
    chip = filtered.select_one(".chips a")
    assert "Lockheed Martin" in chip.text
    back = soup(client.get(chip["href"]))
    assert len(back.select("li.hit")) == 3


def test_company_chip_on_a_hit_adds_the_filter(client):
    page = soup(client.get("/search?q=снаряд&ui=uk"))
    chip = next(a for a in page.select("li.hit .companies a") if "Райнметалл" in a.text)
    assert parse_qs(urlparse(chip["href"]).query)["company"] == ["rheinmetall"]


def test_histogram_bars_filter_to_their_month_and_years_link(client):
    page = soup(client.get("/search?q=F16 OR ракета OR танк OR IRIS-T&ui=en"))
    bars = page.select(".histogram a")
    assert bars and all(a.select_one("title") for a in bars)
    query = parse_qs(urlparse(bars[0]["href"]).query)
    assert query["from"] == query["to"] and len(query["from"][0]) == 7
    narrowed = soup(client.get(bars[0]["href"]))
    assert len(narrowed.select("li.hit")) >= 1
    assert narrowed.select(".histogram rect.selected")  # the chosen month is marked
    years = [a.text for a in page.select(".years a")]
    assert years == sorted(years) and "2024" in years


def test_pagination_sort_and_state_in_the_url(client):
    page = soup(
        client.get(
            "/search?q=ракета OR F16 OR танк OR drone OR IRIS-T&per_page=2&sort=newest&ui=en"
        )
    )
    nav = page.select_one("nav.pagination")
    next_url = nav.select_one("a[rel=next]")["href"]
    args = parse_qs(urlparse(next_url).query)
    assert args["page"] == ["2"] and args["sort"] == ["newest"] and args["q"]
    sort_links = [a["href"] for a in page.select("nav.sort a")]
    assert all("page=" not in href for href in sort_links)


def test_did_you_mean_link(client):
    page = soup(client.get("/search?q=Lockhed&ui=en"))
    link = page.select_one(".suggestion a")
    assert link.text == "Lockheed" and "q=Lockheed" in link["href"]


def test_browse_mode_lists_newest(client):
    page = soup(client.get("/search?lang=uk&ui=en"))
    titles = [h.select_one("h2 a").text for h in page.select("li.hit")]
    assert len(titles) == 3 and titles[0] == "Винищувачі F-16 і збитий Су-34"


@pytest.mark.parametrize(
    "ui,label,month", [("en", "Companies", "Aug 2024"), ("uk", "Компанії", "сер 2024")]
)
def test_ui_language_by_parameter(client, ui, label, month):
    page = soup(client.get(f"/search?q=F16&ui={ui}"))
    assert page.html["lang"] == ui
    assert page.select_one(".facet-company h2").text == label
    assert any(month in t.text for t in page.select(".histogram title"))


def test_ui_language_from_accept_language(client):
    page = soup(client.get("/search?q=F16", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"}))
    assert page.html["lang"] == "uk"
    switch = page.select_one(".ui-switch")
    assert "ui=en" in switch["href"] and "q=F16" in switch["href"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/search?q=ракета&page=-1", "page must be a whole number"),
        ("/search?q=ракета&page=abc", "page must be a whole number"),
        ("/search?q=ракета&page=99999", "beyond the first"),
        ("/search?q=ракета&page=7", "past the last page"),
        ("/search?q=ракета&from=garbage", "bad date 'garbage'"),
        ("/search?q=ракета&sort=random", "unknown sort"),
        ("/search?q=ракета&lang=de", "unknown language"),
        ("/search?q=ракета&company=Nosuch", "unknown company"),
        ("/search?q=ракета&system=Nosuch", "unknown system 'Nosuch'"),
        ("/search?q=ракета&class=spaceship", "unknown system class 'spaceship'"),
        ("/search?q=system:Nosuch", "unknown system"),
        ("/search?q=" + "ракета " * 200, "too long"),
        ("/search?q=" + "x" * 100_000, "too large"),
        ("/search?q=OR", "no words to search"),
    ],
)
def test_bad_parameters_are_400_pages_that_keep_the_query(client, url, message):
    response = client.get(url + "&ui=en" if "?" in url else url)
    assert response.status_code == 400
    page = soup(response)
    assert message in page.select_one(".error").text
    box = page.select_one("input#q")["value"]
    assert box == parse_qs(urlparse(url).query).get("q", [""])[0][:1000]


def test_a_query_of_stopwords_is_searched(client):
    assert client.get("/api/search?q=through").get_json()["total"] == 0
    found = client.get("/api/search?q=the").get_json()
    assert found["total"] >= 1 and all("<mark>" in h["snippet"] for h in found["hits"])
    assert client.get("/search?q=якщо").status_code == 200


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/search?q=ракета&page=0", "page must be"),
        ("/api/search?q=ракета&per_page=1000", "per_page must be at most"),
        ("/api/search?q=" + "x" * 100_000, "too large"),
        ("/api/nothing-here", "not found"),
    ],
)
def test_api_errors_are_json(client, url, message):
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert message in response.get_json()["error"].lower()


def test_api_search_equals_the_cli_json(client, sample_index_dir):
    api = client.get("/api/search?q=F16&company=lockheed-martin&per_page=5").get_json()
    cli = subprocess.run(
        [sys.executable, "-m", "indexer", "search", "F16", "--company", "lockheed-martin", "--limit", "5",
         "--json", "--index", sample_index_dir],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert api == json.loads(cli.stdout)


def test_suggest_api_uses_the_opensearch_format(client):
    query, completions = client.get("/api/suggest?q=ракет").get_json()
    assert (
        query == "ракет"
        and "ракети" in completions
        and all(c.startswith("ракет") for c in completions)
    )
    assert "Lockheed Martin" in client.get("/api/suggest?q=Lockheed Mar").get_json()[1]
    assert client.get("/api/suggest?q=").get_json() == ["", []]


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    types = {
        u.get("type"): u.get("template")
        for u in root.iter("{http://a9.com/-/spec/opensearch/1.1/}Url")
    }
    assert types["text/html"].endswith("/search?q={searchTerms}")
    assert types["application/x-suggestions+json"].endswith("/api/suggest?q={searchTerms}")


def test_atom_feed_of_a_search(client):
    response = client.get("/search.atom?q=F16 OR ракета&lang=uk")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == [
        "urn:defnews:t-uk-2",
        "urn:defnews:t-uk-1",
    ]
    assert feed.find(f"{ATOM}updated").text == "2024-08-01T00:00:00Z"
    assert (
        "&lt;mark&gt;" not in entries[0].find(f"{ATOM}summary").text
    )  # escaped once, as Atom wants
    page = soup(client.get("/search?q=F16&ui=en"))
    assert page.select_one('link[rel=alternate][type="application/atom+xml"]')
    assert page.select_one("a.feed")["href"].startswith("/search.atom?")


def test_healthz(client, app, tmp_path):
    assert client.get("/healthz").get_json() == {"status": "ok", "documents": 6}
    from web import create_app

    empty = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True}).test_client()
    assert empty.get("/healthz").status_code == 503
    assert empty.get("/search?q=x").status_code == 503
    assert empty.get("/api/search?q=x").status_code == 503
    assert empty.get("/").status_code == 503


def test_a_new_generation_is_picked_up_without_restart(tmp_path):
    from web import create_app

    build_index(tmp_path, SAMPLE)
    client = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True}).test_client()
    assert client.get("/healthz").get_json()["documents"] == 6
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        json.dumps({"id": "new", "title": "Гіперзвукова ракета", "body": "текст"}), "utf-8"
    )
    build_index(tmp_path, extra)
    assert client.get("/healthz").get_json()["documents"] == 7
    assert client.get("/api/search?q=гіперзвуковий").get_json()["total"] == 1


def test_everything_from_users_and_corpus_is_escaped(tmp_path):
    from web import create_app

    src = tmp_path / "evil.jsonl"
    src.write_text(
        json.dumps({"id": "x", "title": "<img src=x onerror=alert(1)> ракета", "body": "<script>alert(2)</script> ракета",
                    "source": "<b>outlet</b>", "url": "javascript:alert(3)", "companies": ["<i>Evil</i>"]}),
        "utf-8",
    )  # fmt: skip
    build_index(tmp_path / "ix", src)
    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    html = client.get('/search?q=ракета "><script>alert(4)</script>').get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>outlet" not in html
    assert "<i>Evil" not in html and "&lt;script&gt;" in html


def test_security_headers(client):
    headers = client.get("/search?q=ракета").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_no_inline_scripts_or_styles(client):
    for url in ("/", "/search?q=ракета"):
        page = soup(client.get(url))
        assert all(s.has_attr("src") for s in page.select("script"))
        assert not page.select("[style]") and not page.select("style")
        assert not [
            tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)
        ]


def test_numbers_follow_the_ui_language(tmp_path):
    from web import create_app

    src = tmp_path / "many.jsonl"
    src.write_text(
        "\n".join(
            json.dumps({"id": f"n{i}", "title": f"Ракета {i}", "body": "ракета"})
            for i in range(1234)
        ),
        "utf-8",
    )
    build_index(tmp_path / "ix", src)
    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    assert (
        "of 1,234 results"
        in soup(client.get("/search?q=ракета&ui=en")).select_one(".result-count").text
    )
    assert (
        "з 1\u202f234"
        in soup(client.get("/search?q=ракета&ui=uk")).select_one(".result-count").text
    )


def test_relaxed_results_say_so_and_link_to_every_word_only(client):
    page = BeautifulSoup(client.get("/search?q=ракета+zzqxw").data, "html.parser")
    note = page.select_one("p.relaxed")
    assert note is not None and page.select("li.hit")
    link = note.select_one("a")["href"]
    assert parse_qs(urlparse(link).query)["all"] == ["1"]
    strict = BeautifulSoup(client.get(link).data, "html.parser")
    assert not strict.select("li.hit") and strict.select_one("p.relaxed") is None
    api = client.get("/api/search?q=ракета+zzqxw&all=1").get_json()
    assert api["total"] == 0 and not api["relaxed"]


STORY = (
    "Rheinmetall opened a shell plant in western Ukraine on Tuesday. The plant will make "
    "155 mm rounds for the army and employ four hundred people by the end of the year."
)


@pytest.fixture(scope="module")
def article_client(tmp_path_factory):
    """A story, a syndicated copy of it, an article on the same subject and
    one on another: the page's near copies and "more like this" are real."""
    folder = tmp_path_factory.mktemp("articles")
    rows = [
        ("story", "Rheinmetall opens shell plant in Ukraine", STORY),
        ("copy", "Rheinmetall opens a shell plant in Ukraine", STORY),  # another outlet's copy
        (
            "related",
            "Shell output rises",
            "Shell plants in Europe make more 155 mm rounds "
            "than last year, and Rheinmetall plans another.",
        ),  # fmt: skip
        ("other", "Navy tests a drone boat", "The navy tested an uncrewed boat off the coast."),
    ]
    with (folder / "a.jsonl").open("w", encoding="utf-8") as f:
        for doc_id, title, body in rows:
            record = {"id": doc_id, "title": title, "body": body, "lang": "en",
                      "url": f"https://news.example/{doc_id}", "source": doc_id.upper()}  # fmt: skip
            f.write(json.dumps(record) + "\n")
    build_index(folder / "ix", folder / "a.jsonl")
    from web import create_app

    return create_app({"INDEX_DIR": str(folder / "ix"), "TESTING": True}).test_client()


def test_an_article_page_shows_the_text_marked_its_copies_and_articles_like_it(article_client):
    page = soup(article_client.get("/article/story?q=shells&ui=en"))
    assert page.select_one("h1").text == "Rheinmetall opens shell plant in Ukraine"
    assert {m.text for m in page.select(".text mark")} == {"shell"}  # shells → shell
    assert page.select_one("h1 mark").text == "shell"
    assert page.select_one("a.original")["href"] == "https://news.example/story"
    assert [a.text for a in page.select(".named a")] == ["Rheinmetall"]
    assert [a["href"].split("?")[0] for a in page.select(".copies a")] == ["/article/copy"]
    like = [a["href"].split("?")[0] for a in page.select(".like a")]
    assert like[0] == "/article/related" and "/article/story" not in like
    assert "/article/copy" not in like  # listed as a copy, not again
    assert page.select_one(".back a")["href"] == "/search?q=shells&ui=en"


def test_a_hit_links_to_its_article_page(article_client):
    page = soup(article_client.get("/search?q=drone&ui=uk"))
    (read,) = page.select("li.hit a.read")
    assert read["href"] == "/article/other?q=drone&ui=uk"
    article = soup(article_client.get(read["href"]))
    assert article.select_one("h1").text == "Navy tests a drone boat"


@pytest.mark.parametrize(
    "path",
    ["/article/none", "/article/" + "x" * 5000, "/article/%00", "/article/../../etc/passwd"],
)
def test_an_unknown_article_is_a_404_naming_it(article_client, path):
    response = article_client.get(path)
    assert response.status_code == 404
    assert "No article" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ['"unbalanced', "((", "NOT", "x" * 5000, "title:"])
def test_a_bad_query_on_an_article_page_marks_nothing_and_never_fails(article_client, query):
    response = article_client.get("/article/story", query_string={"q": query})
    assert response.status_code == 200
    assert soup(response).select_one("h1").text.startswith("Rheinmetall")


def test_the_article_api(article_client):
    data = article_client.get("/api/article/story?q=plant").get_json()
    assert data["article"]["id"] == "story" and "<mark>plant</mark>" in data["paragraphs"][0]
    assert [c["id"] for c in data["copies"]] == ["copy"]
    assert data["like"][0]["id"] == "related"
    missing = article_client.get("/api/article/none")
    assert missing.status_code == 404 and "no article 'none'" in missing.get_json()["error"]


def test_matched_words_are_marked_in_titles_too(article_client):
    page = soup(article_client.get("/search?q=drones&ui=en"))
    (title,) = page.select("li.hit h2 a")
    assert [m.text for m in title.select("mark")] == ["drone"]
    assert title.text == "Navy tests a drone boat"
    data = article_client.get("/api/search?q=plants").get_json()
    assert all("<mark>plant</mark>" in h["title_html"] for h in data["hits"][:1])


def test_counts_agree_with_their_nouns_in_both_languages(article_client):
    one = soup(article_client.get("/search?q=drone&ui=en")).select_one(".result-count").text
    assert "1–1 of 1 result" in one and "results" not in one
    uk = soup(article_client.get("/search?q=drone&ui=uk")).select_one(".result-count").text
    assert "1–1 з 1" in uk
    home = soup(article_client.get("/?ui=uk")).select_one(".holds").text
    assert home.startswith("В індексі 4 статті")


def test_an_empty_query_shows_newest_as_its_sort(article_client):
    page = soup(article_client.get("/search?q=&ui=en"))
    assert page.select_one(".sort strong").text == "Newest"
    ranked = soup(article_client.get("/search?q=shell&ui=en"))
    assert ranked.select_one(".sort strong").text == "Relevance"


def test_no_relaxed_notice_on_a_page_without_results(article_client):
    page = soup(article_client.get("/search?q=zeppelin+quasar&ui=en"))
    assert page.select_one(".empty") and not page.select_one(".relaxed")


@pytest.mark.parametrize(
    ("query", "read_as", "why"),
    [
        ('"shell plant', '"shell plant"', "quote was not closed"),
        ("(shell OR drone", "shell OR drone", "missing “)” was added"),
        ("shell OR", "shell", "nothing to join"),
    ],
)
def test_a_lenient_reading_says_how_the_query_was_read(article_client, query, read_as, why):
    page = soup(article_client.get("/search", query_string={"q": query, "ui": "en"}))
    note = page.select_one(".read-as")
    assert note.select_one("code").text == read_as and why in note.text
    data = article_client.get("/api/search", query_string={"q": query}).get_json()
    assert data["read_as"] == read_as and data["repairs"]
    uk = soup(article_client.get("/search", query_string={"q": query, "ui": "uk"}))
    assert uk.select_one(".read-as").text.startswith("Шукали як")


def test_a_well_formed_query_has_no_reading_note(article_client):
    page = soup(article_client.get("/search?q=shell+plant&ui=en"))
    assert page.select_one(".read-as") is None
    assert article_client.get("/api/search?q=shell").get_json()["read_as"] is None


@pytest.mark.parametrize("ui", ["en", "uk"])
def test_search_tips_explain_the_query_language_by_working_examples(client, ui):
    home = soup(client.get(f"/?ui={ui}"))
    tips_link = home.select_one("header a.tips")
    assert tips_link["href"] == f"/help?ui={ui}"
    tips = soup(client.get(tips_link["href"]))
    rows = tips.select("table.tips tbody tr")
    assert len(rows) >= 10
    for row in rows:
        example = row.select_one("a")
        assert example.text.strip() and row.select("td")[1].text.strip()
        searched = client.get(example["href"])
        assert searched.status_code == 200, example.text  # every example is a valid query
        assert soup(searched).select_one(".read-as") is None, example.text
