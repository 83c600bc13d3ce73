"""Snippets of long articles: the earliest passage with a match, fully marked."""

from __future__ import annotations

from indexer.analysis import news_analyzer
from indexer.snippets import SCAN_CHARS, SNIPPET_CHARS, MatchedWords, make_snippet


def terms(query: str) -> MatchedWords:
    return MatchedWords(frozenset(t.text for t in news_analyzer()(query)))


def filler(n: int, word: str = "погода") -> str:
    return " ".join([word] * n)


def test_a_match_deep_in_a_long_article_is_found():
    text = filler(400) + " Ракетами вдарили. " + filler(100)
    assert len(text) > 3 * SCAN_CHARS
    snippet = make_snippet(text, terms("ракета"))
    assert snippet.startswith("…") and "<mark>Ракетами</mark>" in snippet


def test_the_earliest_passage_with_a_match_wins():
    text = filler(20) + " ракета " + filler(400) + " ракети ракетою ракетами " + filler(50)
    snippet = make_snippet(text, terms("ракета"))
    assert snippet.count("<mark>") == 1 and "<mark>ракета</mark>" in snippet


def test_a_window_running_past_the_scanned_passage_is_marked_to_its_end():
    # the first match sits at the end of the first passage; the second just
    # after it, inside the same window but beyond the characters scanned
    head = filler(137)
    text = head + " ракета " + filler(10, "дощ") + " ракети " + filler(300)
    scanned = text.find(" ", SCAN_CHARS)
    assert text.index("ракета") < scanned < text.index("ракети") < len(head) + SNIPPET_CHARS
    snippet = make_snippet(text, terms("ракета"))
    assert "<mark>ракета</mark>" in snippet and "<mark>ракети</mark>" in snippet


def test_an_article_without_a_match_shows_its_lead_unmarked():
    text = filler(300)
    snippet = make_snippet(text, terms("ракета"))
    assert "<mark>" not in snippet and snippet.startswith("погода") and snippet.endswith("…")
