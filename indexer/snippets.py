"""Build the HTML snippet of a hit: the passage with the most matched words.

Words are matched by their analysed terms, so the query ``ракета`` marks
``ракетами`` and ``F16`` marks ``F-16``. Offsets come from the tokenizer, so
marks land on the original characters. Everything but ``<mark>`` is escaped.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from .analysis import TOKEN_PATTERN, news_analyzer
from .morphology import CACHE_SIZE

# Characters of body text a snippet shows.
SNIPPET_CHARS = 240
# Of those, how many come before the first matched word.
LEAD_CHARS = 60

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"</?mark>")


_ANALYZER = news_analyzer()


@lru_cache(maxsize=CACHE_SIZE)
def _token_terms(raw: str) -> frozenset[str]:
    """Every index term of one token as the tokenizer cut it (a hyphenated
    word: its whole and its parts)."""
    return frozenset(t.text for t in _ANALYZER(raw))


def matched_spans(text: str, terms: frozenset[str], analyzer=None) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the words whose terms are in ``terms``.

    One regex pass and a cached look-up per word: running the analyzer over
    every hit's body was most of a result page's time.
    """
    token_terms = _token_terms
    return [
        m.span()
        for m in TOKEN_PATTERN.finditer(text)
        if not terms.isdisjoint(token_terms(m.group()))
    ]


def make_snippet(
    text: str, terms: frozenset[str], analyzer=None, width: int = SNIPPET_CHARS
) -> str:
    """Return escaped HTML: a window of ``text`` with matched words in <mark>."""
    spans = matched_spans(text, terms) if terms else []
    start = _best_window(spans, width)
    start = max(0, start - LEAD_CHARS) if spans else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    out = ["…" if start else ""]
    cursor = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(_escape(text[cursor:a]))
        out.append(f"<mark>{_escape(text[a:b])}</mark>")
        cursor = b
    out.append(_escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out).strip()


def _best_window(spans: list[tuple[int, int]], width: int) -> int:
    """Start offset of the window of ``width`` holding the most matches."""
    best_start, best_count, j = 0, 0, 0
    for i, (a, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] <= a + width - LEAD_CHARS:
            j += 1
        if j - i + 1 > best_count:
            best_start, best_count = a, j - i + 1
    return best_start


def _escape(text: str) -> str:
    return html.escape(_SPACE.sub(" ", text), quote=True)


def snippet_text(snippet_html: str) -> str:
    """The snippet as plain text (for the terminal)."""
    return html.unescape(_TAG.sub("", snippet_html))
