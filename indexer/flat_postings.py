"""New postings of text and word-list fields as flat arrays, sorted by term
at flush.

Keeping three small arrays per term (document numbers, counts, positions)
cost ~700 dictionary look-ups and 2,000 appends an article, and left a
worker's heap as millions of small growing buffers among the per-article
objects: articles took ~20 % longer to index as a segment's buffer grew.
Here an article appends its terms' ids, counts and positions to flat arrays
with C-level loops (``map``, ``chain``); the flush sorts the postings by
term once with numpy and hands the codec sorted runs of terms
(:class:`SortedRun`), which it writes a run at a time (``codec.add_runs``),
or each term's slices (``sorted_terms``) when merged segments' postings
are written among them.
"""

from __future__ import annotations

from array import array
from itertools import chain
from typing import NamedTuple

import numpy as np

_U4 = np.dtype("=u4")
# Postings whose positions are gathered at once during a flush: bounds the
# flush's temporary index arrays (8 bytes a position) to ~100 MB.
_GATHER = 8_000_000


class _TermIds(dict):
    """term → id, an id given to each new term in turn."""

    def __missing__(self, term: str) -> int:
        value = self[term] = len(self)
        return value


class SortedRun(NamedTuple):
    """Consecutive terms of a field in code point order and their postings,
    sorted by term, each term's in document order. Term ``i``'s postings
    are ``bounds[i]:bounds[i + 1]`` of ``docs`` (and ``counts``); its
    positions are bytes ``pos_at[i]:pos_at[i + 1]`` of ``positions``. A word
    list's run has no counts or positions (None)."""

    names: list[str]
    bounds: np.ndarray  # int64, len(names) + 1, from 0
    docs: np.ndarray  # uint32
    counts: np.ndarray | None  # uint32
    positions: bytes | None
    pos_at: list[int] | None

    def term_arrays(self, i: int) -> tuple[array, ...]:
        """Term ``i``'s postings as arrays: (ids,) or (ids, counts, positions)."""
        a, b = int(self.bounds[i]), int(self.bounds[i + 1])
        ids = array("I", self.docs[a:b].tobytes())
        if self.counts is None:
            return (ids,)
        counts = array("I", self.counts[a:b].tobytes())
        return ids, counts, array("I", self.positions[self.pos_at[i] : self.pos_at[i + 1]])


class FlatWordPostings:
    """A word list field's postings (documents alone) in the order added."""

    def __init__(self):
        self.ids = _TermIds()
        self.terms = array("I")  # per posting: its term's id
        self.docs = array("I")  # per document: its number
        self.spans = array("I")  # per document: its postings

    def add(self, docnum: int, words) -> int:
        """Add one document's distinct words; return how many are new."""
        return self._add_terms(docnum, words)

    def _add_terms(self, docnum: int, terms) -> int:
        known = len(self.ids)
        self.terms.extend(map(self.ids.__getitem__, terms))
        self.docs.append(docnum)
        self.spans.append(len(terms))
        return len(self.ids) - known

    def sorted_runs(self):
        """The whole field as one :class:`SortedRun`."""
        names, bounds, order = _by_term(self.ids, self.terms)
        if names:
            docs = _posting_documents(self.docs, self.spans)[order]
            yield SortedRun(names, bounds, docs, None, None, None)

    def sorted_terms(self):
        """(term, arrays) in code point order, each term's postings in
        document order: (ids,) for a word list, (ids, counts, positions)
        for a text."""
        for run in self.sorted_runs():
            for i, name in enumerate(run.names):
                yield name, run.term_arrays(i)


class FlatTextPostings(FlatWordPostings):
    """One text field's postings in the order documents were added: its
    terms' ids, counts and positions."""

    def __init__(self):
        super().__init__()
        self.counts = array("I")  # per posting: its positions
        self.positions = array("I")

    def add(self, docnum: int, positions: dict) -> tuple[int, int]:
        """Add one document's term → positions map; return its length in
        words and how many of its terms are new."""
        new = self._add_terms(docnum, positions)
        counts = array("I", map(len, positions.values()))
        self.counts.extend(counts)
        self.positions.extend(chain.from_iterable(positions.values()))
        return sum(counts), new

    def sorted_runs(self):
        """:class:`SortedRun` s of terms whose positions are gathered at
        once (``_GATHER`` postings' worth, one term at least)."""
        names, bounds, order = _by_term(self.ids, self.terms)
        counts_all = np.frombuffer(self.counts, _U4)
        starts = (np.cumsum(counts_all, dtype=np.int64) - counts_all)[order]
        counts = counts_all[order]
        docs = _posting_documents(self.docs, self.spans)[order]
        del order
        positions_all = np.frombuffer(self.positions, _U4)
        first = 0  # the first term (by rank) of the next gather
        while first < len(names):
            last = int(np.searchsorted(bounds, bounds[first] + _GATHER, side="right")) - 1
            last = max(last, first + 1)  # one term at least, however large
            a, b = int(bounds[first]), int(bounds[last])
            chunk_counts = counts[a:b]
            ends = np.cumsum(chunk_counts, dtype=np.int64)
            starts_in_chunk = ends - chunk_counts
            gather = np.arange(int(ends[-1]), dtype=np.int64)
            gather += np.repeat(starts[a:b] - starts_in_chunk, chunk_counts)
            chunk_positions = positions_all[gather].tobytes()
            del gather
            local = bounds[first : last + 1] - a
            pos_at = (4 * np.append(starts_in_chunk, ends[-1])[local]).tolist()
            yield SortedRun(
                names[first:last], local, docs[a:b], chunk_counts, chunk_positions, pos_at
            )
            first = last


def _by_term(ids: _TermIds, terms: array):
    """(terms in code point order, where each one's postings start and end
    among the sorted postings, the postings' order sorted by term); ties
    keep the order documents were added."""
    names = list(ids)  # in id order
    by_name = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), np.int64)
    rank[by_name] = np.arange(len(names))
    ranks = rank[np.frombuffer(terms, _U4)]
    bounds = np.zeros(len(names) + 1, np.int64)
    np.cumsum(np.bincount(ranks, minlength=len(names)), out=bounds[1:])
    # A stable argsort by rank, as one sort of (rank, posting) keys: numpy
    # sorts int64 values ~3x faster than it argsorts them stably.
    keys = ranks << 32
    keys |= np.arange(len(ranks), dtype=np.int64)
    keys.sort()
    keys &= 0xFFFFFFFF
    return [names[i] for i in by_name], bounds, keys


def _posting_documents(docs: array, spans: array) -> np.ndarray:
    """Each posting's document number, in the order added."""
    return np.repeat(np.frombuffer(docs, _U4), np.frombuffer(spans, _U4))
