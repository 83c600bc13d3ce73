"""Keep the memory of freed large arrays in the process for the next query.

A search over 1M articles works in arrays of one entry a document: 8 MB for
float64 scores, several per query. glibc serves an allocation that large
with a fresh mmap and unmaps it when freed, so each query faulted its
temporaries' pages in anew. Raising the mmap and trim thresholds keeps
freed blocks in the heap, where the next query's arrays reuse them: 5-15 %
of a broad query's time at 1M (docs/performance.md, change 48).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

# mallopt parameters (glibc's malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
# Blocks below this come from the heap and are reused (the largest array
# of a 1M-article query, float64 scores, is 8 MB).
MMAP_FROM = 64 << 20
# Free memory at the heap's top kept, not returned to the system: the
# search process stays well under its 1 GB target.
KEEP_FREE = 256 << 20
TOP_PAD = 16 << 20

_applied: list[bool] = []
_lock = threading.Lock()


def keep_freed_arrays() -> bool:
    """Set the thresholds once per process; False where the C library is
    not glibc (nothing changes there)."""
    with _lock:
        if not _applied:
            _applied.append(_set_thresholds())
        return _applied[0]


def _set_thresholds() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    settings = (
        (_M_MMAP_THRESHOLD, MMAP_FROM),
        (_M_TRIM_THRESHOLD, KEEP_FREE),
        (_M_TOP_PAD, TOP_PAD),
    )
    return all(mallopt(param, value) == 1 for param, value in settings)
