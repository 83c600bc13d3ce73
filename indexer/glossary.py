"""The bilingual defense glossary: concepts with English and Ukrainian terms.

``data/glossary/<category>.tsv`` holds one concept a line::

    wpn-howitzer<TAB>howitzer | howitzers<TAB>гаубиця

An id (its prefix names the category), the English terms and the Ukrainian
terms, each side ``|``-separated; ``#`` starts a comment. Ukrainian terms
are written as lemmas (the dictionary form) so that any case form matches;
a term of several words is matched as a phrase. Acronyms sit beside their
expansions (ППО | протиповітряна оборона): one concept.

A concept is looked up by the analysed terms of what the user typed (stems
and lemmas), so ``howitzers``, ``гаубицями`` and ``Howitzer`` all find it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DefnewsError

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "glossary"
# Where to read the glossary from instead of data/glossary/.
GLOSSARY_ENV = "DEFNEWS_GLOSSARY"
LANGS = ("en", "uk")


class GlossaryError(DefnewsError):
    """A glossary line that cannot be read, named by file and line."""


@dataclass(frozen=True)
class Concept:
    id: str
    en: tuple[str, ...]
    uk: tuple[str, ...]
    where: str  # "file.tsv:12", for messages

    @property
    def category(self) -> str:
        return self.id.split("-", 1)[0]

    def terms(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" else self.uk


def read_glossary(directory: str | os.PathLike) -> list[Concept]:
    """Every concept of every ``*.tsv`` file in ``directory``, checked for
    shape: three tab-separated fields, terms on both sides, unique ids."""
    directory = Path(directory)
    if not directory.is_dir():
        raise GlossaryError(f"{directory}: no such glossary directory")
    concepts: list[Concept] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.tsv")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].rstrip(" \r")
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            concept = _concept(line, where)
            if concept.id in seen:
                raise GlossaryError(
                    f"{where}: concept {concept.id!r} is also at {seen[concept.id]}"
                )
            seen[concept.id] = where
            concepts.append(concept)
    return concepts


def _concept(line: str, where: str) -> Concept:
    fields = line.split("\t")
    if len(fields) != 3:
        raise GlossaryError(
            f"{where}: expected 3 tab-separated fields (id, English, Ukrainian), found {len(fields)}"
        )
    cid, en, uk = (f.strip() for f in fields)
    if not cid or "-" not in cid or " " in cid:
        raise GlossaryError(f"{where}: the id {cid!r} must be category-name, without spaces")
    sides = {}
    for lang, text in (("en", en), ("uk", uk)):
        terms = tuple(dict.fromkeys(t.strip() for t in text.split("|") if t.strip()))
        if not terms:
            raise GlossaryError(f"{where}: concept {cid!r} has no {lang} term")
        sides[lang] = terms
    return Concept(cid, sides["en"], sides["uk"], where)


@lru_cache(maxsize=4)
def _load_cached(directory: str, stamp: tuple) -> tuple[Concept, ...]:
    return tuple(read_glossary(directory))


# Seconds between looks at the glossary files' times (a look costs ~0.2 ms,
# and every query asks).
RECHECK_SECONDS = 1.0
_stamps: dict[str, tuple[float, tuple]] = {}


def default_glossary() -> tuple[Concept, ...]:
    """The glossary at $DEFNEWS_GLOSSARY or data/glossary/, read once per
    change of its files (noticed within RECHECK_SECONDS)."""
    directory = str(Path(os.environ.get(GLOSSARY_ENV) or DEFAULT_DIR))
    now = time.monotonic()
    checked = _stamps.get(directory)
    if checked is None or now - checked[0] > RECHECK_SECONDS:
        try:
            files = sorted(Path(directory).glob("*.tsv"))
            stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
        except OSError:
            stamp = ()
        checked = _stamps[directory] = (now, stamp)
    return _load_cached(directory, checked[1])


def problems(concepts) -> list[str]:
    """What would make entries silently miss: a one-word Ukrainian term that
    is not the lemma the analyzer makes of it, a word of a longer term (or a
    part of a hyphenated one) that the dictionary does not know, an English
    term that is not Latin."""
    from .analysis import STOPWORDS, index_terms, normalized, raw_tokens
    from .morphology import is_known_word
    from .normalize import is_cyrillic

    def checked(word, term):  # a word the dictionary need not know
        designation = any(ch.isdigit() for ch in word)  # УР-77, 2С22: keys, not lemmas
        return (
            word in STOPWORDS or designation or not is_cyrillic(word[0]) or _is_acronym(word, term)
        )

    found = []
    for c in concepts:
        for term in c.en:
            if any(is_cyrillic(ch) for ch in term):
                found.append(f"{c.where}: English term {term!r} holds Cyrillic letters")
        for term in c.uk:
            units = _units(term, raw_tokens, normalized)
            if not units:
                found.append(f"{c.where}: Ukrainian term {term!r} holds no word")
            for word, parts in units:
                if parts and is_known_word(word):
                    continue  # the dictionary knows the whole: Шрі-Ланка
                if parts:  # гарматно-ракетний: a combining form may lead
                    for i, part in enumerate(parts):
                        combining = part.endswith("о") and i < len(parts) - 1
                        if not (checked(part, term) or combining or is_known_word(part)):
                            found.append(
                                f"{c.where}: {part!r} in {term!r} is not in the dictionary"
                            )
                elif checked(word, term):
                    continue
                elif len(units) == 1 and word not in index_terms(word):
                    lemmas = ", ".join(index_terms(word))
                    found.append(
                        f"{c.where}: {term!r} is not a lemma (the analyzer makes {lemmas})"
                    )
                elif len(units) > 1 and not is_known_word(word):
                    found.append(f"{c.where}: {word!r} in {term!r} is not in the dictionary")
    return found


def _units(term, raw_tokens, normalized) -> list[tuple[str, list[str]]]:
    """The words of ``term``, each with its parts when it is hyphenated."""
    units: list[tuple[str, list[str]]] = []
    inside = -1
    for word, _, start, end, compound in raw_tokens(term):
        if compound:
            units.append((normalized(word), []))
            inside = end
        elif start < inside:
            units[-1][1].append(normalized(word))
        else:
            units.append((normalized(word), []))
    return units


def _is_acronym(word: str, term: str) -> bool:
    """ППО, ЗСУ, БПЛА: written in capitals in the glossary."""
    return any(w.upper() == w and w.lower() == word for w in term.replace("-", " ").split())
