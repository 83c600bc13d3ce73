"""Readers that turn input files into Article records (and Problems)."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator

from .article import Article, Problem
from .feeds import read_feed
from .html import read_html
from .jsonl import read_jsonl

__all__ = ["Article", "Problem", "find_inputs", "read_inputs"]

# File suffixes each reader takes.
READERS = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".html": read_html,
    ".htm": read_html,
    ".xml": read_feed,
    ".rss": read_feed,
    ".atom": read_feed,
}


def find_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[str]:
    """Expand files, directories (recursively) and globs into readable files,
    as absolute paths (cron runs from anywhere).

    Raises FileNotFoundError for a path that does not exist (or a glob that
    matches nothing), and ValueError for a file no reader takes.
    """
    for path in map(os.fspath, paths):
        if glob.has_magic(path):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                raise FileNotFoundError(f"{path}: no file matches")
            yield from find_inputs(m for m in matches if os.path.isdir(m) or _readable(m))
            continue
        path = os.path.abspath(path)
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if _readable(name):
                        yield os.path.join(root, name)
        elif os.path.isfile(path):
            if not _readable(path):
                raise ValueError(
                    f"{path}: no reader for this file type (readable: {', '.join(READERS)})"
                )
            yield path
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")


def _readable(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in READERS


def read_inputs(files: Iterable[str]) -> Iterator[Article | Problem]:
    """Yield the records of every file, each through its reader."""
    for path in files:
        reader = READERS[os.path.splitext(path)[1].lower()]
        try:
            yield from reader(path)
        except OSError as e:
            yield Problem(path, 0, f"cannot read: {e.strerror or e}", True)
