"""A gazetteer of one entity kind, and detection over analysed tokens.

Aliases and texts go through the index's own analyzer, so an alias matches
every inflection and spelling variant the index would treat as the same word:
``Rheinmetall`` / ``з Райнметаллом``, ``HIMARS`` / ``Хаймарсів``, ``Leopard
2A6`` / ``Леопард-2А6``. Ambiguous aliases need a second signal (the rule is
stated at the top of each data file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..analysis import normalized, raw_tokens
from ..morphology import CACHE_SIZE
from ..normalize import is_cyrillic
from .keys import ending_key, joined_text, slugify, surface_keys, token_keys
from .kinds import Kind
from .signals import (
    acronym_stemmed,
    case_unknown,
    counted,
    in_longer_name,
    plural,
    position_at,
    quoted,
    sentence_initial,
)

# What may stand between two names listed together: "Airbus and Leonardo",
# "BAE Systems, Thales", "«Ербасу» та «Леонардо»", "HIMARS and M270".
# Items of a list count too: "• Google, • Oracle", "- Airbus\n- Thales",
# "1. Saab 2. Kongsberg" (a list of companies is as strong a signal).
_LISTED_WITH = re.compile(
    r"^(?:\s*(?:Inc|Corp|Ltd|plc|AG|SE|SA|GmbH|LLC|Co)\b\.?)?"
    r"[\s«»\"'„“”,;•·▪‣◦●■*–—-]*(?:\d{1,2}[.)]\s*)?"
    r"(?:(?:and|or|&|і|й|та|чи|або)[\s«»\"'„“”]*)?$",
    re.I,
)
# A space next to a designation's digits may be written as a hyphen, which
# makes one term ("Leopard 2A6" / "Leopard-2A6" → leopard2a6), and back.
_SPACE_BY_DIGITS = re.compile(r"(?<=\w) (?=\d)|(?<=\d) (?=\w)")
# Punctuation no name spans: an alias's words on both sides are not one name.
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]!?]|\.\s")
_HYPHEN_BY_DIGITS = re.compile(r"(?<=\w)-(?=\d)|(?<=\d)-(?=\w)")

# The pseudo-entity of blocker phrases: matches that tag nothing but keep
# overlapping aliases from matching ("Oracle of Delphi", "Saab 9-3").
BLOCKER = ""


@dataclass(frozen=True)
class Entity:
    id: str
    name_en: str
    name_uk: str
    aliases: tuple[str, ...]
    ambiguous: frozenset[str]
    context: tuple[str, ...]
    category: str = ""  # a system's class id
    family: str = ""  # the system a variant rolls up to ("leopard-2")
    makers: tuple[str, ...] = ()  # company ids
    any_case: bool = False  # a brand that is never a word: "google" is Google

    def label(self, lang: str = "en") -> str:
        return self.name_uk if lang == "uk" else self.name_en


@dataclass(frozen=True)
class Mention:
    entity: str
    alias: str
    start: int  # character offsets in the text
    end: int
    confirmed: bool  # False: an ambiguous alias without a second signal

    @property
    def company(self) -> str:  # the name company detection has always used
        return self.entity


@dataclass(frozen=True)
class _Pattern:
    entity: str
    alias: str
    steps: tuple[tuple[int, frozenset[str]], ...]  # (relative position, keys)
    ambiguous: bool
    any_case: bool = False  # matches written all in lowercase too

    @property
    def clause_break(self):
        """Punctuation the alias itself holds ("Завод імені В. О. Малишева")."""
        return _CLAUSE_BREAK.search(self.alias)


class Gazetteer:
    """Entities of one kind by id, with a matcher over analysed token positions."""

    def __init__(
        self, kind: Kind, entities, adjacent_cues=(), strong_cues=(), blockers=(),
        classes=None, digest="", topic_cues=(),
    ):  # fmt: skip
        self.kind = kind
        self.entities: dict[str, Entity] = {e.id: e for e in entities}
        self.classes: dict[str, dict[str, str]] = dict(classes or {})  # id → {en, uk}
        self.digest = digest
        self._strong_cues = self._keys_of(strong_cues)
        self._cues = self._strong_cues | self._cue_keys(adjacent_cues)
        # what a passage is about: its topic words, each by its lemma or stem
        # (a word's surface key would count it twice)
        self._topic = frozenset(k for k in self._cue_keys(topic_cues) if not k.startswith("="))
        # A context word confirms only by what is not itself an ambiguous
        # name: "I-Hawk" must not confirm every "Hawk", nor "Challenger"
        # (the shuttle, the tennis tour) a "Warrior".
        doubtful = self._keys_of(a for e in entities for a in e.ambiguous)
        self._context = {e.id: self._keys_of(e.context) - doubtful for e in entities}
        # the first words of each entity's longer aliases: a bare "Leopards"
        # beside a named Leopard 1A5 is that tank, not the Leopard 2
        self._lead_words = {
            e.id: frozenset(a.split()[0].casefold() for a in e.aliases if " " in a)
            for e in entities
        }
        self._patterns: dict[str, list[_Pattern]] = {}
        # a word's keys (one frozenset per distinct word) → the patterns it
        # may start: most words start none, and news repeats its words
        self._starting: dict[frozenset[str], tuple[_Pattern, ...]] = {}
        for entity in entities:
            for alias in entity.aliases:
                ambiguous = alias in entity.ambiguous
                self._add_pattern(entity.id, alias, ambiguous, entity.any_case and not ambiguous)
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
            self._topic,
            *self._context.values(),
        )
        self._relevant: dict[str, frozenset[str]] = {}  # raw word → its keys in the vocabulary

    def _add_pattern(
        self, entity_id: str, alias: str, ambiguous: bool, any_case: bool = False
    ) -> None:
        surface_only = ambiguous and self.kind.ambiguous_by_surface
        steps = self._steps(alias, surface_only)
        if not steps:
            return
        variants = {steps}
        for other in {_SPACE_BY_DIGITS.sub("-", alias), _HYPHEN_BY_DIGITS.sub(" ", alias)} - {
            alias
        }:
            # a variant must keep every word ("Су 34" must not shrink to "34")
            if len(variant := self._steps(other, surface_only)) == len(other.split()):
                variants.add(variant)
        for steps in variants:
            pattern = _Pattern(entity_id, alias, steps, ambiguous, any_case)
            for key in steps[0][1]:
                self._patterns.setdefault(key, []).append(pattern)

    # Matching ------------------------------------------------------------

    def _positions(self, text: str, surface_only: bool = False, tokens=None, known=False):
        """Map position → [keys, start, end] for every word that is not a stopword
        (with ``known``, only for words with a key in the gazetteer's vocabulary).

        All keys are cached per raw token, so a text costs one tokenizer pass
        (none when its ``tokens`` are given).
        """
        keys_of = surface_keys if surface_only else token_keys
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
            if keys:  # else a stopword: its position stays a gap, as in the index
                add_slot(positions, pos, keys, start, end)
        return positions

    def _steps(self, text: str, surface_only: bool = False):
        positions = self._positions(text, surface_only)
        if not positions:
            return ()
        for slot in positions.values():
            # an alias the dictionary knows ("Іскандер") still meets its case
            # forms it does not ("Іскандери" → ~іскандер)
            word = normalized(text[slot[1] : slot[2]])
            if stem := ending_key(word, known_too=True):
                slot[0] = slot[0] | {stem}
        tokens = list(raw_tokens(text))
        spoken = {pos for _, pos, _, _, compound in tokens if not compound}
        if len(positions) < len(spoken) and any(t[4] for t in tokens):
            # a part of a hyphenated alias is a stopword ("Точка-У", "Дозор-Б"):
            # without it the alias would shrink to its first word; match the
            # hyphenated whole only
            positions = self._whole_positions(tokens, surface_only)
        first = min(positions)
        return tuple((pos - first, frozenset(slot[0])) for pos, slot in sorted(positions.items()))

    @staticmethod
    def _whole_positions(tokens, surface_only: bool):
        keys_of = surface_keys if surface_only else token_keys
        wholes = [(start, end) for _, _, start, end, compound in tokens if compound]
        positions: dict[int, list] = {}
        for word, pos, start, end, compound in tokens:
            if not compound and any(a <= start and end <= b for a, b in wholes):
                continue  # a part of a hyphenated whole
            if keys := keys_of(word, compound):
                add_slot(positions, pos, keys, start, end)
        return positions

    def _cue_keys(self, words) -> frozenset[str]:
        """Keys of cue words; a hyphenated one counts whole: "anti-aircraft",
        not every "air"."""
        hyphenated = frozenset().union(*(token_keys(w, True) for w in words if "-" in w))
        return self._keys_of(w for w in words if "-" not in w) | hyphenated

    def _keys_of(self, words) -> frozenset[str]:
        keys: set[str] = set()
        for word in words:
            for slot in self._positions(word).values():
                keys |= slot[0]
        return frozenset(keys)

    def _group(self, entity_id: str) -> str:
        """A variant and its family confirm each other."""
        entity = self.entities.get(entity_id)
        return entity.family or entity_id if entity else entity_id

    def vocabulary_keys(self, raw: str, compound: bool) -> frozenset[str]:
        """The keys of a word that take part in this gazetteer's mentions."""
        return token_keys(raw, compound) & self._vocabulary

    def mentions(
        self, text: str, strict_case: bool = True, tokens=None, positions=None
    ) -> list[Mention]:
        """Every mention in ``text`` (whose :func:`raw_tokens`, or positions
        made by an :class:`~indexer.article_analysis.ArticleAnalyzer`, may be given), in order.

        With ``strict_case``, a capitalised alias written all in lowercase is
        not a name ("the general dynamics of the market", "a patriot").
        """
        if positions is None:
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
                if (
                    strict_case
                    and surface.islower()
                    and not pattern.alias.islower()
                    and not pattern.any_case
                ):
                    continue
                if len(surface) <= 3 and surface.isupper() and not pattern.alias.isupper():
                    continue  # an acronym is not a name written in lowercase ("ОС" ≠ Оса)
                if end > pos and pattern.clause_break is None and _CLAUSE_BREAK.search(surface):
                    continue  # words of two clauses: "Sale Sharks), M Cueto"
                if (
                    pattern.ambiguous
                    and not pattern.alias.isupper()
                    and case_unknown(text, positions[pos][1], surface)
                ):
                    continue  # all capitals: a name cannot be told from a word
                if acronym_stemmed(pattern.alias, surface):
                    continue  # "HARMFUL" is not HARM, "TOWED" not TOW
                found.append((pos, end, pattern))
        found = _drop_overlapped(found)
        if any(pattern.ambiguous for _, _, pattern in found):
            all_keys = set().union(*(slot[0] for slot in positions.values()))
        plain = {self._group(p.entity) for _, _, p in found if not p.ambiguous}
        mentions = []
        for start, end, pattern in found:
            if pattern.entity == BLOCKER:
                continue
            confirmed = (
                not pattern.ambiguous
                or self._group(pattern.entity) in plain
                or self._cue_next_to(
                    start,
                    end,
                    positions,
                    self.kind.phrase_needs_strong_cue and len(pattern.steps) > 1,
                )  # fmt: skip
                or bool(self._context[pattern.entity] & all_keys)
                or (self.kind.counted_confirms and counted(text, positions[start][1]))
            )
            span = positions[start][1], positions[end][2]
            mentions.append(Mention(pattern.entity, pattern.alias, *span, confirmed))
        mentions = _confirm_listed(
            mentions, text, self._alike if self.kind.listed_alike_confirm else None
        )
        if self.kind.quoted_confirmed_by_others and not all(m.confirmed for m in mentions):
            mentions = self._confirm_by_article(mentions, text, positions)
        return mentions

    def _confirm_by_article(self, mentions: list[Mention], text: str, positions):
        """Confirm what the rest of the article vouches for: a quoted name
        beside another confirmed entity («Гепардів» beside «Шахедів»), and a
        bare name by the kind's topic rules (:class:`~.kinds.Kind`)."""
        kind = self.kind
        confirmed = [m for m in mentions if m.confirmed]
        # a name the article writes as part of a longer one anywhere ("Omar
        # Bradley ... Bradley said") is that name everywhere
        in_names = {m.alias for m in mentions if in_longer_name(text, m.start, m.end)}
        by_start = sorted((slot[1], pos) for pos, slot in positions.items())
        # the topic words' positions, found once; each name's score once
        topical = [(pos, min(found)) for pos, (keys, _, _) in positions.items()
                   if (found := keys & self._topic)]  # fmt: skip
        scores: dict[int, int] = {}

        def vouched(m: Mention) -> bool:
            others = {c.entity for c in confirmed} - {m.entity}
            if quoted(text, m.start, m.end):
                return bool(others)
            if m.alias in in_names or self._names_sibling(m, confirmed):
                return False
            if kind.bare_confirmed_by_others and len(others) >= kind.bare_confirmed_by_others:
                return True
            if not kind.topic_cues:
                return False
            initial = sentence_initial(text, m.start)
            if initial and is_cyrillic(text[m.start]):
                return False  # Ukrainian capitalises only names, and every sentence
            if m.start not in scores:
                scores[m.start] = self._topic_score(topical, position_at(by_start, m.start))
            score = scores[m.start]
            return bool(
                (kind.topic_with_other and others and score >= kind.topic_with_other)
                or (
                    kind.topic_plural
                    and score >= kind.topic_plural
                    and plural(text[m.start : m.end], m.alias)
                )
                or (kind.topic_alone and not initial and score >= kind.topic_alone)
            )

        while True:  # a name confirmed here may vouch for the next
            new = [m for m in mentions if not m.confirmed and vouched(m)]
            if not new:
                return mentions
            new_ids = {id(m) for m in new}
            mentions = [
                Mention(m.entity, m.alias, m.start, m.end, True) if id(m) in new_ids else m
                for m in mentions
            ]
            confirmed = [m for m in mentions if m.confirmed]

    def _topic_score(self, topical: list[tuple[int, str]], at: int) -> int:
        """How many distinct topic words (``topical``: position, word key)
        stand within the kind's topic window of position ``at``: a paragraph
        about fighting, not a long text that mentions soldiers somewhere."""
        window = self.kind.topic_window
        return len({key for pos, key in topical if abs(pos - at) <= window})

    def _names_sibling(self, m: Mention, confirmed: list[Mention]) -> bool:
        """Whether a confirmed entity of another family has a longer alias
        starting with this bare name ("Leopard 1A5 ... the Leopards")."""
        word = m.alias.casefold()
        group = self._group(m.entity)
        return any(
            word in self._lead_words.get(c.entity, ()) and self._group(c.entity) != group
            for c in confirmed
        )

    def _alike(self, a: Mention, b: Mention) -> bool:
        """Two mentions of different entities of one class."""
        first, second = self.entities.get(a.entity), self.entities.get(b.entity)
        return bool(
            first
            and second
            and a.entity != b.entity
            and first.category
            and first.category == second.category
        )

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
        # strong cue (a legal form: JSC, АТ).
        cues = self._strong_cues if phrase else self._cues
        before, after = self.kind.cue_window
        window = (*range(start - before, start), *range(end + 1, end + after + 1))
        for pos in window:
            slot = positions.get(pos)
            if slot and slot[0] & cues:
                return True
        return False

    def detect(self, *texts: str) -> list[str]:
        """Ids of the entities ``texts`` mention, in order of first mention.

        An ambiguous alias in one text (the title) is confirmed by a signal in
        another (the body): the texts are one article.
        """
        joined = joined_text(*texts)
        return self.detect_in(joined, list(raw_tokens(joined)))

    def detect_in(self, joined: str, tokens, positions=None) -> list[str]:
        """:meth:`detect` for texts already joined and tokenized; a variant
        named brings its family ("Leopard 2A6" tags leopard-2a6 and leopard-2)."""
        ids: list[str] = []
        for mention in self.mentions(joined, tokens=tokens, positions=positions):
            if mention.confirmed and mention.entity not in ids:
                ids.append(mention.entity)
                family = self.entities[mention.entity].family
                if family and family not in ids:
                    ids.append(family)
        return ids

    # Lookup --------------------------------------------------------------

    def resolve(self, name: str) -> str | None:
        """The id of the entity ``name`` names: an id, or any alias in any form."""
        name = name.strip()
        if name in self.entities:
            return name
        if slugify(name) in self.entities:
            return slugify(name)
        # The alias must cover the whole name but its legal-form words
        # ("Boeing Co" is Boeing; "Boeing sales" is not a company name).
        words = [
            (start, end)
            for keys, start, end in self._positions(name).values()
            if not keys & self._strong_cues
        ]
        if not words:
            return None
        for mention in self.mentions(name, strict_case=False):
            if mention.start <= words[0][0] and words[-1][1] <= mention.end:
                return mention.entity
        return None

    def resolve_class(self, name: str) -> str | None:
        """The class id ``name`` names: an id or its English or Ukrainian name."""
        wanted = " ".join(name.casefold().replace("-", " ").split())
        for class_id, names in self.classes.items():
            spellings = (class_id, names.get("en", ""), names.get("uk", ""))
            if wanted in {" ".join(s.casefold().replace("-", " ").split()) for s in spellings}:
                return class_id
        return None

    def label(self, entity_id: str, lang: str = "en") -> str:
        entity = self.entities.get(entity_id)
        return entity.label(lang) if entity else entity_id

    def class_label(self, class_id: str, lang: str = "en") -> str:
        return self.classes.get(class_id, {}).get(lang, class_id)

    @property
    def companies(self) -> dict[str, Entity]:  # the company gazetteer's old name
        return self.entities


def add_slot(positions: dict[int, list], pos: int, keys, start: int, end: int) -> None:
    """Record a word's keys and span at its position."""
    slot = positions.get(pos)
    if slot is None:
        positions[pos] = [keys, start, end]
    else:  # a hyphenated word's whole and first part share a position
        slot[0] = slot[0] | keys
        slot[2] = max(slot[2], end)


def _confirm_listed(mentions: list[Mention], text: str, alike=None) -> list[Mention]:
    """Confirm an ambiguous mention listed next to a confirmed one
    ("Airbus and Leonardo", "BAE Systems, Thales and Leonardo"), or, with
    ``alike``, next to an unconfirmed one that ``alike`` accepts."""
    changed = True
    while changed:
        changed = False
        for i, m in enumerate(mentions):
            if m.confirmed:
                continue
            for j, other in enumerate(mentions):
                if not other.confirmed and not (alike and alike(m, other)):
                    continue
                between = (
                    text[other.end : m.start] if other.end <= m.start else text[m.end : other.start]
                )
                if (other.end <= m.start or m.end <= other.start) and _LISTED_WITH.match(between):
                    mentions[i] = Mention(m.entity, m.alias, m.start, m.end, True)
                    if not other.confirmed:
                        mentions[j] = Mention(
                            other.entity, other.alias, other.start, other.end, True
                        )
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
    """Keep the longest match where matches of different entities (or a
    blocker phrase such as "Saab 9-3") overlap."""
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept = []
    for start, end, pattern in found:
        if any(
            start <= k_end and k_start <= end and k_pattern.entity != pattern.entity
            for k_start, k_end, k_pattern in kept
        ):
            continue
        if any(
            k_start == start and k_pattern.entity == pattern.entity
            for k_start, _, k_pattern in kept
        ):
            continue  # a shorter alias of the same entity at the same place
        kept.append((start, end, pattern))
    return kept
