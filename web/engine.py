"""The index as the web app sees it: read-only, and re-opened when a reindex
publishes a new generation (no restart needed)."""

from __future__ import annotations

import threading

from flask import current_app

from indexer import store
from indexer.errors import IndexMissingError
from indexer.index import open_index
from indexer.stats import index_stats


class LiveIndex:
    """Holds the open index of the current generation; swaps on change."""

    def __init__(self, index_dir: str):
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._gen = None
        self._ix = None
        self._stats = None

    def get(self):
        """The index of the live generation (one small file read per call)."""
        gen = store.current_generation(self.index_dir)
        if gen is None:
            raise IndexMissingError(f"no index at {self.index_dir}")
        if gen != self._gen:
            with self._lock:
                if gen != self._gen:
                    # The old index (and its reader lease) lives on while
                    # requests that started on it still hold it.
                    self._ix = open_index(self.index_dir)
                    self._stats = None
                    self._gen = gen
        return self._ix

    def stats(self) -> dict:
        """What the index holds (computed once per generation)."""
        self.get()
        if self._stats is None:
            self._stats = index_stats(self.index_dir)
        return self._stats


def live_index() -> LiveIndex:
    return current_app.extensions["defnews"]


def init_app(app) -> None:
    app.extensions["defnews"] = LiveIndex(app.config["INDEX_DIR"])
