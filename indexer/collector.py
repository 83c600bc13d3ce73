"""How long-running defnews processes run Python's cyclic garbage collector.

A full collection walks every object the process holds: in a search process
at 1M articles that is the dictionaries, gazetteers and word caches, 125 ms
a pass (a search takes 10-40), and by default one runs whenever those have
grown by a quarter. Almost none of it is ever garbage.
"""

from __future__ import annotations

import gc

# Young collections every 50k allocations (Python's default is 700), the
# middle generation every 20 of those, a full one every 100 middle ones.
THRESHOLDS = (50_000, 20, 100)


def settle() -> None:
    """Freeze everything the process holds now out of the collector's view
    (it is still freed when unreferenced) and make the collector run less
    often. Called once a process has loaded what it keeps: an indexing
    worker (10k articles: 332-355 -> 381-383 docs/s) and a web server before
    it forks (frozen pages stay shared between its workers)."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
