"""The search process keeps freed large arrays for reuse (glibc's mallopt)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_searching_process_keeps_freed_arrays_for_the_next_query(sample_index_dir):
    """Four 8 MB arrays, freed: by default glibc hands most of their memory
    back to the system (the next query faults its pages in again); once the
    process has opened a searcher, the heap keeps all 32 MB for reuse."""
    script = """
import ctypes, ctypes.util, sys
import numpy as np
from indexer import memory
from indexer.index import open_index, shared_searcher
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.mallinfo2.restype = Info
def kept_after_freeing():
    arrays = [np.ones(1 << 20) for _ in range(4)]  # 4 x 8 MB, as a query's temporaries
    del arrays
    return libc.mallinfo2().fordblks >> 20  # MB free but kept in the heap
before = kept_after_freeing()
shared_searcher(open_index(sys.argv[1]))
print(memory._applied, before, kept_after_freeing())
"""
    out = subprocess.run(
        [sys.executable, "-c", script, str(sample_index_dir)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert out[0] == "[True]"
    assert int(out[1]) < 32, "by default most of the freed memory goes back"
    assert int(out[2]) >= 32, "a searching process keeps it"
