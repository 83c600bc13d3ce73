"""Did you mean: corrections are indexed words, offered only when they help."""

from __future__ import annotations

import pytest

from indexer.search import SearchRequest, search
from indexer.suggest import edit_distance


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("Lockhed", "Lockheed"),
        ("ракти", "ракети"),
        ("Rheinmetal", "Rheinmetall"),
        ("Rheinmetal снаряди", "Rheinmetall снаряди"),
        ("Boieng", "Boeing"),
        ("Райнметал", "Райнметалл"),
        ("LOCKHED", "LOCKHEED"),
    ],
)
def test_misspelt_words_get_a_real_word(corpus_ix, typed, suggested):
    # as typed only: the gazetteer would match Райнметал to its company
    page = search(corpus_ix, SearchRequest(typed, translate=False))
    assert (page.total == 0 or page.relaxed) and page.suggestion == suggested
    assert search(corpus_ix, SearchRequest(page.suggestion)).total > 0


@pytest.mark.parametrize("query", ["ракета", "Lockheed", "F-16", "танків", "Rheinmetall снаряди"])
def test_no_suggestion_when_the_query_already_finds_enough(corpus_ix, query):
    page = search(corpus_ix, SearchRequest(query))
    assert page.total >= 3 and page.suggestion is None


def test_no_suggestion_for_designations_or_unfixable_words(corpus_ix):
    assert search(corpus_ix, SearchRequest("F-17")).suggestion is None
    assert search(corpus_ix, SearchRequest("qqqqzzzz")).suggestion is None


def test_suggestions_are_surface_words_not_stems(corpus_ix):
    suggestion = search(corpus_ix, SearchRequest("deliveriess")).suggestion
    assert suggestion in {"deliveries", "delivered"}


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [("ракти", "ракети", 1), ("boieng", "boeing", 1), ("abc", "abc", 0), ("", "ab", 2)],
)
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d


def test_words_read_from_the_terms_file_equal_whoosh_prefix_walk(corpus_ix):
    """The chunked read of the terms file yields exactly Whoosh's own
    expand_prefix and doc_frequency, for prefixes in both scripts, at a
    field's start and past its last word."""
    from indexer.schema import SPELLING_FIELD
    from indexer.suggest import _segment_words

    with corpus_ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            total = 0
            for prefix in ("", "ра", "по", "s", "st", "ї", "zz", "\uffff", "rheinmetall"):
                expected = [
                    (
                        w.decode("utf-8") if isinstance(w, bytes) else w,
                        leaf.doc_frequency(SPELLING_FIELD, w),
                    )
                    for w in leaf.expand_prefix(SPELLING_FIELD, prefix)
                ]
                assert list(_segment_words(leaf, prefix)) == expected, prefix
                total += len(expected)
            assert total > 1000
            assert any(df > 1 for prefix in ("ра", "s") for _, df in _segment_words(leaf, prefix))


def test_rare_dictionary_words_that_are_indexed_are_not_corrected(tmp_path):
    """A real Ukrainian word in the index is rare, not misspelt; a real word
    absent from the index may still be a slip of a common one."""
    import json

    from conftest import build_index

    from indexer.index import open_index

    common = "Ракета влучила в ціль. " * 3
    articles = [
        {"id": f"r{i}", "title": "Ракета", "body": common, "lang": "uk"} for i in range(6)
    ] + [{"id": "k", "title": "Ракетка", "body": "Тенісна ракетка нова.", "lang": "uk"}]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in articles), "utf-8")
    build_index(tmp_path / "ix", src)
    ix = open_index(str(tmp_path / "ix"))
    # "ракетка" (a racket) is in one article: not "corrected" to ракета
    assert search(ix, SearchRequest("ракетка ціль")).suggestion is None
    # "ракита" (a willow) is in none: offered the common near word
    assert search(ix, SearchRequest("ракита")).suggestion == "ракета"
