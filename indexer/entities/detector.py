"""Every entity kind detected in one pass over an article's tokens.

Indexing already tokenized the article; each gazetteer then needs the keys
of the few words its aliases, cues and context words use. Looking each token
up once for all gazetteers (most tokens are in none) keeps the cost of a
second kind to its matching, not another walk over every token.
"""

from __future__ import annotations

from functools import lru_cache

from ..morphology import CACHE_SIZE
from .gazetteer import Gazetteer, add_slot


class Detector:
    def __init__(self, gazetteers: tuple[Gazetteer, ...]):
        self.gazetteers = gazetteers
        # raw word → its keys per gazetteer, or None when no gazetteer uses it
        self._relevant: dict[str, tuple[frozenset[str], ...] | None] = {}

    def _keys(self, word: str, compound: bool):
        keys = tuple(g.vocabulary_keys(word, compound) for g in self.gazetteers)
        return keys if any(keys) else None

    def positions(self, tokens) -> list[dict[int, list]]:
        """Per gazetteer, what its ``_positions(known=True)`` would give."""
        per: list[dict[int, list]] = [{} for _ in self.gazetteers]
        relevant = self._relevant
        missing = relevant  # a sentinel no value can be
        for word, pos, start, end, compound in tokens:
            if compound:  # a hyphenated whole: rare, not worth caching
                keys_list = self._keys(word, compound)
            else:
                keys_list = relevant.get(word, missing)
                if keys_list is missing:
                    if len(relevant) >= CACHE_SIZE:
                        relevant.clear()
                    keys_list = relevant[word] = self._keys(word, compound)
            if keys_list is None:
                continue
            for positions, keys in zip(per, keys_list, strict=True):
                if keys:
                    add_slot(positions, pos, keys, start, end)
        return per

    def detect(self, text: str, tokens) -> list[list[str]]:
        """Per gazetteer, the ids ``text`` (tokenized as ``tokens``) names."""
        return [
            g.detect_in(text, tokens, positions)
            for g, positions in zip(self.gazetteers, self.positions(tokens), strict=True)
        ]


@lru_cache(maxsize=4)
def detector_for(gazetteers: tuple[Gazetteer, ...]) -> Detector:
    """One detector (and its word cache) per set of gazetteers, per process."""
    return Detector(gazetteers)
