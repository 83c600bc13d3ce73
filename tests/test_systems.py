"""Weapon systems: the gazetteer file, detection over analysed tokens, and the
system and class facets and filters on a real index."""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import CORPUS_DIR
from test_facets import read_articles

from indexer.cli import cli
from indexer.entities import COMPANIES, SYSTEMS, default_gazetteer
from indexer.errors import QueryError
from indexer.search import SearchRequest, search

ALL = 1000


@pytest.fixture(scope="module")
def systems():
    return default_gazetteer(SYSTEMS)


@pytest.fixture(scope="module")
def raw():
    return tomllib.loads(SYSTEMS.default_path.read_text("utf-8"))


def test_the_file_has_the_promised_shape(raw, systems):
    entries = raw["system"]
    assert len(entries) >= 200
    company_ids = set(default_gazetteer(COMPANIES).entities)
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        where = e["id"]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e["id"]), where
        assert e["name_en"] and e["name_uk"], where
        assert e["class"] in raw["classes"], where
        assert set(e["makers"]) <= company_ids, where
        aliases = {e["name_en"], e["name_uk"], *e["aliases"]}
        assert set(e["ambiguous"]) <= aliases, where
        assert not any(re.search(r"\d", a) for a in e["ambiguous"]), where  # never ambiguous
        assert all(len(a.split()) <= 6 for a in aliases), where
        assert all(len(c.split()) == 1 for c in e["context"]), where
        if "family" in e:  # one level: a family is not itself a variant
            family = systems.entities[e["family"]]
            assert not family.family and family.id != e["id"], where
    for names in raw["classes"].values():
        assert names["en"] and names["uk"]
    # every class is used, every kind of system the issue names is there
    assert {e["class"] for e in entries} == set(raw["classes"])
    for wanted in ("himars", "patriot", "leopard-2", "bayraktar-tb2", "storm-shadow", "neptune"):
        assert wanted in systems.entities


def test_every_alias_names_its_own_system_through_the_matcher(systems):
    """An alias matched by the real analyzer and matcher resolves to its own
    system: no two systems share a spelling, no alias is lost in analysis."""
    wrong = [
        (e.id, alias, systems.resolve(alias))
        for e in systems.entities.values()
        for alias in e.aliases
        if systems.resolve(alias) != e.id
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Ukrainian case forms need no spellings of their own
        ("Україна отримала ще кілька Хаймарсів", ["himars"]),
        ("Екіпажі воюють з Леопардами, які відремонтував Rheinmetall", ["leopard-2"]),
        ("Леопард у зоопарку народив дитинча", []),
        ("гаубиці Богдана стріляють далі", ["bohdana"]),
        ("Пуск ракети Нептун по крейсеру", ["neptune"]),
        # scripts and hyphens: one term
        ("M142 HIMARS and an М142 in Cyrillic", ["himars"]),
        ("Екіпажі Леопард-2А6 пройшли навчання", ["leopard-2a6", "leopard-2"]),
        ("Leopard 2A6 tanks arrived", ["leopard-2a6", "leopard-2"]),
        ("ракети Storm Shadow та SCALP", ["storm-shadow"]),
        ("the Su-34 and Су-34 are one jet", ["su-34"]),
        # ambiguous names alone are ignored; a class word, another alias or a
        # context word confirms them
        ("A Patriot fan waved a flag", []),
        ("Patriot systems guard Kyiv", ["patriot"]),
        ("PAC-3 interceptors fired by a Patriot battery", ["pac-3", "patriot"]),
        ("Нептун — найдальша планета Сонячної системи", []),
        ("Julius Caesar crossed the Rubicon", []),
        ("a javelin throw of 85 metres", []),
    ],
)
def test_detection(systems, text, expected):
    assert systems.detect(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a bare name in a passage about fighting: a plural with one war word,
        # a name beside another confirmed system with two, alone with four
        ("The Caesars fired all night, artillerymen on the southern axis said.", ["caesar"]),
        ("Stinger operators shot down a Ka-52 while an infantry platoon covered them.",
         ["stinger", "ka-52"]),
        ("Soldiers of the brigade say the Bradley survived a mine; its infantry and crew "
         "walked away.", ["m2-bradley"]),
        # a longer proper name anywhere in the article, a sentence-initial
        # Ukrainian word, all-capital text and a named sibling are no signal
        ("General Omar Bradley led troops over the Rhine, with infantry and artillery "
         "behind them. Bradley said the army would not stop.", []),
        ("The Golden State Warriors hosted army and navy veterans at a military night.", []),
        ("Козаки, що мали оточити ворога, стояли біля фронту з піхотою та артилерією.", []),
        ("ARMY WARRIORS ADVANCE: INFANTRY AND ARTILLERY MOVE TO THE FRONTLINE", []),
        ("Leopard 1A5 tanks arrived; crews say the Leopards are easy to fix.",
         ["leopard-1a5", "leopard-1"]),
        # a Latin acronym matches itself, not a longer word sharing its stem
        ("A HARMFUL RUMOUR ABOUT MISSILES", []),
        ("HARM missiles hit the radar", ["agm-88"]),
        # a two-word name beside its class word; an alias the dictionary knows
        # meets its case forms the dictionary does not
        ("Baba Yaga heavy drones hit the trenches", ["baba-yaga"]),
        ("Ворог знову запустив Іскандери по Харкову", ["iskander"]),
    ],
)  # fmt: skip
def test_article_level_signals(systems, text, expected):
    assert systems.detect(text) == expected


def test_a_variant_confirms_its_family_and_back(systems):
    leopard = systems.entities["leopard-2a6"]
    assert leopard.family == "leopard-2"
    assert "leopard-2" in systems.detect("Leopard 2A6 crews and the Leopard")


@pytest.fixture(scope="module")
def corpus(corpus_ix):
    return read_articles(CORPUS_DIR)


def _facets(ix, **kw):
    page = search(ix, SearchRequest(facet_size=ALL, **kw))
    return page, {k: Counter({v.value: v.count for v in vs}) for k, vs in page.facets.items()}


def test_system_and_class_facets_equal_a_recount(corpus_ix, corpus):
    page, facets = _facets(corpus_ix)
    assert facets["system"] == Counter(s for a in corpus for s in a["systems"])
    assert facets["class"] == Counter(c for a in corpus for c in a["classes"])
    assert facets["system"]["himars"] > 0 and facets["class"]["air-defense"] > 0


def test_system_filter_cross_filters_the_company_facet(corpus_ix, corpus):
    page, facets = _facets(corpus_ix, systems=("Хаймарс",))  # any alias resolves
    holding = [a for a in corpus if "himars" in a["systems"]]
    assert page.total == len(holding) > 0
    assert facets["company"] == Counter(c for a in holding for c in a["companies"])
    # the system facet ignores its own filter: every system is still counted
    assert facets["system"] == Counter(s for a in corpus for s in a["systems"])
    # and the company filter narrows the system facet
    page, facets = _facets(corpus_ix, companies=("rtx",))
    with_rtx = [a for a in corpus if "rtx" in a["companies"]]
    assert facets["system"] == Counter(s for a in with_rtx for s in a["systems"])


def test_filters_in_the_query_language(corpus_ix, corpus):
    for query, test in (
        ("system:himars", lambda a: "himars" in a["systems"]),
        ('class:"air defense"', lambda a: "air-defense" in a["classes"]),
        ("class:ППО", lambda a: "air-defense" in a["classes"]),
        ("system:leopard-2 -system:leopard-2a6", lambda a: a["systems"].count("leopard-2a6") == 0
         and "leopard-2" in a["systems"]),
    ):  # fmt: skip
        page = search(corpus_ix, SearchRequest(query=query, per_page=100))
        assert page.total == sum(map(test, corpus)) > 0, query
    hit = search(corpus_ix, SearchRequest(query="system:himars")).hits[0]
    assert "himars" in hit.systems


def test_unknown_systems_and_classes_are_named_in_the_error(corpus_ix):
    with pytest.raises(QueryError, match="unknown system 'Zzyzx'"):
        search(corpus_ix, SearchRequest(systems=("Zzyzx",)))
    with pytest.raises(QueryError, match="unknown system class 'spaceship'.*air-defense"):
        search(corpus_ix, SearchRequest(query="class:spaceship"))


def test_cli_lists_systems_with_article_counts(corpus_index_dir, corpus_ix):
    result = CliRunner().invoke(cli, ["systems", "--json", "--index", str(corpus_index_dir)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    _, facets = _facets(corpus_ix)
    assert {i: r["documents"] for i, r in rows.items() if r["documents"]} == dict(facets["system"])
    assert rows["himars"]["class"] == "mlrs" and rows["himars"]["makers"] == ["lockheed-martin"]
    assert rows["leopard-2a6"]["family"] == "leopard-2"
    result = CliRunner().invoke(
        cli, ["search", "--index", str(corpus_index_dir), "--system", "HIMARS", "--class", "mlrs"]
    )
    assert result.exit_code == 0 and "HIMARS" in result.output
