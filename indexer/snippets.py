"""Build the HTML snippet of a hit: the passage with the most matched words.

Words are matched by their analysed terms, so the query ``ракета`` marks
``ракетами`` and ``F16`` marks ``F-16``. Offsets come from the tokenizer, so
marks land on the original characters. Everything but ``<mark>`` is escaped.
"""

from __future__ import annotations

import html
import re

# Characters of body text a snippet shows.
SNIPPET_CHARS = 240
# Of those, how many come before the first matched word.
LEAD_CHARS = 60

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"</?mark>")


def matched_spans(text: str, terms: frozenset[str], analyzer) -> list[tuple[int, int]]:
    """Return merged (start, end) offsets of the words whose terms are in ``terms``."""
    spans: list[tuple[int, int]] = []
    for t in analyzer(text, chars=True, mode="index"):
        if t.text in terms:
            start, end = t.startchar, t.endchar
            if spans and start < spans[-1][1]:
                # A hyphenated word's whole and its parts overlap: merge them.
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    return spans


def make_snippet(text: str, terms: frozenset[str], analyzer, width: int = SNIPPET_CHARS) -> str:
    """Return escaped HTML: a window of ``text`` with matched words in <mark>."""
    spans = matched_spans(text, terms, analyzer) if terms else []
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
