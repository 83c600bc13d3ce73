"""Index generations on disk, published atomically.

An index directory holds immutable generations and a pointer to the live one::

    data/index/CURRENT        "gen-000007"
    data/index/gen-000007/    a complete Whoosh index

A writer builds the next generation beside the live one (hard links to the
previous generation's files, which Whoosh never rewrites, make this cheap),
then replaces CURRENT with an atomic rename. A reader resolves CURRENT once and
opens that generation, so it sees either the old or the new state, never a
half-written one, and a crash mid-write leaves the live index untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import time

POINTER = "CURRENT"
PREFIX = "gen-"
META = "defnews.json"

# Old generations kept after a publish, for readers that resolved CURRENT a
# moment before it moved.
KEEP_GENERATIONS = 2
# A generation older than this that is not live can be collected.
GRACE_SECONDS = 300


def current_generation(index_dir: str) -> str | None:
    """Return the path of the live generation, or None if there is none."""
    try:
        with open(os.path.join(index_dir, POINTER), encoding="utf-8") as f:
            name = f.read().strip()
    except FileNotFoundError:
        return None
    path = os.path.join(index_dir, name)
    return path if name.startswith(PREFIX) and os.path.isdir(path) else None


def read_meta(gen_path: str) -> dict:
    """Return the generation's metadata (analysis version, build time)."""
    try:
        with open(os.path.join(gen_path, META), encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return {}


def new_generation(index_dir: str, base: str | None) -> str:
    """Create the next generation directory, sharing the files of ``base``."""
    os.makedirs(index_dir, exist_ok=True)
    number = max(_generation_numbers(index_dir), default=0) + 1
    while True:
        path = os.path.join(index_dir, f"{PREFIX}{number:06d}")
        try:
            os.mkdir(path)
            break
        except FileExistsError:
            number += 1
    if base:
        for name in os.listdir(base):
            if name.endswith("LOCK") or name == META:
                continue  # a lock file is per directory; metadata is rewritten
            _link_or_copy(os.path.join(base, name), os.path.join(path, name))
    return path


def publish(index_dir: str, gen_path: str, meta: dict) -> None:
    """Make ``gen_path`` the live generation: flush it, then swap the pointer."""
    with open(os.path.join(gen_path, META), "w", encoding="utf-8") as f:
        json.dump(meta, f)
    for name in os.listdir(gen_path):
        _fsync_file(os.path.join(gen_path, name))
    _fsync_dir(gen_path)
    tmp = os.path.join(index_dir, f".{POINTER}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(os.path.basename(gen_path) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(index_dir, POINTER))
    _fsync_dir(index_dir)


def discard(gen_path: str) -> None:
    """Remove an unpublished generation."""
    shutil.rmtree(gen_path, ignore_errors=True)


def collect_garbage(index_dir: str, now: float | None = None) -> list[str]:
    """Remove generations that are neither live, recent, nor among the newest."""
    now = time.time() if now is None else now
    live = current_generation(index_dir)
    numbers = sorted(_generation_numbers(index_dir), reverse=True)
    removed = []
    for number in numbers[KEEP_GENERATIONS + 1 :]:
        path = os.path.join(index_dir, f"{PREFIX}{number:06d}")
        if path == live:
            continue
        try:
            if now - os.stat(path).st_mtime < GRACE_SECONDS:
                continue
        except FileNotFoundError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _generation_numbers(index_dir: str) -> list[int]:
    numbers = []
    for name in os.listdir(index_dir) if os.path.isdir(index_dir) else ():
        if name.startswith(PREFIX) and name[len(PREFIX) :].isdigit():
            numbers.append(int(name[len(PREFIX) :]))
    return numbers


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
