"""The company gazetteer, and company detection over analysed tokens.

Aliases and texts go through the index's own analyzer, so an alias matches
every inflection and spelling variant the index would treat as the same word:
``Rheinmetall`` / ``з Райнметаллом``, ``Укроборонпром`` / ``Укроборонпрому``,
``Lockheed Martin`` / ``Lockheed Martin's``. Each position also carries a crude
ending-stripped key for Cyrillic words, because foreign company names are
mostly unknown to the dictionary and its predictor guesses their lemmas poorly
(``Сааба`` → сааба). Ambiguous aliases need a second signal (see the rule at
the top of ``data/companies.toml``).
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import STOPWORDS, index_terms, normalized, raw_tokens, token_index_terms
from .morphology import CACHE_SIZE, is_known_word
from .normalize import is_cyrillic, normalize_word

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "companies.toml"
# Where to read the gazetteer from instead of data/companies.toml.
PATH_ENV = "DEFNEWS_COMPANIES"

# Case endings stripped from Cyrillic words for the ending-stripped key.
_ENDINGS = sorted(
    "ами ями ові еві єві ом ем єм ою ею єю ах ях ів їв ам ям а я у ю і ї и е о".split(),
    key=len,
    reverse=True,
)
_SLUG = re.compile(r"[^a-z0-9]+")
# What may stand between two company names listed together: "Airbus and
# Leonardo", "BAE Systems, Thales", "«Ербасу» та «Леонардо»".
_LISTED_WITH = re.compile(
    r"^(?:\s*(?:Inc|Corp|Ltd|plc|AG|SE|SA|GmbH|LLC|Co)\b\.?)?"
    r"[\s«»\"'„“”,;]*(?:(?:and|or|&|і|й|та|чи|або)[\s«»\"'„“”]*)?$",
    re.I,
)


# The pseudo-company of blocker phrases: matches that tag nothing but keep
# overlapping aliases from matching ("Oracle of Delphi", "Saab 9-3").
BLOCKER = ""


@dataclass(frozen=True)
class Company:
    id: str
    name_en: str
    name_uk: str
    aliases: tuple[str, ...]
    ambiguous: frozenset[str]
    context: tuple[str, ...]

    def label(self, lang: str = "en") -> str:
        return self.name_uk if lang == "uk" else self.name_en


@dataclass(frozen=True)
class Mention:
    company: str
    alias: str
    start: int  # character offsets in the text
    end: int
    confirmed: bool  # False: an ambiguous alias without a second signal


@dataclass(frozen=True)
class _Pattern:
    company: str
    alias: str
    steps: tuple[tuple[int, frozenset[str]], ...]  # (relative position, keys)
    ambiguous: bool


def ending_key(word: str) -> str | None:
    """The ending-stripped key of a Cyrillic word the dictionary does not know
    (``Сааба`` → ``~сааб``); known words inflect through their lemmas."""
    if not word or not is_cyrillic(word[0]) or is_known_word(word):
        return None
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return "~" + word[: -len(ending)]
    return "~" + word


@lru_cache(maxsize=CACHE_SIZE)
def _token_keys(raw: str, compound: bool) -> frozenset[str]:
    terms = token_index_terms(raw, compound)  # cached: indexing made them
    if not terms:
        return frozenset()  # a stopword
    word = normalized(raw)
    ending = ending_key(word)
    return frozenset((*terms, "=" + word, *((ending,) if ending else ())))


def joined_text(*texts: str) -> str:
    """An article's texts as one, for detection (title and body are one
    article: an alias in one is confirmed by a signal in the other)."""
    return "\n\n".join(t for t in texts if t)


@lru_cache(maxsize=CACHE_SIZE)
def _surface_keys(raw: str, compound: bool) -> frozenset[str]:
    """Keys of an ambiguous alias's word: its surface form, not its lemmas
    (English stems stay: they keep "Palantir's" a match)."""
    word = normalize_word(raw)
    if word in STOPWORDS:
        return frozenset()
    keys = {"=" + word}
    if ending := ending_key(word):
        keys.add(ending)
    if not is_cyrillic(word[:1]):
        keys.update(index_terms(word, compound))
    return frozenset(keys)


def slugify(name: str) -> str:
    return _SLUG.sub("-", name.lower()).strip("-")


class Gazetteer:
    """Companies by id, with a matcher over analysed token positions."""

    def __init__(self, companies, legal_forms=(), company_words=(), blockers=(), digest=""):
        self.companies: dict[str, Company] = {c.id: c for c in companies}
        self.digest = digest
        self._legal_forms = self._keys_of(legal_forms)
        self._cues = self._legal_forms | self._keys_of(company_words)
        self._context = {c.id: self._keys_of(c.context) for c in companies}
        self._patterns: dict[str, list[_Pattern]] = {}
        # a word's keys (one frozenset per distinct word) → the patterns it
        # may start: most words start none, and news repeats its words
        self._starting: dict[frozenset[str], tuple[_Pattern, ...]] = {}
        for company in companies:
            for alias in company.aliases:
                self._add_pattern(company.id, alias, alias in company.ambiguous)
        for phrase in blockers:
            self._add_pattern(BLOCKER, phrase, False)
        # Every key an alias, cue or context word has: other words cannot
        # take part in a mention, so detection keeps no slot for them.
        self._vocabulary = frozenset().union(
            *(
                keys
                for patterns in self._patterns.values()
                for p in patterns
                for _, keys in p.steps
            ),
            self._cues,
            *self._context.values(),
        )
        self._relevant: dict[str, frozenset[str]] = {}  # raw word → its keys in the vocabulary

    def _add_pattern(self, company_id: str, alias: str, ambiguous: bool) -> None:
        # An ambiguous alias matches its own surface form only: "Південне" is
        # the design bureau, "Південна залізниця" is not.
        steps = self._steps(alias, surface_only=ambiguous)
        if steps:
            pattern = _Pattern(company_id, alias, steps, ambiguous)
            for key in steps[0][1]:
                self._patterns.setdefault(key, []).append(pattern)

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Gazetteer:
        """Read a gazetteer TOML file (default: $DEFNEWS_COMPANIES or data/)."""
        path = Path(path or os.environ.get(PATH_ENV) or DEFAULT_PATH)
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
        companies = []
        for entry in data.get("company", []):
            aliases = tuple(
                dict.fromkeys([entry["name_en"], entry["name_uk"], *entry.get("aliases", [])])
            )
            companies.append(
                Company(
                    id=entry["id"],
                    name_en=entry["name_en"],
                    name_uk=entry["name_uk"],
                    aliases=aliases,
                    ambiguous=frozenset(entry.get("ambiguous", [])),
                    context=tuple(entry.get("context", [])),
                )
            )
        cues = data.get("cues", {})
        return cls(
            companies,
            cues.get("legal_forms", []),
            cues.get("company_words", []),
            data.get("blockers", {}).get("phrases", []),
            digest=hashlib.sha256(raw).hexdigest()[:16],
        )

    # Matching ------------------------------------------------------------

    def _positions(self, text: str, surface_only: bool = False, tokens=None, known=False):
        """Map position → [keys, start, end] for every word that is not a stopword
        (with ``known``, only for words with a key in the gazetteer's vocabulary).

        Keys are the index terms, ``=word`` for the normalised surface word
        and the ending-stripped key of an unknown Cyrillic word; all are
        cached per raw token, so a text costs one tokenizer pass (none when
        its ``tokens`` are given).
        """
        keys_of = _surface_keys if surface_only else _token_keys
        relevant = self._relevant if known else None
        positions: dict[int, list] = {}
        for word, pos, start, end, compound in raw_tokens(text) if tokens is None else tokens:
            if relevant is None:
                keys = keys_of(word, compound)
            elif compound or (keys := relevant.get(word)) is None:
                keys = keys_of(word, compound) & self._vocabulary
                if not compound:
                    if len(relevant) >= CACHE_SIZE:
                        relevant.clear()
                    relevant[word] = keys
            if not keys:
                continue  # a stopword: its position stays a gap, as in the index
            slot = positions.get(pos)
            if slot is None:
                positions[pos] = [keys, start, end]
            else:  # a hyphenated word's whole and first part share a position
                slot[0] = slot[0] | keys
                slot[2] = max(slot[2], end)
        return positions

    def _steps(self, text: str, surface_only: bool = False):
        positions = self._positions(text, surface_only)
        if not positions:
            return ()
        first = min(positions)
        return tuple((pos - first, frozenset(slot[0])) for pos, slot in sorted(positions.items()))

    def _keys_of(self, words) -> frozenset[str]:
        keys: set[str] = set()
        for word in words:
            for slot in self._positions(word).values():
                keys |= slot[0]
        return frozenset(keys)

    def mentions(self, text: str, strict_case: bool = True, tokens=None) -> list[Mention]:
        """Every company mention in ``text`` (whose :func:`raw_tokens` may be
        given), in order.

        With ``strict_case``, a capitalised alias written all in lowercase is
        not a name ("the general dynamics of the market").
        """
        positions = self._positions(text, tokens=tokens, known=True)
        found = []
        starting = self._starting
        for pos, (keys, _, _) in positions.items():
            patterns = starting.get(keys)
            if patterns is None:
                if len(starting) >= CACHE_SIZE:
                    starting.clear()
                patterns = starting[keys] = self._patterns_starting(keys)
            for pattern in patterns:
                if not _matches(pattern, pos, positions):
                    continue
                end = pos + pattern.steps[-1][0]
                surface = text[positions[pos][1] : positions[end][2]]
                if strict_case and surface.islower() and not pattern.alias.islower():
                    continue
                found.append((pos, end, pattern))
        found = _drop_overlapped(found)
        if any(pattern.ambiguous for _, _, pattern in found):
            all_keys = set().union(*(slot[0] for slot in positions.values()))
        plain = {p.company for _, _, p in found if not p.ambiguous}
        mentions = []
        for start, end, pattern in found:
            if pattern.company == BLOCKER:
                continue
            confirmed = (
                not pattern.ambiguous
                or pattern.company in plain
                or self._cue_next_to(start, end, positions, len(pattern.steps) > 1)
                or bool(self._context[pattern.company] & all_keys)
            )
            span = positions[start][1], positions[end][2]
            mentions.append(Mention(pattern.company, pattern.alias, *span, confirmed))
        return _confirm_listed(mentions, text)

    def _patterns_starting(self, keys: frozenset[str]) -> tuple[_Pattern, ...]:
        """Patterns whose first word has one of ``keys``, each once."""
        patterns = {}
        for key in keys:
            for pattern in self._patterns.get(key, ()):
                patterns[id(pattern)] = pattern
        return tuple(patterns.values())

    def _cue_next_to(self, start, end, positions, phrase: bool) -> bool:
        # A phrase alias ("Ukrainian Defense Industry") next to a company word
        # is still just a phrase ("defense industry companies"): it needs a
        # legal form (JSC, АТ).
        cues = self._legal_forms if phrase else self._cues
        for pos in (start - 1, end + 1):
            slot = positions.get(pos)
            if slot and slot[0] & cues:
                return True
        return False

    def detect(self, *texts: str) -> list[str]:
        """Ids of the companies ``texts`` mention, in order of first mention.

        An ambiguous alias in one text (the title) is confirmed by a signal in
        another (the body): the texts are one article.
        """
        joined = joined_text(*texts)
        return self.detect_in(joined, list(raw_tokens(joined)))

    def detect_in(self, joined: str, tokens) -> list[str]:
        """:meth:`detect` for texts already joined and tokenized."""
        ids: list[str] = []
        for mention in self.mentions(joined, tokens=tokens):
            if mention.confirmed and mention.company not in ids:
                ids.append(mention.company)
        return ids

    # Lookup --------------------------------------------------------------

    def resolve(self, name: str) -> str | None:
        """The id of the company ``name`` names: an id, or any alias in any form."""
        name = name.strip()
        if name in self.companies:
            return name
        if slugify(name) in self.companies:
            return slugify(name)
        # The alias must cover the whole name but its legal-form words
        # ("Boeing Co" is Boeing; "Boeing sales" is not a company name).
        words = [
            (start, end)
            for keys, start, end in self._positions(name).values()
            if not keys & self._legal_forms
        ]
        if not words:
            return None
        for mention in self.mentions(name, strict_case=False):
            if mention.start <= words[0][0] and words[-1][1] <= mention.end:
                return mention.company
        return None

    def label(self, company_id: str, lang: str = "en") -> str:
        company = self.companies.get(company_id)
        return company.label(lang) if company else company_id


def _confirm_listed(mentions: list[Mention], text: str) -> list[Mention]:
    """Confirm an ambiguous mention listed next to a confirmed one
    ("Airbus and Leonardo", "BAE Systems, Thales and Leonardo")."""
    changed = True
    while changed:
        changed = False
        for i, m in enumerate(mentions):
            if m.confirmed:
                continue
            for other in mentions:
                if not other.confirmed:
                    continue
                between = (
                    text[other.end : m.start] if other.end <= m.start else text[m.end : other.start]
                )
                if (other.end <= m.start or m.end <= other.start) and _LISTED_WITH.match(between):
                    mentions[i] = Mention(m.company, m.alias, m.start, m.end, True)
                    changed = True
                    break
    return mentions


def _matches(pattern: _Pattern, pos: int, positions) -> bool:
    for offset, keys in pattern.steps[1:]:
        slot = positions.get(pos + offset)
        if slot is None or not (slot[0] & keys):
            return False
    return True


def _drop_overlapped(found):
    """Keep the longest match where matches of different companies (or a
    blocker phrase such as "Saab 9-3") overlap."""
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept = []
    for start, end, pattern in found:
        if any(
            start <= k_end and k_start <= end and k_pattern.company != pattern.company
            for k_start, k_end, k_pattern in kept
        ):
            continue
        if any(
            k_start == start and k_pattern.company == pattern.company
            for k_start, _, k_pattern in kept
        ):
            continue  # a shorter alias of the same company at the same place
        kept.append((start, end, pattern))
    return kept


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> Gazetteer:
    return Gazetteer.load(path)


def default_gazetteer() -> Gazetteer:
    """The gazetteer at $DEFNEWS_COMPANIES or data/companies.toml, loaded once
    per process (and again when the file changes)."""
    path = os.environ.get(PATH_ENV) or str(DEFAULT_PATH)
    return _load_cached(path, os.path.getmtime(path))
