"""The keys a word is matched by: its index terms, its surface form and,
for Cyrillic words the dictionary does not know, an ending-stripped stem.

Foreign names are mostly unknown to the dictionary and its predictor guesses
their lemmas poorly (``Сааба`` → сааба), so the crude key joins their case
forms. Every key is cached per raw token: indexing already analysed it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..analysis import STOPWORDS, index_terms, normalized, token_index_terms
from ..morphology import CACHE_SIZE, STEM_MARK, is_known_word
from ..normalize import is_cyrillic, normalize_word

# Case endings stripped from Cyrillic words for the ending-stripped key.
_ENDINGS = sorted(
    "ами ями ові еві єві ом ем єм ою ею єю ах ях ів їв ам ям а я у ю і ї и е о".split(),
    key=len,
    reverse=True,
)
_SLUG = re.compile(r"[^a-z0-9]+")
_DESIGNATION_PLURAL = re.compile(r"\w*\d[a-z]?s")
_CYRILLIC_DESIGNATION = re.compile(r"([а-яіїєґ']{3,})-(\d[\w]*)")


def ending_key(word: str, known_too: bool = False) -> str | None:
    """The ending-stripped key of a Cyrillic word the dictionary does not know
    (``Сааба`` → ``~сааб``); known words inflect through their lemmas (an
    alias's word takes the key ``known_too``, to meet its unknown forms)."""
    if not word or not is_cyrillic(word[0]) or (not known_too and is_known_word(word)):
        return None
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return STEM_MARK + word[: -len(ending)]
    return STEM_MARK + word


@lru_cache(maxsize=CACHE_SIZE)
def token_keys(raw: str, compound: bool) -> frozenset[str]:
    """Keys of a word: index terms (lemmas, stems), ``=surface`` and the
    ending-stripped key."""
    terms = token_index_terms(raw, compound)  # cached: indexing made them
    if not terms:
        return frozenset()  # a stopword
    word = normalized(raw)
    ending = ending_key(word)
    # a designation's English plural is the designation ("F-16s", "M113s"),
    # and its Ukrainian case forms too ("Шахеди-238", "Лелеки-100")
    plurals = [t[:-1] for t in terms if _DESIGNATION_PLURAL.fullmatch(t)]
    return frozenset(
        (
            *terms,
            *plurals,
            *_inflected_designation(word),
            "=" + word,
            *((ending,) if ending else ()),
        )
    )


def _inflected_designation(word: str) -> tuple[str, ...]:
    """ "шахеди-238" → the terms of "шахед-238": the designation of each
    lemma (and the ending-stripped stem) of its Cyrillic word part."""
    m = _CYRILLIC_DESIGNATION.fullmatch(word)
    if not m:
        return ()
    name, number = m.groups()
    bases = {t for t in index_terms(name, False) if not t.startswith(STEM_MARK)}
    if stem := ending_key(name):
        bases.add(stem[1:])
    bases.discard(name)
    return tuple(t for base in bases for t in index_terms(f"{base}-{number}", False))


@lru_cache(maxsize=CACHE_SIZE)
def surface_keys(raw: str, compound: bool) -> frozenset[str]:
    """Keys of an ambiguous alias's word when its kind matches those by
    surface form, not lemma (English stems stay: "Palantir's" matches)."""
    word = normalize_word(raw)
    if word in STOPWORDS:
        return frozenset()
    keys = {"=" + word}
    if ending := ending_key(word):
        keys.add(ending)
    if not is_cyrillic(word[:1]):
        keys.update(index_terms(word, compound))
    return frozenset(keys)


def joined_text(*texts: str) -> str:
    """An article's texts as one, for detection (title and body are one
    article: an alias in one is confirmed by a signal in the other)."""
    return "\n\n".join(t for t in texts if t)


def slugify(name: str) -> str:
    return _SLUG.sub("-", name.lower()).strip("-")
