"""The bilingual analyzer: one Whoosh pipeline for indexing and for queries.

>>> ana = news_analyzer()
>>> [t.text for t in ana("Rheinmetall delivered 155 мм shells")]
['rheinmetal', 'deliv', '155mm', 'shell']
>>> [t.text for t in ana("з Райнметаллом про ракети")]
['райнметаллом', 'райнметалл', '~райнметалл', 'ракета']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from whoosh.analysis import Filter, Tokenizer
from whoosh.analysis.acore import Token

from .morphology import CACHE_SIZE, english_stem, is_known_word, ukrainian_lemmas
from .normalize import HYPHEN, HYPHENS, is_cyrillic, normalize_word, transliterate
from .romanize import name_key, romanize

# A word: letters and digits, with combining marks, soft hyphens and zero-width
# characters anywhere after the first letter, and apostrophes only between
# letters (п'ять, пʼять, п’ять, and п''ять typed twice, stay whole; 'quoted'
# words lose their quotes).
# The modifier apostrophes ʼ and ʹ count as \w in Python's regex, but they are
# apostrophes, never letters: a lone ʼ is not a word.
_LETTER = r"[^\W_\u02bc\u02b9]"
_INSIDE = r"[\u0300-\u036f\u0483-\u0489\u00ad\u200b-\u200d\u2060\ufeff]"
_APOSTROPHE = "['\u2019\u02bc\u2018`\u00b4\u02b9\u2032]"
# Possessive runs of letters (Python 3.11+) and a digit look-ahead before the
# number alternatives: the same tokens ~30% faster than a letter-at-a-time
# alternation (this regex is most of a snippet's cost and runs on every text).
_WORD = rf"{_LETTER}(?:{_LETTER}++|{_INSIDE}|{_APOSTROPHE}{{1,2}}(?={_LETTER}))*+"
_HYPHEN = "[" + re.escape(HYPHENS) + "]"
TOKEN_PATTERN = re.compile(
    # "155 мм" and "155 mm" are one calibre, like "155-мм" and "155mm".
    rf"(?=\d)(?:(?P<calibre>\d+(?:[.,]\d+)?[ \u00a0\u202f](?:мм|mm)(?!{_LETTER}))"
    rf"|(?P<number>\d+(?:[.,]\d+)+(?!{_LETTER})))"
    rf"|{_WORD}(?P<tail>(?:{_HYPHEN}{_WORD})+)?"
)
_WORD_RE = re.compile(_WORD)

# Case endings written after numerals ("2024-го", "1990-х", "5-й"): the
# number alone is the term.
ORDINAL_SUFFIXES = frozenset("й го му м х ї ї ти ий ого ому ою ої ій их ими им ша ге га".split())

# Calibre spelled as a word after the number ("155-міліметрові").
_CALIBRE_KEY = re.compile(r"^(\d+(?:[.,]\d+)?)(?:mm|мм|міліметр\w*|millimet\w*)$")


def _load_stopwords(name: str) -> frozenset[str]:
    text = resources.files("indexer.data").joinpath(name).read_text("utf-8")
    return frozenset(word for line in text.splitlines() if (word := line.split("#")[0].strip()))


STOPWORDS = _load_stopwords("stopwords-en.txt") | _load_stopwords("stopwords-uk.txt")


def raw_tokens(text: str, start_pos: int = 0) -> Iterator[tuple[str, int, int, int, bool]]:
    """Yield (word, position, start, end, compound) for every token of ``text``.

    A hyphenated word (``дрон-камікадзе``, ``anti-aircraft``) yields the whole
    word (compound=True) and then its parts, the first part at the whole
    word's position, so it is found whole, by its parts, and by phrases over
    its parts. A hyphenated designation (``F-16``, ``Су-34``, ``155-мм``) is
    one token; "2024-го" is its number; a range "2022-2023" its numbers.
    Plain tuples, no Token objects: indexing runs this over every text.
    """
    pos = start_pos
    for match in TOKEN_PATTERN.finditer(text):
        word = match.group()
        if match.lastgroup != "tail":  # no hyphen: one plain token (most words)
            yield word, pos, match.start(), match.end(), False
            pos += 1
            continue
        base = match.start()
        pieces = [(m.start(), m.end()) for m in _WORD_RE.finditer(word)]
        parts = [word[a:b] for a, b in pieces]
        if all(p.isdigit() for p in parts[:-1]) and parts[-1].lower() in ORDINAL_SUFFIXES:
            # "2024-го" → 2024; keep the offsets of the whole so it highlights.
            yield parts[0], pos, base, match.end(), False
            pos += 1
            continue
        if any(ch.isdigit() for ch in word):
            if not all(p.isdigit() for p in parts):
                yield word, pos, base, match.end(), False  # a designation: one term
                pos += 1
                continue
        else:
            yield word, pos, base, match.end(), True
        for i, (a, b) in enumerate(pieces):
            yield parts[i], pos + i, base + a, base + b, False
        pos += len(pieces)


class NewsTokenizer(Tokenizer):
    """Cut text into words as :func:`raw_tokens` does, as Whoosh tokens.
    Character offsets are those of the original text."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for word, pos, start, end, compound in raw_tokens(value, start_pos):
            t.text = word
            t.boost = 1.0
            t.stopped = False
            t.compound = compound
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class NormalizeFilter(Filter):
    """Unify apostrophes and dashes, drop stress marks and invisible characters,
    repair look-alike letters of the other script, lowercase."""

    def __call__(self, tokens):
        normalize = normalized
        for t in tokens:
            t.text = normalize(t.text)
            yield t


class StopwordFilter(Filter):
    """Drop (or, when asked to keep stops, mark) English and Ukrainian
    stopwords. Positions are not renumbered: phrases allow for the gap."""

    def __init__(self, stoplist=None):
        """:param stoplist: words to drop; the shipped lists by default."""
        self.stoplist = STOPWORDS if stoplist is None else frozenset(stoplist)

    def __call__(self, tokens):
        stoplist = self.stoplist
        for t in tokens:
            if t.text in stoplist:
                if t.removestops:
                    continue
                t.stopped = True
            yield t


class MorphFilter(Filter):
    """Replace each word by its index terms: Ukrainian lemmas (several at one
    position when the dictionary has ties), English stems, designation keys."""

    is_morph = True

    def __call__(self, tokens):
        terms_for = index_terms
        for t in tokens:
            if t.stopped:
                yield t
                continue
            terms = terms_for(t.text, t.compound)
            if len(terms) == 1:
                t.text = terms[0]
                yield t
            else:
                for term in terms:
                    t.text = term
                    yield t


# normalize_word, cached: every raw word of every text passes through it.
normalized = lru_cache(maxsize=CACHE_SIZE)(normalize_word)


@lru_cache(maxsize=CACHE_SIZE)
def index_terms(word: str, compound: bool = False) -> tuple[str, ...]:
    """Return the index terms of one normalised word.

    >>> index_terms("танків"), index_terms("deliveries"), index_terms("су-34")
    (('танк',), ('deliveri',), ('su34',))
    """
    if compound:
        if is_cyrillic(word[0]) and is_known_word(word):
            return ukrainian_lemmas(word)  # a dictionary word: будь-якого → будь-який
        # The whole of "дронів-камікадзе": each part's first term, joined.
        return (HYPHEN.join(index_terms(p)[0] for p in word.split(HYPHEN) if p),)
    has_digit = has_alpha = False
    cyrillic = latin = 0
    for ch in word:
        if ch.isdigit():
            has_digit = True
        elif ch.isalpha():
            has_alpha = True
            if is_cyrillic(ch):
                cyrillic += 1
            else:
                latin += 1
    if has_digit:
        return (designation_key(word),) if has_alpha else (word.replace(",", "."),)
    if cyrillic > latin:
        return ukrainian_lemmas(word)
    if latin:
        return (english_stem(word),)
    return (word,)


@lru_cache(maxsize=CACHE_SIZE)
def token_index_terms(word: str, compound: bool) -> tuple[str, ...]:
    """The index terms of one raw token, as the analyzer's filters give them
    (none for a stopword)."""
    word = normalized(word)
    if word in STOPWORDS:
        return ()
    return index_terms(word, compound)


def term_positions(text: str) -> dict[str, list[int]]:
    """Every index term of ``text`` with its positions: what the analyzer
    yields, without a Token object or a generator stage per word (indexing
    spent more time in that machinery than in the morphology; documents
    built by ``index.py`` get theirs from ``article_analysis``)."""
    positions: dict[str, list[int]] = defaultdict(list)  # a C-level miss
    plain = _plain_word_terms
    for word, pos, _, _, compound in raw_tokens(text):
        terms = None if compound else plain.get(word)
        if terms is None:
            terms = token_index_terms(word, compound)
            if not compound:
                if len(plain) >= CACHE_SIZE:
                    plain.clear()
                plain[word] = terms
        for term in terms:
            positions[term].append(pos)
    return positions


# token_index_terms of words that are not hyphenated, by the word alone: a
# dict lookup is cheaper than an lru_cache call with two arguments, and this
# runs for every word indexed.
_plain_word_terms: dict[str, tuple[str, ...]] = {}


def surface_words(*texts: str) -> list[str]:
    """The distinct normalised non-stopwords of ``texts``: the spelling field."""
    seen = {word for text in texts for word, *_ in raw_tokens(text)}
    return sorted(set(map(normalized, seen)) - STOPWORDS)


# Case endings a capitalised Ukrainian word may carry: its name key is taken
# with and without them (Умєрова, Залужного, Гаврилюком → their stems).
NAME_ENDINGS = (
    "ого",
    "ому",
    "ові",
    "еві",
    "ою",
    "ом",
    "ем",
    "им",
    "ій",
    "ів",
    "а",
    "у",
    "ю",
    "і",
    "е",
    "и",
)


def name_keys_of(raw_words) -> set[str]:
    """The romanized name keys (romanize.name_key) of the capitalised
    Cyrillic words among ``raw_words``: the names field."""
    keys: set[str] = set()
    for word in raw_words:
        if word[0].isupper() and is_cyrillic(word[0]) and len(word) >= 4:
            keys.update(_name_keys(word))
    return keys


@lru_cache(maxsize=CACHE_SIZE)
def _name_keys(raw: str) -> tuple[str, ...]:
    word = normalized(raw)
    stems = [word, *(word[: -len(e)] for e in NAME_ENDINGS if word.endswith(e))]
    keys = {name_key(romanize(stem)) for stem in stems}
    return tuple(k for k in keys if len(k) >= 3)


# Prefix of the highlight term of a stopword: stopwords have no index terms,
# and a query made only of them is matched and highlighted as written.
STOPWORD_MARK = "stop:"


def designation_key(word: str) -> str:
    """One key however a designation is written: F-16, f16, Су-34 → su34.

    >>> designation_key("155-мм"), designation_key("155-міліметрових")
    ('155mm', '155mm')
    """
    calibre = _CALIBRE_KEY.match(word.replace(HYPHEN, "").replace(" ", ""))
    if calibre:
        return calibre.group(1).replace(",", ".") + "mm"
    key = word.replace(HYPHEN, "").replace("'", "").replace(" ", "")
    return transliterate(key.replace("\u00a0", "").replace("\u202f", ""))


def news_analyzer():
    """Return the analyzer of the title and body fields (index and query)."""
    return NewsTokenizer() | NormalizeFilter() | StopwordFilter() | MorphFilter()


def surface_analyzer():
    """Return the analyzer of the spelling field: normalised words, no morphology
    (so "did you mean" offers words, not stems)."""
    return NewsTokenizer() | NormalizeFilter() | StopwordFilter()
