"""Build the HTML snippet of a hit: the passage with the most matched words.

Words are matched by their analysed terms, so the query ``ракета`` marks
``ракетами`` and ``F16`` marks ``F-16``. Offsets come from the tokenizer, so
marks land on the original characters. Everything but ``<mark>`` is escaped.
"""

from __future__ import annotations

import html
import re
import threading

from .analysis import STOPWORD_MARK, STOPWORDS, TOKEN_PATTERN, news_analyzer, normalized
from .normalize import HYPHENS

# Characters of body text a snippet shows.
SNIPPET_CHARS = 240
# Of those, how many come before the first matched word.
LEAD_CHARS = 60
# Characters scanned for matches at a time, from the start (the first
# paragraphs; 2000 cost 1 ms more per 1-word page at 100k articles).
SCAN_CHARS = 1000

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"</?mark>")
# The tokenizer's pattern without groups, so findall returns whole tokens.
_WORDS = re.compile(re.sub(r"\(\?P<\w+>", "(?:", TOKEN_PATTERN.pattern))
# Characters that glue a word to the one before it (п'ять, F-16, наго́лос).
_JOINERS = HYPHENS + "'\u2019\u02bc\u2018`\u00b4\u02b9\u2032\u00ad\u200b\u200c\u200d\u2060\ufeff"


_ANALYZER = news_analyzer()


class _Vocabulary:
    """Every surface word met in snippets, and for each index term the
    surface words carrying it; process-wide, since news vocabulary repeats.
    A page then finds its matched words with two set operations instead of
    a Python step per distinct word (that loop was a quarter of a page)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.known: set[str] = set()
        self.words_of: dict[str, set[str]] = {}
        self.version = 0  # bumped when words are learnt
        self.lock = threading.Lock()  # web workers search in threads

    def learn(self, words: set[str]) -> None:
        """Analyse the words not seen before. Called with ``lock`` held."""
        new = words - self.known
        if not new:
            return
        if len(self.known) + len(new) > self.limit:  # bounded memory: start over
            self.known.clear()
            self.words_of.clear()
            new = words
        words_of = self.words_of
        for word in new:
            terms = [token.text for token in _ANALYZER(word)]  # hyphenated: whole and parts
            if not terms and normalized(word) in STOPWORDS:
                terms = [STOPWORD_MARK + normalized(word)]  # marked for stopword-only queries
            for term in terms:
                holders = words_of.get(term)
                if holders is None:
                    words_of[term] = {word}
                else:
                    holders.add(word)
        self.known |= new
        self.version += 1


# ~250 bytes a word with its sets: at most ~35 MB.
_VOCABULARY = _Vocabulary(limit=1 << 17)


class MatchedWords:
    """Which surface words carry one of a query's terms (shared by the hits
    of one page)."""

    def __init__(self, terms: frozenset[str]):
        self.terms = terms
        self._version = -1
        self._words: set[str] = set()

    def among(self, words: set[str]) -> set[str]:
        vocabulary = _VOCABULARY
        with vocabulary.lock:
            vocabulary.learn(words)
            if self._version != vocabulary.version:
                self._words = set().union(
                    *(vocabulary.words_of.get(term, ()) for term in self.terms)
                )
                self._version = vocabulary.version
            return words & self._words


def matched_spans(
    text: str, terms: frozenset[str], known: MatchedWords | None = None
) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the words whose terms are in ``terms``.

    The distinct words come from one C-level ``findall``; only the few that
    match are then located, each occurrence checked to be a whole token.
    Looping over every token in Python cost more than the regex itself.
    """
    known = known or MatchedWords(terms)
    wanted = sorted(known.among(set(_WORDS.findall(text))), key=len, reverse=True)
    if not wanted:
        return []
    finder = re.compile("|".join(map(re.escape, wanted)))  # longest first at a start
    spans = []
    for m in finder.finditer(text):
        a, b = m.span()
        if a and _continues_token(text[a - 1]):
            continue  # inside a longer word
        token = TOKEN_PATTERN.match(text, a)
        if token is not None and token.end() == b:
            spans.append((a, b))
    return spans


def _continues_token(ch: str) -> bool:
    return ch.isalnum() or ch in _JOINERS or "\u0300" <= ch <= "\u036f"


def _lead_spans(text: str, known: MatchedWords) -> tuple[list[tuple[int, int]], int]:
    """Matched words of the first passage of ``SCAN_CHARS`` that has any,
    and where the scan stopped: the snippet is the best window of the
    earliest passage that matches, as news readers expect, and a long
    article is only tokenized as far as its first match. Passages overlap
    by a window's width, so no window is split between two."""
    start = 0
    while start < len(text):
        stop = _space_after(text, start + SCAN_CHARS)
        spans = matched_spans(text[start:stop], known.terms, known)
        if spans:
            return [(a + start, b + start) for a, b in spans], stop
        if stop == len(text):
            break
        start = _space_after(text, start + SCAN_CHARS - SNIPPET_CHARS)
    return [], len(text)


def _space_after(text: str, at: int) -> int:
    space = text.find(" ", at)
    return space if space > 0 else len(text)


def make_snippet(
    text: str, terms: frozenset[str] | MatchedWords, width: int = SNIPPET_CHARS
) -> str:
    """Return escaped HTML: a window of ``text`` with matched words in <mark>.

    ``terms`` may be a page's shared :class:`MatchedWords`.
    """
    known = terms if isinstance(terms, MatchedWords) else MatchedWords(terms)
    spans, scanned = _lead_spans(text, known) if known.terms else ([], len(text))
    start = _best_window(spans, width)
    start = max(0, start - LEAD_CHARS) if spans else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    if end > scanned:  # the window runs past the scanned passage: mark its tail too
        stop = _space_after(text, end)
        spans += [
            (a + scanned, b + scanned)
            for a, b in matched_spans(text[scanned:stop], known.terms, known)
        ]
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


def marked_text(text: str, terms: frozenset[str] | MatchedWords) -> str:
    """All of ``text`` as escaped HTML, every matched word in <mark> (a title,
    an article read in full)."""
    known = terms if isinstance(terms, MatchedWords) else MatchedWords(terms)
    out, cursor = [], 0
    for a, b in matched_spans(text, known.terms, known) if known.terms else ():
        out += [_escape(text[cursor:a]), f"<mark>{_escape(text[a:b])}</mark>"]
        cursor = b
    out.append(_escape(text[cursor:]))
    return "".join(out)


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
