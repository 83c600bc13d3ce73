"""Parse the query language into Whoosh queries over analysed terms.

Words are ANDed; ``"exact phrase"``, ``OR``, ``NOT`` / ``-word``, ``title:word``,
``word*`` and parentheses work as users expect from web search. The parser is
lenient: an unbalanced quote runs to the end, a missing parenthesis is closed,
a stray operator is ignored. Every word goes through the index's own
analyzer, so ``ракета`` finds ``ракетами``; several lemmas at one position
become alternatives (``танків`` → танк | танок), and phrases are sequences of
such alternatives, not flat word lists (which would never match).

Each word or phrase the glossary, the romanization of names or a gazetteer
(companies, weapon systems) recognises (indexer/expansion.py) also searches its equivalents in
the other language, OR-ed with what was typed and scored EXPANSION_WEIGHT as
much, in the same place of the query: ``air defense contract`` is
(air defense OR 0.5·(ППО OR протиповітряна оборона)) AND (contract OR
0.5·контракт); a phrase keeps its other words; NOT excludes the
equivalents too; filters are left as they are.

Stopwords are left out of a query's terms, as of the index's. A query made
whose only words to find are stopwords (``the who``, ``якщо``, ``the -said``)
is still a search: those are matched as written against the stopwords each
article holds (one presence field, no positions, so a phrase of them is its
words anywhere), with the same AND/OR/NOT.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from whoosh import query as wq

from .analysis import STOPWORD_MARK, STOPWORDS, normalized, raw_tokens
from .entities import SYSTEMS, default_gazetteer
from .errors import QueryError
from .expansion import Equivalent, Names, default_lookup, entity_equivalents, unsubsumed
from .ingest.article import LANGUAGES, valid_unicode
from .ingest.dates import date_bounds
from .morphology import STEM_MARK
from .normalize import normalize_word
from .schema import SPELLING_FIELD, STOPWORDS_FIELD, TEXT_FIELDS

# Fields that filter rather than match words: company:rheinmetall,
# system:himars, class:"air defense", published:2024,
# published:[2024-01 TO 2024-06], lang:uk, source:"…".
FILTER_FIELDS = ("company", "system", "class", "published", "lang", "source")

# Longest query text accepted (characters); longer is a user error, not a search.
MAX_QUERY_CHARS = 1000
# Most words a prefix (``ракет*``) expands to.
MAX_PREFIX_WORDS = 256
# A query of plain words that finds too little in full is run again asking
# for this share of its words (at least one), ranked by BM25 so articles
# holding more of them come first: long pasted questions rarely have every
# word in one article. 0.5 measured worse than 0 on both bench/time_eval.py
# (MAP@100 0.523 vs 0.611) and make eval (nDCG@10 0.654 vs 0.689).
RELAXED_SHARE = 0.0
# An equivalent in the other language scores this share of what was typed,
# so an article in the query's own words ranks first.
EXPANSION_WEIGHT = 0.5
# Most spellings of one phrase with its words' equivalents swapped in.
MAX_PHRASE_VARIANTS = 16

_LEXEME = re.compile(
    r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<open>\()|(?P<close>\))'
    r"|(?P<range>[A-Za-z]+:\[[^\]]*\]?)"
    # "155 мм" is one word, as the tokenizer reads it
    r"|(?P<word>\d+(?:[.,]\d+)?[ \u00a0](?:мм|mm)(?![^\W_])|[^\s\"()]+))"
)
# What a lenient reading may mend, as told to the user.
REPAIRS = {
    "quote_closed": "a quote was not closed: the phrase runs to the end",
    "close_added": 'a missing ")" was added',
    "stray_close": 'a ")" without its "(" was left out',
    "lone_operator": "an OR, AND or NOT with nothing to join was left out",
    "empty_field": "a field name with nothing after it was left out",
}
_FIELD = re.compile(r"^(?P<field>[A-Za-z]+):(?P<rest>.*)$")
_OPERATORS = {"OR": "or", "AND": "and", "NOT": "not", "||": "or", "&&": "and"}


# The syntax tree --------------------------------------------------------------


@dataclass
class Words:
    text: str
    field: str | None = None
    prefix: bool = False


@dataclass
class Phrase:
    text: str
    field: str | None = None


@dataclass
class FieldFilter:
    field: str
    value: str


@dataclass
class DateSpan:
    start: str | None
    end: str | None


@dataclass
class Not:
    child: object


@dataclass
class Group:
    op: str  # "and" | "or"
    children: list = field(default_factory=list)


def parse(text: str):
    """Parse query text into a syntax tree (None when it holds nothing)."""
    return parse_leniently(text)[0]


def parse_leniently(text: str):
    """(syntax tree, what was repaired to read it): a malformed query is
    searched as the parser read it, and the user is told how."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    text = valid_unicode(text)
    parser = _Parser(_lex(text))
    tree = parser.parse()
    if text.count('"') % 2:
        parser.repairs.insert(0, "quote_closed")
    return tree, tuple(dict.fromkeys(parser.repairs))


def query_text(node) -> str:
    """A syntax tree written back as a query: what a lenient reading searched."""
    if isinstance(node, Words):
        return f"{node.field + ':' if node.field else ''}{node.text}{'*' if node.prefix else ''}"
    if isinstance(node, Phrase):
        return f'{node.field + ":" if node.field else ""}"{node.text.strip()}"'
    if isinstance(node, FieldFilter):
        value = f'"{node.value}"' if " " in node.value else node.value
        return f"{node.field}:{value}"
    if isinstance(node, DateSpan):
        return f"published:[{node.start or '*'} TO {node.end or '*'}]"
    if isinstance(node, Not):
        return f"NOT {query_text(node.child)}"
    parts = [query_text(c) for c in node.children]
    if node.op == "or":
        return " OR ".join(parts)
    return " ".join(
        f"({t})" if isinstance(c, Group) else t for c, t in zip(node.children, parts, strict=True)
    )


def _lex(text: str) -> list[tuple[str, str]]:
    tokens = []
    for m in _LEXEME.finditer(text):
        kind = m.lastgroup
        if kind is None:
            continue
        value = m.group(kind)
        if kind == "phrase":
            tokens.append(("phrase", value.strip('"')))
        elif kind == "range":
            tokens.extend(_lex_range(value))
        elif kind == "word":
            tokens.extend(_lex_word(value))
        else:
            tokens.append((kind, value))
    return tokens


def _lex_word(value: str) -> list[tuple[str, str]]:
    if value in _OPERATORS:
        return [(_OPERATORS[value], value)]
    tokens = []
    if value[0] == "-" and len(value) > 1:
        tokens.append(("not", "-"))
        value = value[1:]
    elif value[0] == "+" and len(value) > 1:
        value = value[1:]
    m = _FIELD.match(value)
    name = m.group("field").lower() if m else None
    if name in TEXT_FIELDS or name in FILTER_FIELDS:
        tokens.append(("field", name))
        value = m.group("rest")
        if not value:
            return tokens  # "title:" applies to the phrase or group after it
    tokens.append(("word", value))
    return tokens


def _lex_range(value: str) -> list[tuple[str, str]]:
    """``published:[2024-01 TO 2024-06]``; either end may be ``*`` or empty."""
    name, _, inner = value.partition(":")
    if name.lower() != "published":
        return [("word", w) for w in re.findall(r"[^\s\[\]]+", value)]
    lo, _, hi = inner.strip("[]").partition(" TO ")
    return [("range", (lo.strip(" *") or None, hi.strip(" *") or None))]


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0
        self.repairs: list[str] = []  # what was mended to read the query (REPAIRS)

    def peek(self):
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self):
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self):
        node = None
        while self.peek() is not None:
            part = self.parse_or()
            if part is not None:
                node = part if node is None else Group("and", [node, part])
            if self.peek() == "close":
                self.take()  # a stray ")" at top level
                self.repairs.append("stray_close")
        return node

    def parse_or(self):
        alternatives = []
        while True:
            node = self.parse_and()
            if node is not None:
                alternatives.append(node)
            elif alternatives or self.i:
                self.repairs.append("lone_operator")  # "a OR", "OR a"
            if self.peek() != "or":
                break
            self.take()
        if not alternatives:
            return None
        return alternatives[0] if len(alternatives) == 1 else Group("or", alternatives)

    def parse_and(self):
        items = []
        while self.peek() not in (None, "or", "close"):
            if self.peek() == "and":
                self.take()
                if not items or self.peek() in (None, "or", "close"):
                    self.repairs.append("lone_operator")  # "AND a", "a AND"
                continue
            node = self.parse_unary()
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else Group("and", items)

    def parse_unary(self):
        if self.peek() == "not":
            self.take()
            if self.peek() in (None, "or", "close"):
                self.repairs.append("lone_operator")
                return None  # a lone NOT
            child = self.parse_unary()
            return Not(child) if child is not None else None
        return self.parse_primary(None)

    def parse_primary(self, field_name):
        kind, value = self.take()
        if kind == "range":
            return DateSpan(*value)
        if field_name in FILTER_FIELDS:
            return FieldFilter(field_name, value.strip()) if kind in ("word", "phrase") else None
        if kind == "field":
            if self.peek() in ("phrase", "word", "open") and not (
                value in FILTER_FIELDS and self.peek() == "open"
            ):
                return self.parse_primary(value)
            self.repairs.append("empty_field")  # "title:" with nothing after it
            return None
        if kind == "open":
            node = self.parse_or()
            if self.peek() == "close":
                self.take()
            else:
                self.repairs.append("close_added")
            return _with_field(node, field_name) if field_name else node
        if kind == "phrase":
            return Phrase(value, field_name) if value.strip() else None
        if kind == "word":
            if value.endswith("*") and len(value.rstrip("*")) > 0:
                return Words(value.rstrip("*"), field_name, prefix=True)
            value = value.strip("*")
            return Words(value, field_name) if value else None
        return None  # "and"/"not" handled by callers; anything else is noise


def _with_field(node, field_name):
    if isinstance(node, (Words, Phrase)):
        node.field = node.field or field_name
    elif isinstance(node, Not):
        _with_field(node.child, field_name)
    elif isinstance(node, Group):
        for child in node.children:
            _with_field(child, field_name)
    return node


# Building Whoosh queries -----------------------------------------------------


@dataclass(frozen=True)
class Expansion:
    """What one typed word or phrase also searched: shown to the user."""

    typed: str
    added: tuple[str, ...]
    negated: bool = False  # under NOT: the equivalents were excluded too


@dataclass
class CompiledQuery:
    """A Whoosh query plus the analysed terms a snippet should mark."""

    query: wq.Query
    highlight_terms: frozenset[str]
    words: tuple[str, ...] = ()  # plain query words, for "did you mean"
    relaxed: wq.Query | None = None  # for when requiring every word finds too little
    # the relaxed query's optional parts (a word with its equivalents, each):
    # a relaxed ranking puts articles holding the rarer ones first
    relaxed_parts: tuple[wq.Query, ...] = ()
    stopwords_only: bool = False  # matched as written: scores tie more often
    expansions: tuple[Expansion, ...] = ()  # equivalents in the other language
    translate: bool = False  # whether equivalents were looked for
    read_as: str | None = None  # the query as searched, when reading it needed repairs
    repairs: tuple[str, ...] = ()  # which (keys of REPAIRS)


def compile_query(
    text: str, schema, reader=None, gazetteer=None, translate: bool = False, systems=None
) -> CompiledQuery:
    """Parse ``text`` and build the Whoosh query; raise QueryError if empty.

    ``reader`` (an index reader) lets ``word*`` expand over indexed words and
    ``source:`` match case-insensitively; ``gazetteer`` resolves ``company:``,
    ``systems`` (default: data/systems.toml) ``system:`` and ``class:``.
    ``translate`` adds each recognised word's equivalents in the other language.
    """
    tree, repairs = parse_leniently(text)
    builder = _Builder(schema, reader, gazetteer, translate=translate, systems=systems)
    q = builder.build(tree) if tree is not None else None
    stopwords_only = False
    if tree is not None and not builder.highlight:  # no word to find, unless stopwords
        with_stopwords = _Builder(
            schema, reader, gazetteer, stopwords=True, translate=translate, systems=systems
        )
        q_with = with_stopwords.build(tree)
        if with_stopwords.highlight:
            q, builder, stopwords_only = q_with, with_stopwords, True
    if q is None:
        raise QueryError("the query has no words to search for (only operators or punctuation)")
    if isinstance(q, wq.Not):
        q = wq.And([wq.Every(), q])
    return CompiledQuery(
        q,
        frozenset(builder.highlight),
        tuple(builder.words),
        *_relaxed(tree, builder.built, builder.parts, builder.optional),
        stopwords_only,
        tuple(builder.expansions),
        translate,
        query_text(tree) if repairs else None,
        repairs,
    )


def _relaxed(tree, built: dict, parts: dict, extra: list) -> tuple[wq.Query | None, tuple]:
    """The query with its plain words optional: documents holding at least
    RELAXED_SHARE of them (one at least), and those optional parts. Phrases,
    filters and NOT stay required. None when the query is not an AND of two
    or more plain words."""
    if not (isinstance(tree, Group) and tree.op == "and"):
        return None, ()
    optional, required = [], []
    for child in tree.children:
        q = built.get(id(child))
        if q is not None:
            plain = isinstance(child, Words) and not child.field
            if plain and id(child) in parts:
                optional += parts[id(child)]
            else:
                (optional if plain else required).append(q)
    if len(optional) < 2:
        return None, ()
    words = tuple(optional)
    optional += extra  # equivalents of phrases typed as words
    some = wq.Or(optional, minmatch=max(1, math.ceil(len(optional) * RELAXED_SHARE)))
    return (wq.And([*required, some]) if required else some), words


class _Builder:
    def __init__(self, schema, reader, gazetteer, stopwords=False, translate=False, systems=None):
        self.analyzer = schema[TEXT_FIELDS[-1]].analyzer
        self.reader = reader
        self.gazetteer = gazetteer
        self._systems = systems
        self.stopwords = stopwords  # match words that are stopwords, as written
        self.glossary = default_lookup() if translate else None
        self.names = Names.of_reader(reader) if translate else None
        self.expansions: list[Expansion] = []
        self.optional: list[wq.Query] = []  # equivalents the relaxed query adds
        self.in_run: set[int] = set()  # words being built as part of a run
        self.analysed: dict[str, list] = {}
        self.highlight: set[str] = set()
        self.words: list[str] = []
        self.negated = 0
        self.built: dict[int, wq.Query | None] = {}  # id(node) → its query
        self.parts: dict[int, list[wq.Query]] = {}  # id(node) → its parts' queries

    def build(self, node):
        q = self.built[id(node)] = self._build(node)
        return q

    def _build(self, node):
        if isinstance(node, Group):
            if self.glossary is not None and node.op == "and":
                children = self.and_children(node.children)
            else:
                children = [q for q in map(self.build, node.children) if q is not None]
            if not children:
                return None
            if len(children) == 1:
                return children[0]
            if node.op == "or":
                return wq.Or(children)
            positives = [c for c in children if not isinstance(c, wq.Not)]
            if not positives:
                return wq.And([wq.Every(), *children])
            return wq.And(children)
        if isinstance(node, Not):
            self.negated += 1
            child = self.build(node.child)
            self.negated -= 1
            return wq.Not(child) if child is not None else None
        if isinstance(node, FieldFilter):
            return self.field_filter(node.field, node.value)
        if isinstance(node, DateSpan):
            return date_query(node.start, node.end)
        fields = (node.field,) if node.field else TEXT_FIELDS
        if isinstance(node, Words) and node.prefix:
            terms = self.prefix_terms(node.text)
            if not terms:
                return None
            per_field = [wq.Or([wq.Term(f, t) for t in sorted(terms)]) for f in fields]
            for f in fields:
                per_field.append(wq.Prefix(f, normalize_word(node.text)))
            self.note(terms)
            return wq.Or(per_field)
        if isinstance(node, Words) and self.glossary is not None and id(node) not in self.in_run:
            return _either(self.and_children([node]) or [None])
        positions = self.analyse(node.text)
        if not positions:
            return self.stopword_query(node.text) if self.stopwords else None
        if isinstance(node, Phrase) and self.glossary is not None:
            return self.phrase_with_equivalents(node, positions, fields)
        if isinstance(node, Words) and not self.negated:
            self.words.append(node.text)
            if len(positions) > 1:  # a hyphenated word: its parts, each optional
                self.parts[id(node)] = [
                    _either([_sequence(f, [position]) for f in fields]) for position in positions
                ]
        self.note(t for _, alts in positions for t in alts)
        return _either([_sequence(f, positions) for f in fields])

    # Equivalents in the other language ----------------------------------------

    def and_children(self, children) -> list[wq.Query]:
        """The queries of an AND's children, each run of plain words with the
        equivalents of the words and phrases it holds (``air defense`` typed
        as two words is one concept)."""
        out, run = [], []
        for child in [*children, None]:
            plain = isinstance(child, Words) and not child.prefix
            if plain and (not run or run[0].field == child.field):
                run.append(child)
                continue
            if run:
                out += self.run_queries(run)
                run = []
            if plain:
                run.append(child)
            elif child is not None:
                out.append(self.build(child))
        return [q for q in out if q is not None]

    def run_queries(self, run: list[Words]) -> list[wq.Query | None]:
        self.in_run.update(map(id, run))
        own = [self.build(w) for w in run]
        fields = (run[0].field,) if run[0].field else TEXT_FIELDS
        steps, starts, ends, child_of = [], set(), set(), []
        for i, w in enumerate(run):
            starts.add(len(steps))
            for _, alts in self.analyse(w.text):
                steps.append(frozenset(alts))
                child_of.append(i)
            ends.add(len(steps))
        spans: dict[tuple[int, int], list[Equivalent]] = {}
        for start, end, hits in self.glossary.matches(tuple(steps), starts, ends):
            eqs = self.glossary.equivalents(hits, tuple(steps[start:end]))
            if eqs:
                spans[child_of[start], child_of[end - 1] + 1] = eqs
        if not run[0].field:
            self.add_entities(run, spans)
        for i, w in enumerate(run):  # a name the glossary does not know
            if own[i] is not None and not any(a <= i < b for a, b in spans):
                positions = self.analyse(w.text)
                if len(positions) == 1 and _lemma_count(positions[0][1]) <= 2:
                    eqs = self.names.of(normalize_word(w.text))
                    if eqs:
                        spans[i, i + 1] = eqs
        out: list[wq.Query | None] = list(own)
        for (a, b), eqs in sorted(spans.items()):
            typed = [q for q in own[a:b] if q is not None]
            if not typed:
                continue
            eqs = unsubsumed(eqs)  # in an OR: a phrase holding a word adds nothing
            also = self.equivalents_query(eqs, fields)
            self.record(" ".join(w.text for w in run[a:b]), eqs)
            out[a] = wq.Or([_either(typed) if len(typed) == 1 else wq.And(typed), also])
            out[a + 1 : b] = [None] * (b - a - 1)
            if b - a == 1 and id(run[a]) not in self.parts:
                self.built[id(run[a])] = out[a]
            else:
                self.optional.append(also)
        return out

    def add_entities(self, run, spans) -> None:
        """Companies and systems named by the run's words: the articles tagged
        with them."""
        text, bounds = "", []
        for w in run:
            bounds.append((len(text), len(text) + len(w.text)))
            text += w.text + " "
        for start, end, eq in entity_equivalents((self.gazetteer, self.systems), text):
            covered = [i for i, (a, b) in enumerate(bounds) if start <= a and b <= end]
            if not covered:
                continue
            span = (covered[0], covered[-1] + 1)
            if any(
                a < span[1] and span[0] < b and (a, b) != span and b - a > span[1] - span[0]
                for a, b in spans
            ):
                continue  # inside a longer glossary phrase
            for other in [s for s in spans if s[0] < span[1] and span[0] < s[1] and s != span]:
                del spans[other]
            spans.setdefault(span, []).append(eq)

    def phrase_with_equivalents(self, node, positions, fields):
        """A phrase, OR the same phrase with each recognised part swapped for
        its equivalents (at most MAX_PHRASE_VARIANTS spellings)."""
        typed = _either([_sequence(f, positions) for f in fields])
        self.note(t for _, alts in positions for t in alts)
        steps = tuple(frozenset(alts) for _, alts in positions)
        at = [pos for pos, _ in positions]
        every = set(range(len(steps) + 1))
        choices = []  # per matched span: (start, end, equivalents)
        for start, end, hits in self.glossary.matches(steps, every, every):
            eqs = self.glossary.equivalents(hits, steps[start:end])
            if eqs:
                choices.append((start, end, eqs))
                self.record(node.text, eqs)
        if len(steps) == 1 and not choices:
            eqs = self.names.of(normalize_word(node.text)) if _lemma_count(steps[0]) == 1 else []
            if eqs:
                choices.append((0, 1, eqs))
                self.record(node.text, eqs)
        variants = _variants(list(zip(at, steps, strict=True)), choices)
        if not variants:
            return typed
        also = wq.Or(
            [_either([_sequence(f, v) for f in fields]) for v in variants],
            boost=EXPANSION_WEIGHT,
        )
        for v in variants:
            self.note(t for _, alts in v for t in alts)
        return wq.Or([typed, also])

    def equivalents_query(self, eqs: list[Equivalent], fields) -> wq.Query:
        parts = []
        for eq in eqs:
            if eq.entity:
                parts.append(wq.Term(eq.entity_field, eq.entity))
            else:
                parts.append(_either([_sequence(f, eq.positions()) for f in fields]))
                self.note(t for alts in eq.steps for t in alts)
        return wq.Or(parts, boost=EXPANSION_WEIGHT)

    def record(self, typed: str, eqs: list[Equivalent]) -> None:
        self.expansions.append(
            Expansion(typed, tuple(eq.shown for eq in eqs), negated=bool(self.negated))
        )

    def field_filter(self, name, value):
        if not value:
            return None
        if name == "published":
            return date_query(value, value)
        if name == "lang":
            if value.lower() not in LANGUAGES:
                raise QueryError(f"unknown language {value!r}; use one of: {', '.join(LANGUAGES)}")
            return wq.Term("lang", value.lower())
        if name == "company":
            company = self.gazetteer.resolve(value) if self.gazetteer else None
            if company is None:
                raise QueryError(f"unknown company {value!r}; `defnews companies` lists them")
            return wq.Term("companies", company)
        if name == "system":
            system = self.systems.resolve(value)
            if system is None:
                raise QueryError(f"unknown system {value!r}; `defnews systems` lists them")
            return wq.Term("systems", system)
        if name == "class":
            class_id = self.systems.resolve_class(value)
            if class_id is None:
                known = ", ".join(sorted(self.systems.classes))
                raise QueryError(f"unknown system class {value!r}; use one of: {known}")
            return wq.Term("classes", class_id)
        return wq.Term("source", self.source_named(value))

    @property
    def systems(self):
        if self._systems is None:
            self._systems = default_gazetteer(SYSTEMS)
        return self._systems

    def source_named(self, value):
        """The indexed source whose name equals ``value`` ignoring case."""
        if self.reader is not None:
            for name in self.reader.lexicon("source"):
                name = name.decode("utf-8") if isinstance(name, bytes) else name
                if name.casefold() == value.casefold():
                    return name
        return value

    def analyse(self, text):
        """Group the analysed terms of ``text`` by position: [(pos, {terms})].
        Remembered per text: a word is looked at for its query, its glossary
        match and its name."""
        known = self.analysed.get(text)
        if known is None:
            known = self.analysed[text] = self._analyse(text)
        return known

    def _analyse(self, text):
        grouped: dict[int, list[str]] = {}
        for t in self.analyzer(text, positions=True, mode="query"):
            alts = grouped.setdefault(t.pos, [])
            if t.text not in alts:
                alts.append(t.text)
        return sorted(grouped.items())

    def stopword_query(self, text):
        """All the stopwords of ``text``, each weighted by its rarity (idf,
        as BM25 computes it), since presence is all the field records."""
        words = dict.fromkeys(normalized(w) for w, *_ in raw_tokens(text))
        terms = []
        for word in (w for w in words if w in STOPWORDS):
            boost = 1.0
            if self.reader is not None:
                n, df = (
                    self.reader.doc_count_all(),
                    self.reader.doc_frequency(STOPWORDS_FIELD, word),
                )
                boost = math.log(n / (df + 1)) + 1 if n else 1.0
            terms.append(wq.Term(STOPWORDS_FIELD, word, boost=boost))
        self.note(STOPWORD_MARK + w for w in words if w in STOPWORDS)
        return None if not terms else terms[0] if len(terms) == 1 else wq.And(terms)

    def prefix_terms(self, prefix):
        """Index terms of the indexed words that start with ``prefix``."""
        word = normalize_word(prefix)
        if not word or self.reader is None:
            return set()
        terms = set()
        for i, surface in enumerate(self.reader.expand_prefix(SPELLING_FIELD, word)):
            if i >= MAX_PREFIX_WORDS:
                break
            surface = surface.decode("utf-8") if isinstance(surface, bytes) else surface
            terms.update(t.text for t in self.analyzer(surface, mode="query"))
        return terms

    def note(self, terms):
        if not self.negated:
            self.highlight.update(terms)


def date_query(start: str | None, end: str | None) -> wq.Query:
    """Articles published from the start of ``start`` to the end of ``end``."""
    try:
        lo = date_bounds(start)[0] if start else None
        hi = date_bounds(end)[1] if end else None
    except ValueError as e:
        raise QueryError(str(e)) from None
    if lo and hi and lo > hi:
        raise QueryError(f"the date range {start} … {end} is empty (start after end)")
    return wq.DateRange("published", lo, hi)


def _variants(typed, choices):
    """Every spelling of the phrase ``typed`` ([(position, terms)]) with one
    or more of ``choices``' spans (start, end, equivalents) swapped for an
    equivalent, positions kept so stopword gaps still match; capped."""
    variants = [([], 0)]  # (positioned steps so far, how many swaps)
    at = 0
    for start, end, eqs in choices:
        grown = []
        for done, swaps in variants:
            kept = _shifted(done, typed[at:end])
            grown.append((kept, swaps))
            for eq in eqs:
                if eq.steps:
                    grown.append(
                        (_shifted(_shifted(done, typed[at:start]), eq.positions()), swaps + 1)
                    )
        variants = grown[: MAX_PHRASE_VARIANTS + 1]
        at = end
    return [_shifted(done, typed[at:]) for done, swaps in variants if swaps][:MAX_PHRASE_VARIANTS]


def _shifted(done, steps):
    """``done`` followed by ``steps``, renumbered to continue its positions
    with their own gaps kept."""
    if not steps:
        return done
    base = (done[-1][0] + 1 if done else 0) - steps[0][0]
    return [*done, *((pos + base, sorted(terms)) for pos, terms in steps)]


def _either(queries):
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _sequence(fieldname, positions):
    """One position: its alternatives; several: a sequence of alternatives.

    A word's lemmas at one position (dictionary ties: танків → танк, танок)
    score as the best of them, not their sum, so an ambiguous word does not
    outweigh a plain one (make eval: Ukrainian nDCG@10 0.553 → 0.559).
    Positions dropped as stopwords leave gaps; the slop lets those gaps match.
    """
    if len(positions) == 1:
        terms = [wq.Term(fieldname, t) for t in positions[0][1]]
        return terms[0] if len(terms) == 1 else wq.DisjunctionMax(terms)
    steps = [_either([wq.Term(fieldname, t) for t in alts]) for _, alts in positions]
    numbers = [pos for pos, _ in positions]
    slop = max(b - a for a, b in zip(numbers, numbers[1:], strict=False))
    return wq.Sequence(steps, slop=slop)


def _lemma_count(terms) -> int:
    """A word's lemmas, not counting the stems of a name outside the
    dictionary (a name has one or two: its own form and a guess)."""
    return sum(not t.startswith(STEM_MARK) for t in terms)
