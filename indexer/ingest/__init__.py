"""Readers that turn input files into Article records (and Problems)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from .article import Article, Problem
from .jsonl import read_jsonl

__all__ = ["Article", "Problem", "find_inputs", "read_inputs"]

# File suffixes each reader takes; HTML and feeds come with the reindex job.
READERS = {".jsonl": read_jsonl, ".ndjson": read_jsonl}


def find_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[str]:
    """Expand files and directories (recursively, sorted) into readable files.

    Raises FileNotFoundError for a path that does not exist, and ValueError for
    a file no reader takes.
    """
    for path in map(os.fspath, paths):
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if os.path.splitext(name)[1].lower() in READERS:
                        yield os.path.join(root, name)
        elif os.path.isfile(path):
            if os.path.splitext(path)[1].lower() not in READERS:
                raise ValueError(
                    f"{path}: no reader for this file type (readable: {', '.join(READERS)})"
                )
            yield path
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")


def read_inputs(files: Iterable[str]) -> Iterator[Article | Problem]:
    """Yield the records of every file, each through its reader."""
    for path in files:
        reader = READERS[os.path.splitext(path)[1].lower()]
        try:
            yield from reader(path)
        except OSError as e:
            yield Problem(path, 0, f"cannot read: {e.strerror or e}", True)
