"""Pages per company and per system, on the real app over the shipped corpus:
every number on them is checked against a recount of the input files."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from conftest import CORPUS_DIR
from test_facets import read_articles

from indexer.entities import COMPANIES, SYSTEMS, default_gazetteer


@pytest.fixture(scope="module")
def corpus():
    return read_articles(CORPUS_DIR)


@pytest.fixture
def client(corpus_index_dir):
    from web import create_app

    return create_app({"INDEX_DIR": corpus_index_dir, "TESTING": True}).test_client()


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _listed(page, kind):
    """(label, count) of a page's "named with" list of ``kind``."""
    return [
        (li.select_one("a").text, int(li.select_one(".count").text.replace("\xa0", "")))
        for li in page.select(f".named-with-{kind} li")
    ]


def _expected(corpus, key, entity_id, kind, gazetteer, exclude=()):
    holding = [a for a in corpus if entity_id in a[key]]
    counts = Counter(v for a in holding for v in a[kind] if v not in {entity_id, *exclude})
    ranked = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))[:10]
    return holding, [(gazetteer.label(v), c) for v, c in ranked]


def test_system_page(client, corpus):
    systems, companies = default_gazetteer(SYSTEMS), default_gazetteer(COMPANIES)
    page = soup(client.get("/system/himars?ui=en"))
    assert page.select_one("h1").text == "HIMARS"
    assert page.select_one(".kind .class")["href"].endswith("class=mlrs")
    (maker,) = page.select(".makers a")
    assert maker.text == "Lockheed Martin" and maker["href"].startswith("/company/lockheed-martin")
    holding, named = _expected(corpus, "systems", "himars", "companies", companies)
    assert _listed(page, "company") == named and named
    _, named = _expected(corpus, "systems", "himars", "systems", systems)
    assert _listed(page, "system") == named and named
    # the histogram counts every article, the newest come first, each names it
    bars = page.select(".coverage rect title")
    assert sum(int(t.text.split(": ")[1].split()[0]) for t in bars) == len(holding)
    dates = [t["datetime"] for t in page.select(".newest li.hit time")]
    assert dates == sorted(dates, reverse=True) and len(dates) == min(10, len(holding))
    everything = page.select_one(".all a")
    assert str(len(holding)) in everything.text
    assert parse_qs(urlparse(everything["href"]).query)["system"] == ["himars"]


def test_a_family_page_lists_variants_not_as_companions(client, corpus):
    page = soup(client.get("/system/leopard-2?ui=uk"))
    variants = [a.text for a in page.select(".facts dd a") if "/system/leopard-2a" in a["href"]]
    assert "Leopard 2A6" in variants
    assert not any(label.startswith("Leopard 2A") for label, _ in _listed(page, "system"))


def test_company_page_lists_its_systems_and_what_is_named_with_it(client, corpus):
    systems = default_gazetteer(SYSTEMS)
    page = soup(client.get("/company/Райнметалл?ui=en"))  # any alias finds the page
    assert page.select_one("h1").text == "Rheinmetall"
    made = {a.text for a in page.select(".products a")}
    assert made == {s.name_en for s in systems.entities.values() if "rheinmetall" in s.makers}
    _, named = _expected(corpus, "companies", "rheinmetall", "systems", systems)
    assert _listed(page, "system") == named and named


def test_unknown_entities_are_404_with_a_message(client):
    response = client.get("/system/zzyzx-9000")
    assert response.status_code == 404 and "zzyzx-9000" in response.get_data(as_text=True)
    response = client.get("/api/company/" + "x" * 5000)
    assert response.status_code == 404 and "error" in response.get_json()


def test_api_gives_the_same_profile(client, corpus):
    data = client.get("/api/system/patriot").get_json()
    assert data["total"] == sum("patriot" in a["systems"] for a in corpus)
    assert {v["id"] for v in data["variants"]} >= {"pac-3"}
    assert sum(c for _, c in data["months"]) == data["total"]


def test_home_links_the_most_covered_and_hits_link_their_pages(client, corpus):
    page = soup(client.get("/?ui=en"))
    counts = Counter(s for a in corpus for s in a["systems"])
    top = min(counts.items(), key=lambda vc: (-vc[1], vc[0]))  # ties by id
    first = page.select_one(".covered-system li")
    assert first.select_one("a")["href"].startswith(f"/system/{top[0]}?")
    assert first.select_one(".count").text == str(top[1])
    assert page.select(".covered-company li")
    results = soup(client.get("/search?q=HIMARS&ui=en"))
    about = results.select_one("li.hit .entity-system a.about")
    assert soup(client.get(about["href"])).select_one("h1")
