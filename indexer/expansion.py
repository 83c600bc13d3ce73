"""What a query's words are called in the other language.

Three offline bridges, each one a user can check:

- the glossary (data/glossary/): ``air defense`` → ППО, протиповітряна
  оборона; looked up by analysed terms, so any case form or plural of a
  term finds its concept, and a phrase of several words is one match;
- names across scripts (indexer/romanize.py): ``Umerov`` → Умєров and
  ``Залужного`` → Zaluzhnyi, kept only when the other spelling occurs in
  the index (a guessed spelling that no article holds adds nothing);
- the gazetteers: a company or weapon system named in any language or case form
  (``Райнметал``) also matches the articles tagged with it.

The query builder (indexer/query.py) joins each equivalent to what was
typed, scored below it, inside the query's own structure.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import STOPWORDS, index_terms, normalized, raw_tokens
from .glossary import Concept, default_glossary
from .morphology import STEM_MARK
from .normalize import is_cyrillic
from .romanize import cyrillic_spellings, latin_spellings, name_key
from .schema import NAMES_FIELD, SPELLING_FIELD, TEXT_FIELDS

# Most equivalents added for one typed word or phrase (a broad concept has many).
MAX_EQUIVALENTS = 8
# Shortest Latin word read as a name to spell in Cyrillic: shorter ones are
# too often ordinary words that happen to spell a Ukrainian one (sin → син).
MIN_LATIN_NAME = 5
MIN_CYRILLIC_NAME = 4
# Case endings a Ukrainian name takes after its romanized stem: Умєров-а,
# Залужн-ого, Гаврилюк-ом. A spelling found in the index with one of them is
# that name in another case.
_ENDINGS = (
    "", "а", "у", "ю", "ом", "ем", "ові", "еві", "і", "и", "е", "ий", "ого", "ому",
    "им", "ій", "ої", "ою", "ин", "ина", "ину", "іна", "ія", "ієм", "ію",
)  # fmt: skip

# How a romanized adjective-like surname ends (-ий, -ій): Zaluzhnyi, Zaluzhny.
_ADJECTIVE_LATIN = ("yi", "yy", "iy", "ii", "y", "i")

Steps = tuple[frozenset[str], ...]  # analysed terms at each position


@dataclass(frozen=True)
class Equivalent:
    """One thing a typed word or phrase also searches."""

    shown: str  # as the page shows it: "ППО", "Умєров", "company Rheinmetall"
    steps: Steps = ()  # its analysed terms, position by position
    # instead of words: the articles tagged with it (a company or a system)
    entity: str | None = None
    entity_field: str = "companies"
    # each step's position (stopwords leave gaps: Ministry of Defense → 0, 2)
    at: tuple[int, ...] = ()

    def positions(self) -> list[tuple[int, list[str]]]:
        """As the query builder's sequences take them: [(position, terms)]."""
        at = self.at or range(len(self.steps))
        return [(p, sorted(terms)) for p, terms in zip(at, self.steps, strict=True)]


def analysed_steps(text: str) -> Steps:
    """The index terms of ``text`` position by position (stopwords dropped),
    as the analyzer makes them for a query."""
    return tuple(terms for _, terms in analysed_positions(text))


def analysed_positions(text: str) -> list[tuple[int, frozenset[str]]]:
    by_pos: dict[int, set[str]] = {}
    for word, pos, _, _, compound in raw_tokens(text):
        word = normalized(word)
        if word not in STOPWORDS:
            by_pos.setdefault(pos, set()).update(index_terms(word, compound))
    return [(p, frozenset(by_pos[p])) for p in sorted(by_pos)]


@dataclass(frozen=True)
class _Entry:
    steps: Steps
    concept: int  # index into Glossary.concepts
    lang: str


class Glossary:
    """The glossary's terms indexed by their first analysed term."""

    def __init__(self, concepts):
        self.concepts: tuple[Concept, ...] = tuple(concepts)
        self._by_first: dict[str, list[_Entry]] = {}
        for i, concept in enumerate(self.concepts):
            for lang in ("en", "uk"):
                for term in concept.terms(lang):
                    steps = analysed_steps(term)
                    if not steps:
                        continue
                    entry = _Entry(steps, i, lang)
                    for first in steps[0]:
                        self._by_first.setdefault(first, []).append(entry)
        self._equivalents: dict[tuple[int, str], tuple[Equivalent, ...]] = {}

    def matches(self, steps: Steps, starts: set[int], ends: set[int]):
        """Glossary terms found in ``steps``, longest first from the left and
        not overlapping: [(start, end, [(concept index, typed language)])].
        A match must start at one of ``starts`` and end (exclusive) at one of
        ``ends``: a typed word is matched whole or not at all."""
        found, i = [], 0
        while i < len(steps):
            best, hits = 0, []
            for term in steps[i]:
                for entry in self._by_first.get(term, ()):
                    n = len(entry.steps)
                    if i not in starts or i + n not in ends or n < best:
                        continue
                    if all(entry.steps[k] & steps[i + k] for k in range(n)):
                        if n > best:
                            best, hits = n, []
                        hits.append((entry.concept, entry.lang))
            if best:
                found.append((i, i + best, list(dict.fromkeys(hits))))
                i += best
            else:
                i += 1
        return found

    def equivalents(self, hits, typed: Steps) -> list[Equivalent]:
        """The other language's terms of the concepts ``hits`` names."""
        typed_langs = {lang for _, lang in hits}
        out: dict[Steps, Equivalent] = {}
        for concept in dict.fromkeys(c for c, _ in hits):
            for other in ("en", "uk"):
                if other in typed_langs:
                    continue
                for eq in self._concept_terms(concept, other):
                    if eq.steps != typed:
                        out.setdefault(eq.steps, eq)
        return list(out.values())[:MAX_EQUIVALENTS]

    def _concept_terms(self, concept: int, lang: str) -> tuple[Equivalent, ...]:
        key = (concept, lang)
        if key not in self._equivalents:
            terms = self.concepts[concept].terms(lang)
            self._equivalents[key] = tuple(
                Equivalent(term, tuple(s for _, s in found), at=tuple(p for p, _ in found))
                for term in terms
                if (found := analysed_positions(term))
            )
        return self._equivalents[key]


_default: list[Glossary] = []  # the last one built


def default_lookup() -> Glossary:
    """The glossary lookup of data/glossary/, built once per change of its
    files. (Checked by identity: hashing 1,300 concepts a query cost 0.8 ms.)"""
    concepts = default_glossary()
    if not _default or _default[0].concepts is not concepts:
        _default[:] = [Glossary(concepts)]
    return _default[0]


# Names across scripts -----------------------------------------------------------


class Names:
    """Spellings of a name in the other script that ``reader``'s index holds."""

    def __init__(self, reader):
        self.reader = reader
        self.leaves = reader.leaf_readers() if reader is not None else []
        self._prefixes: dict[str, bool] = {}

    @classmethod
    def of_reader(cls, reader) -> Names:
        """One per reader, so the prefixes walked (each a seek into the
        terms file) are remembered across queries of one generation."""
        for names in _names_cache:
            if names.reader is reader:
                return names
        names = cls(reader)
        _names_cache[:] = [names, *_names_cache[: _NAMES_READERS - 1]]
        return names

    def has_prefix(self, prefix: str) -> bool:
        known = self._prefixes.get(prefix)
        if known is None:
            if len(self._prefixes) >= _MAX_PREFIXES:
                self._prefixes.clear()
            known = self._prefixes[prefix] = any(
                next(iter(leaf.expand_prefix(SPELLING_FIELD, prefix)), None) is not None
                for leaf, _ in self.leaves
            )
        return known

    def has_word(self, word: str) -> bool:
        return any((SPELLING_FIELD, word) in leaf for leaf, _ in self.leaves)

    def has_term(self, term: str) -> bool:
        return any((f, term) in leaf for leaf, _ in self.leaves for f in TEXT_FIELDS)

    def of(self, word: str) -> list[Equivalent]:
        """``word`` (one normalised word) spelt in the other script."""
        if not self.leaves or not word.isalpha() or word in STOPWORDS:
            return []
        if is_cyrillic(word[0]):
            return self._in_latin(word) if len(word) >= MIN_CYRILLIC_NAME else []
        if word.isascii() and len(word) >= MIN_LATIN_NAME:
            return self._in_cyrillic(word)
        return []

    def _in_latin(self, word: str) -> list[Equivalent]:
        found = []
        # its lemmas, and its stem without a case ending (the dictionary may
        # not know the name: Умєрова → умєров)
        lemmas = (t for t in index_terms(word) if not t.startswith(STEM_MARK))
        stems = [*lemmas, *(word[: -len(e)] for e in _ENDINGS if e and word.endswith(e))]
        for lemma in dict.fromkeys(s for s in stems if len(s) >= MIN_CYRILLIC_NAME):
            for spelling in latin_spellings(lemma):
                if spelling != word and self.has_word(spelling):
                    stem = index_terms(spelling)
                    if all(self.has_term(t) for t in stem):
                        found.append(Equivalent(spelling.title(), (frozenset(stem),)))
        return _distinct(found)

    def _in_cyrillic(self, word: str) -> list[Equivalent]:
        # one look-up says whether any article holds a name spelt like it;
        # only then are its spellings walked (each step an index seek)
        key = name_key(word)
        if not any((NAMES_FIELD, key) in leaf for leaf, _ in self.leaves):
            return []
        found = []
        stems = cyrillic_spellings(word, self.has_prefix)
        # an adjective-like surname is found by its stem: Zaluzhny → залужн-ого
        for ending in _ADJECTIVE_LATIN:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_LATIN_NAME - 1:
                stems += cyrillic_spellings(word[: -len(ending)], self.has_prefix)
                break
        for stem in dict.fromkeys(stems):
            forms = [stem + e for e in _ENDINGS if self.has_word(stem + e)]
            # the found word must romanize back to what was typed
            if not any(word in latin_spellings(w) for f in forms for w in (f, *index_terms(f))):
                continue
            terms = frozenset(t for f in forms for t in index_terms(f) if self.has_term(t))
            if terms:
                shown = min(forms, key=len)
                found.append(Equivalent(shown.title(), (terms,)))
        return _distinct(found)


# Readers whose prefix answers are kept (the live generation and the last
# one), and most prefixes remembered for one.
_NAMES_READERS = 2
_MAX_PREFIXES = 200_000
_names_cache: list[Names] = []


def unsubsumed(eqs: list[Equivalent]) -> list[Equivalent]:
    """``eqs`` without the word equivalents that a one-word one already
    matches, as alternatives of one OR: every article holding "defense of
    the city" holds "defense", so searching the phrase too adds no article,
    only its positions to read."""
    words = [eq.steps[0] for eq in eqs if not eq.entity and len(eq.steps) == 1]
    return [
        eq
        for eq in eqs
        if eq.entity
        or len(eq.steps) == 1
        or not any(step <= word for word in words for step in eq.steps)
    ]


def _distinct(found: list[Equivalent]) -> list[Equivalent]:
    out: dict[Steps, Equivalent] = {}
    for eq in found:
        out.setdefault(eq.steps, eq)
    return list(out.values())[:MAX_EQUIVALENTS]


def entity_equivalents(gazetteers, text: str) -> list[tuple[int, int, Equivalent]]:
    """Companies and systems ``text`` names: (start, end, equivalent) by
    character offsets; each searches the articles tagged with it."""
    found = []
    for gazetteer in gazetteers:
        if gazetteer is None:
            continue
        kind = gazetteer.kind
        for m in gazetteer.mentions(text, strict_case=False):
            if m.confirmed:
                shown = f"{kind.name} {gazetteer.label(m.entity)}"
                eq = Equivalent(shown, entity=m.entity, entity_field=kind.field)
                found.append((m.start, m.end, eq))
    return found
