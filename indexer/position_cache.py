"""Decoded positions of broad terms, kept per process.

A phrase of two common words checks the positions of every document holding
both: at 1M articles that is a few hundred zlib-compressed blocks a word,
~10 ms of decompression alone. Segments never change, so a broad term's
positions are decoded once into two arrays (document, position) and later
phrases select from them with a mask. Narrow terms decode in microseconds
and are not kept.
"""

from __future__ import annotations

import threading

import numpy as np

# Bytes of a term's postings in a segment (ids, weights, compressed
# positions) from which its decoded positions are kept: ~4k postings.
KEPT_FROM = 32 << 10
# Bytes of decoded positions kept (8 a position: about the positions of the
# 25 broadest words of a 1M-article index).
BUDGET_BYTES = 192 << 20


class PositionCache:
    """Least recently used (document, position) arrays, within a byte budget."""

    def __init__(self, budget: int = BUDGET_BYTES):
        self.budget = budget
        self._entries: dict = {}
        self._held = 0
        self._lock = threading.Lock()  # the web server searches on threads

    def get(self, key):
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._entries[key] = entry  # now the most recent
            return entry

    def put(self, key, docs: np.ndarray, positions: np.ndarray) -> None:
        size = docs.nbytes + positions.nbytes
        if size > self.budget:
            return
        with self._lock:
            if key in self._entries:
                return
            while self._held + size > self.budget and self._entries:
                old_docs, old_positions = self._entries.pop(next(iter(self._entries)))
                self._held -= old_docs.nbytes + old_positions.nbytes
            self._entries[key] = (docs, positions)
            self._held += size


def select(docs: np.ndarray, positions: np.ndarray, wanted: np.ndarray):
    """The (document, position) pairs of the ``wanted`` documents (sorted)."""
    if not len(docs) or not len(wanted):
        return docs[:0], positions[:0]
    is_wanted = np.zeros(int(max(docs[-1], wanted[-1])) + 1, bool)
    is_wanted[wanted] = True
    keep = is_wanted[docs]
    return docs[keep], positions[keep]


positions_cache = PositionCache()
