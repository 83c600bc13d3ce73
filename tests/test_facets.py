"""Facets and filters, checked against an independent recount of the input files."""

from __future__ import annotations

import json
import os
import pickle
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest
from conftest import CORPUS_DIR, SAMPLE

from indexer.entities import COMPANIES, SYSTEMS, default_gazetteer
from indexer.errors import QueryError
from indexer.search import SearchRequest, search

ALL = 1000  # facet size that lists every value


def read_articles(*paths):
    """The input files parsed with plain json: no engine code but the detector."""
    gazetteer, systems = default_gazetteer(COMPANIES), default_gazetteer(SYSTEMS)
    articles = []
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for file in files:
            for line in file.read_text("utf-8").splitlines():
                a = json.loads(line)
                a.setdefault("title", "")
                a.setdefault("body", "")
                a["month"] = _month(a.get("published"))
                a["companies"] = gazetteer.detect(a["title"], a["body"])
                a["systems"] = systems.detect(a["title"], a["body"])
                a["classes"] = {systems.entities[s].category for s in a["systems"]}
                a.setdefault("lang", "uk" if "ї" in a["body"] or "і" in a["body"] else "en")
                articles.append(a)
    return articles


def _month(value):
    if not value:
        return None
    if len(value) == 4:
        return f"{value}-01"
    if len(value) == 7:
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m")


def recount(articles):
    names = ("company", "system", "class", "lang", "source", "year", "month")
    counts = {name: Counter() for name in names}
    for a in articles:
        counts["company"].update(a["companies"])
        counts["system"].update(a["systems"])
        counts["class"].update(a["classes"])
        counts["lang"][a["lang"]] += 1
        counts["source"][a["source"]] += 1
        if a["month"]:
            counts["month"][a["month"]] += 1
            counts["year"][a["month"][:4]] += 1
    return counts


def facet_counts(page):
    return {
        name: Counter({v.value: v.count for v in values}) for name, values in page.facets.items()
    }


def all_hits(ix, **kw):
    ids, page_no = [], 1
    while True:
        page = search(ix, SearchRequest(per_page=100, page=page_no, **kw))
        ids += [h.id for h in page.hits]
        if len(ids) >= page.total:
            return ids, page
        page_no += 1


@pytest.fixture(scope="module")
def corpus_articles():
    return read_articles(CORPUS_DIR)


def test_browse_facets_equal_a_recount_of_the_corpus(corpus_ix, corpus_articles):
    page = search(corpus_ix, SearchRequest(facet_size=ALL))
    assert page.total == len(corpus_articles)
    assert facet_counts(page) == recount(corpus_articles)
    assert len(page.facets["company"]) >= 30  # the corpus names many companies


@pytest.mark.parametrize("query", ["ракета", "F-16 OR Patriot", "снаряд -Rheinmetall"])
def test_query_facets_count_every_match_not_only_the_page(corpus_ix, corpus_articles, query):
    ids, page = all_hits(corpus_ix, query=query, facet_size=ALL)
    first = search(corpus_ix, SearchRequest(query, per_page=3, facet_size=ALL))
    matched = [a for a in corpus_articles if a["id"] in set(ids)]
    assert facet_counts(first) == recount(matched)
    assert first.total == len(ids) > 3


def test_filters_or_within_a_facet_and_across_facets(corpus_ix, corpus_articles):
    request = dict(companies=("rheinmetall", "Укроборонпром"), langs=("uk",), date_from="2024")
    ids, _ = all_hits(corpus_ix, **request)
    expected = {
        a["id"]
        for a in corpus_articles
        if {"rheinmetall", "ukroboronprom"} & set(a["companies"])
        and a["lang"] == "uk"
        and a["month"]
        and a["month"] >= "2024-01"
    }
    assert set(ids) == expected and expected


def test_facets_ignore_their_own_filter(corpus_ix, corpus_articles):
    """With Boeing selected, the company facet still counts the other companies."""
    page = search(corpus_ix, SearchRequest(companies=("boeing",), langs=("en",), facet_size=ALL))
    english = [a for a in corpus_articles if a["lang"] == "en"]
    boeing = [a for a in corpus_articles if "boeing" in a["companies"]]
    counts = facet_counts(page)
    assert counts["company"] == recount(english)["company"]  # company filter ignored
    assert counts["lang"] == recount(boeing)["lang"]  # lang filter ignored
    both = [a for a in boeing if a["lang"] == "en"]
    assert counts["year"] == recount(both)["year"] and page.total == len(both)


def test_date_facets_ignore_the_date_filter(corpus_ix, corpus_articles):
    page = search(corpus_ix, SearchRequest(date_from="2024-03", date_to="2024-06", facet_size=ALL))
    counts = facet_counts(page)
    assert counts["month"] == recount(corpus_articles)["month"]
    inside = [a for a in corpus_articles if a["month"] and "2024-03" <= a["month"] <= "2024-06"]
    assert page.total == len(inside)
    assert counts["lang"] == recount(inside)["lang"]


def test_facet_order_size_and_labels(corpus_ix):
    page = search(corpus_ix, SearchRequest(facet_size=3, ui_lang="uk"))
    company = page.facets["company"]
    assert len(company) == 3 and [v.count for v in company] == sorted(
        (v.count for v in company), reverse=True
    )
    months = [v.value for v in page.facets["month"]]
    assert months == sorted(months) and len(months) > 3  # chronological, not capped
    assert {v.label for v in page.facets["lang"]} == {"англійська", "українська"}
    rheinmetall = search(
        corpus_ix, SearchRequest(companies=("rheinmetall",), ui_lang="uk", facet_size=ALL)
    )
    labels = {v.value: v.label for v in rheinmetall.facets["company"]}
    assert labels["rheinmetall"] == default_gazetteer().companies["rheinmetall"].name_uk


def test_a_selected_value_stays_listed_beyond_the_cap(corpus_ix):
    full = search(corpus_ix, SearchRequest(facet_size=ALL))
    rare = full.facets["company"][-1].value
    page = search(corpus_ix, SearchRequest(companies=(rare,), facet_size=1))
    assert rare in [v.value for v in page.facets["company"]]


def test_browse_mode_lists_newest_first(sample_ix):
    page = search(sample_ix, SearchRequest(per_page=10))
    assert [h.id for h in page.hits] == ["t-en-1", "t-uk-2", "t-uk-1", "t-uk-3", "t-en-2", "t-en-3"]
    assert page.total == 6 and all(h.score is None for h in page.hits)
    only_uk = search(sample_ix, SearchRequest(langs=("uk",)))
    assert [h.id for h in only_uk.hits] == ["t-uk-2", "t-uk-1", "t-uk-3"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("company:rheinmetall", ["t-uk-1"]),
        ("company:Райнметаллом", ["t-uk-1"]),
        ("company:lockheed F16", ["t-en-1"]),
        ("published:2024", ["t-uk-1", "t-uk-2"]),
        ("published:2024-08", ["t-uk-2"]),
        ("published:[2024-01 TO 2024-06]", ["t-uk-1"]),
        ("published:[2024-07 TO *] F16", ["t-en-1", "t-uk-2"]),
        ("lang:en 155mm", ["t-en-1", "t-en-2"]),
        ('source:"test weekly" IRIS-T', ["t-en-2"]),
    ],
)
def test_filter_syntax_in_queries(sample_ix, query, expected):
    ids, _ = all_hits(sample_ix, query=query)
    assert sorted(ids) == expected


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"query": "company:nosuchcompany"}, "unknown company"),
        ({"companies": ("Nosuch Corp",)}, "unknown company"),
        ({"query": "published:[2025 TO 2024]"}, "empty"),
        ({"query": "published:someday"}, "bad date"),
        ({"query": "lang:de"}, "unknown language"),
        ({"facet_size": 0}, "facet size"),
    ],
)
def test_bad_filters_are_clear_errors(sample_ix, kw, message):
    with pytest.raises(QueryError, match=message):
        search(sample_ix, SearchRequest(**kw))


def test_sample_companies_are_tagged_from_text(sample_ix):
    hits = {h.id: h for h in search(sample_ix, SearchRequest(per_page=10)).hits}
    assert hits["t-uk-1"].companies == ["rheinmetall", "ukroboronprom"]
    assert "lockheed-martin" in hits["t-en-1"].companies
    assert "diehl-defence" in hits["t-en-2"].companies


def test_explicit_companies_merge_with_detected(tmp_path):
    from conftest import build_index

    from indexer.index import open_index

    src = tmp_path / "a.jsonl"
    src.write_text(
        json.dumps(
            {
                "id": "x",
                "title": "Boeing news",
                "body": "text",
                "companies": ["Saab AB", "Acme Drones"],
            }
        ),
        "utf-8",
    )
    build_index(tmp_path / "ix", src)
    (hit,) = search(open_index(str(tmp_path / "ix")), SearchRequest()).hits
    assert hit.companies == ["saab", "acme-drones", "boeing"]


def test_sample_recount(sample_ix):
    articles = read_articles(SAMPLE)
    page = search(sample_ix, SearchRequest(facet_size=ALL))
    assert facet_counts(page) == recount(articles)


def test_segments_without_a_company_column_count_right(tmp_path):
    """Whoosh's multi-segment column reader misplaces values when a segment
    lacks the column; facets read each segment on its own."""
    from conftest import build_index

    from indexer.index import open_index

    first = tmp_path / "a.jsonl"
    first.write_text(
        json.dumps({"id": "a", "title": "Boeing jets", "body": "x", "lang": "en"}), "utf-8"
    )
    build_index(tmp_path / "ix", first)
    second = tmp_path / "b.jsonl"
    second.write_text(
        "\n".join(
            json.dumps({"id": i, "title": f"Drone note {i}", "body": "no company", "lang": "en"})
            for i in ("b", "c")
        ),
        "utf-8",
    )
    build_index(tmp_path / "ix", second)  # a second segment with no company values
    ix = open_index(str(tmp_path / "ix"))
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == 2
    page = search(ix, SearchRequest(facet_size=ALL))
    assert facet_counts(page)["company"] == Counter({"boeing": 1})
    assert search(ix, SearchRequest(companies=("boeing",))).total == 1


def test_reuters_slice_facets_equal_recount(tmp_path):
    """Real dirty data: the first 1,500 Reuters stories (1987, English)."""
    from pathlib import Path

    from conftest import build_index, shared_corpus

    from indexer.index import open_index

    lines = Path(shared_corpus("reuters21578.jsonl")).read_text("utf-8").splitlines()[:1500]
    src = tmp_path / "reuters.jsonl"
    src.write_text("\n".join(lines), "utf-8")
    build_index(tmp_path / "ix", src)
    ix = open_index(str(tmp_path / "ix"))
    articles = [a for a in read_articles(src) if a["title"] or a["body"]]
    page = search(ix, SearchRequest(facet_size=ALL))
    assert page.total == len(articles) and facet_counts(page) == recount(articles)
    boeing = [a for a in articles if "boeing" in a["companies"]]
    filtered = search(ix, SearchRequest(companies=("Boeing Co",), facet_size=ALL))
    assert filtered.total == len(boeing) > 0
    assert facet_counts(filtered)["year"] == recount(boeing)["year"]


def test_saved_columns_are_used_and_match_a_fresh_read(tmp_path):
    from conftest import build_index

    from indexer import facets, store
    from indexer.index import open_index

    build_index(tmp_path / "ix", SAMPLE)
    gen = store.current_generation(str(tmp_path / "ix"))
    saved = os.path.join(gen, facets.COLUMNS_FILE)
    assert os.path.exists(saved)
    ix = open_index(str(tmp_path / "ix"))
    with ix.reader() as reader:
        saved_columns, fresh = facets._load_saved(gen, reader), facets._read_columns(reader)
    assert saved_columns is not None
    assert np.array_equal(saved_columns.live, fresh.live)
    assert np.array_equal(saved_columns.date_order, fresh.date_order)
    assert np.array_equal(saved_columns.stamps, fresh.stamps)
    for name, values in fresh.facets.items():
        assert saved_columns.facets[name].counts() == values.counts()
    assert np.array_equal(saved_columns.simhashes, fresh.simhashes)
    # saved by the layout before the lead's SimHash: read with whole-text hashes
    older = facets.FacetColumns(
        **{**vars(saved_columns), "simhashes": saved_columns.simhashes[:, 0], "layout": 3}
    )
    with open(saved, "wb") as f:
        pickle.dump(older, f)
    with ix.reader() as reader:
        upgraded = facets._load_saved(gen, reader)
    assert upgraded is not None and upgraded.simhashes.shape == fresh.simhashes.shape
    assert np.array_equal(upgraded.simhashes[:, 0], fresh.simhashes[:, 0])
    assert not upgraded.simhashes[:, 1].any() and upgraded.simhashes[:, 0].all()
    # a new generation gets its own file, never the previous one's
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        json.dumps({"id": "new", "title": "Boeing", "body": "x", "lang": "en"}), "utf-8"
    )
    build_index(tmp_path / "ix", extra)
    new_gen = store.current_generation(str(tmp_path / "ix"))
    assert not os.path.samefile(saved, os.path.join(new_gen, facets.COLUMNS_FILE))
    page = search(open_index(str(tmp_path / "ix")), SearchRequest(facet_size=ALL))
    assert page.total == 7 and facet_counts(page)["company"]["boeing"] == 1


@pytest.mark.parametrize("sparse_share", [0.0, float("inf")])
@pytest.mark.parametrize("joint_bins", [1 << 20, 64, 1])
def test_facets_counted_together_equal_each_counted_alone(
    corpus_ix, monkeypatch, joint_bins, sparse_share
):
    """One bincount over the combinations of the single-valued facets gives
    each facet's own counts, whether every facet fits in one tally or the
    bins allow one facet a tally (64, 1: several groups), and whether the
    counts come from a pass over every document (sparse share 0: the dense
    path) or from the matching documents' numbers and their runs of pairs
    (an infinite share: the sparse path for every mask and facet)."""
    from indexer import facets

    monkeypatch.setattr(facets, "JOINT_BINS", joint_bins)
    monkeypatch.setattr(facets, "SPARSE_SHARE", sparse_share)
    with corpus_ix.reader() as reader:
        columns = facets._read_columns(reader)  # its own cache of combined codes
    names = list(facets.FACET_FIELDS) + ["year"]
    rng = np.random.default_rng(7)
    size = len(columns.live)
    masks = [columns.live, rng.random(size) < 0.3, np.zeros(size, bool)]
    masks += [np.arange(size) % 2 == 0, rng.random(size) < 0.02, np.arange(size) == size - 1]
    for mask in masks:
        sparse = facets.sparse_selection(mask) is not None
        assert sparse == (sparse_share > 0)
        together = columns.counts(names, mask)
        for name in names:
            alone = Counter()
            column = columns.facets[name]
            for doc, code in zip(column.docs, column.codes, strict=True):
                if mask[doc]:
                    alone[column.labels[code]] += 1
            assert together[name] == dict(alone), name
    single = [n for n in names if columns.facets[n]._single_valued]
    assert {"lang", "source", "month", "year"} <= set(single)
    groups = columns._packed(tuple(single))
    assert sorted(n for g in groups for n in g) == sorted(single)
    for group in groups:
        bins = np.prod([len(columns.facets[n].labels) + 1 for n in group])
        assert bins <= joint_bins or len(group) == 1
    assert len(groups) == {1 << 20: 1, 1: len(single)}.get(joint_bins, len(groups))
    assert joint_bins != 64 or 1 < len(groups) < len(single)
