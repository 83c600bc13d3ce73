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
    page = search(corpus_ix, SearchRequest(typed))
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
