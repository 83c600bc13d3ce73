"""Search-as-you-type completions of the last word, from indexed words."""

from __future__ import annotations

import heapq
import re

from .normalize import normalize_word
from .schema import SPELLING_FIELD

# Indexed words examined per request: bounds the cost of a short prefix.
MAX_SCANNED = 5000
MIN_PREFIX = 2

_LAST_WORD = re.compile(r"(\S+)$")


def complete(ix, text: str, limit: int = 8) -> list[str]:
    """Complete the last word of ``text`` with the most common indexed words
    that start with it; the rest of the text is kept as typed.

    ("Rheinmetall снар" → "Rheinmetall снаряди", "Rheinmetall снарядів", …)
    """
    m = _LAST_WORD.search(text)
    if not m or text.endswith(" "):
        return []
    head, word = text[: m.start()], m.group(1)
    prefix = normalize_word(word)
    if len(prefix) < MIN_PREFIX:
        return []
    with ix.reader() as reader:
        candidates = []
        for i, term in enumerate(reader.expand_prefix(SPELLING_FIELD, prefix)):
            if i >= MAX_SCANNED:
                break
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            candidates.append((reader.doc_frequency(SPELLING_FIELD, term), term))
    best = heapq.nlargest(limit, candidates)
    return [head + _like(word, term) for _, term in best]


def _like(typed: str, word: str) -> str:
    """Keep the capitalisation the user started with."""
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
