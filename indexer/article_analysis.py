"""An article analysed for indexing: one pass over its tokens, one look-up a word.

From each raw word indexing derives its index terms, its keys in each
entity gazetteer, its normalised spelling (or that it is a stopword), the
SimHash of that spelling and its romanised name keys. Each used to come from
a cache of its own, and at a million articles' vocabulary nearly every
look-up missed the processor's caches: a fifth of building a document went
to finding the same word in six tables. Here one table holds all of a word's
facts (:class:`WordFacts`), and one loop over the tokens gives the term
positions of the title and of the body and every gazetteer's word positions
(most words are in no gazetteer, so a second entity kind costs its matching,
not another walk over the tokens).
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

from .analysis import STOPWORDS, name_keys_of, normalized, token_index_terms
from .duplicates import LEAD_TOKENS, story_hashes_of, word_hash
from .entities.gazetteer import Gazetteer, add_slot
from .morphology import CACHE_SIZE


class WordFacts(NamedTuple):
    """What indexing takes from one raw word."""

    terms: tuple[str, ...]  # its index terms (none for a stopword)
    entity_keys: tuple[frozenset[str], ...] | None  # per gazetteer; None if in none
    spelling: str  # normalised: the spelling or the stopword field's word
    stop: bool
    spelling_hash: int  # the SimHash word hash of the spelling
    names: frozenset[str]  # romanised name keys (the names field)


class AnalysedArticle(NamedTuple):
    title: dict[str, list[int]]  # term → positions, from 0
    body: dict[str, list[int]]  # term → positions, from the body's first token
    entity_positions: list[dict[int, list]]  # per gazetteer, as add_slot makes them
    words: list[str]  # distinct spellings, stopwords out
    stops: list[str]  # distinct stopwords
    names: list[str]
    story_hashes: str  # duplicates.story_hashes of the words and the lead's


class ArticleAnalyzer:
    """Analyses articles' tokens against one set of gazetteers."""

    def __init__(self, gazetteers: tuple[Gazetteer, ...]):
        self.gazetteers = gazetteers
        self._plain: dict[str, WordFacts] = {}
        self._compound: dict[str, WordFacts] = {}  # hyphenated wholes, kept apart

    def facts(self, word: str, compound: bool) -> WordFacts:
        """The facts of a raw token, computed on its first sight."""
        cache = self._compound if compound else self._plain
        facts = cache.get(word)
        if facts is None:
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            facts = cache[word] = self._facts_of(word, compound)
        return facts

    def _facts_of(self, word: str, compound: bool) -> WordFacts:
        entity_keys = tuple(g.vocabulary_keys(word, compound) for g in self.gazetteers)
        spelling = normalized(word)
        return WordFacts(
            terms=token_index_terms(word, compound),
            entity_keys=entity_keys if any(entity_keys) else None,
            spelling=spelling,
            stop=spelling in STOPWORDS,
            spelling_hash=word_hash(spelling),
            names=frozenset(name_keys_of((word,))),
        )

    def analyze(self, tokens: list, in_title: int) -> AnalysedArticle:
        """Analyse an article's :func:`~.analysis.raw_tokens` (of its joined
        title and body), the first ``in_title`` of them its title's."""
        seen: dict[str, WordFacts] = {}
        per_gazetteer: list[dict[int, list]] = [{} for _ in self.gazetteers]
        title = self._positions(tokens, 0, in_title, 0, seen, per_gazetteer)
        first = tokens[in_title][1] if in_title < len(tokens) else 0
        body = self._positions(tokens, in_title, len(tokens), first, seen, per_gazetteer)
        words: dict[str, int] = {}  # spelling → hash: case forms are one word
        stops: set[str] = set()
        names: set[str] = set()
        for facts in seen.values():
            if facts.stop:
                stops.add(facts.spelling)
            else:
                words[facts.spelling] = facts.spelling_hash
            if facts.names:
                names |= facts.names
        # only a long body's lead is evidence of a story (feeds' short
        # boilerplate summaries are alike across stories)
        lead: dict[str, int] = {}
        if len(tokens) - in_title > LEAD_TOKENS:
            for token in tokens[in_title : in_title + LEAD_TOKENS]:
                facts = seen[token[0]]
                if not facts.stop:
                    lead[facts.spelling] = facts.spelling_hash
        hashes = story_hashes_of(words.values(), lead.values())
        return AnalysedArticle(
            title, body, per_gazetteer, list(words), list(stops), list(names), hashes
        )

    def _positions(self, tokens, start, stop, first, seen, per_gazetteer):
        """Term → positions (counted from ``first``) of ``tokens[start:stop]``,
        recording each word's facts in ``seen`` and its entity keys in
        ``per_gazetteer``."""
        positions: dict[str, list[int]] = defaultdict(list)  # a C-level miss
        plain = self._plain
        for word, pos, begin, end, compound in tokens[start:stop]:
            facts = None if compound else plain.get(word)
            if facts is None:
                facts = self.facts(word, compound)
            seen[word] = facts
            for term in facts.terms:
                positions[term].append(pos - first)
            if facts.entity_keys is not None:
                for slots, keys in zip(per_gazetteer, facts.entity_keys, strict=True):
                    if keys:
                        add_slot(slots, pos, keys, begin, end)
        return positions


@lru_cache(maxsize=4)
def analyzer_for(gazetteers: tuple[Gazetteer, ...]) -> ArticleAnalyzer:
    """One analyzer (and its word table) per set of gazetteers, per process."""
    return ArticleAnalyzer(gazetteers)
