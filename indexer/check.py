"""Verify an index: it opens, its files read, its documents are consistent."""

from __future__ import annotations

import os

from . import store
from .columns import column_items
from .index import open_index


def check_index(index_dir: str) -> list[str]:
    """Problems found in the live generation (an empty list when sound)."""
    gen = store.current_generation(index_dir)
    if gen is None:
        return [f"no live index at {index_dir} (CURRENT missing or pointing nowhere)"]
    problems = []
    for name in sorted(os.listdir(gen)):
        try:
            with open(os.path.join(gen, name), "rb") as f:
                while f.read(1 << 20):
                    pass
        except OSError as e:
            problems.append(f"{name}: unreadable ({e.strerror})")
    try:
        ix = open_index(index_dir)
        with ix.reader() as reader:
            ids = [doc_id for _, doc_id in column_items(reader, "id")]
            hashes = [h for _, h in column_items(reader, "content_hash")]
            stored = sum(1 for _ in reader.all_stored_fields())
            if len(ids) != reader.doc_count():
                problems.append(f"{reader.doc_count()} documents but {len(ids)} ids")
            if len(set(ids)) != len(ids):
                problems.append(f"{len(ids) - len(set(ids))} duplicate ids")
            if any(not h for h in hashes):
                problems.append("documents without a content hash")
            if stored < reader.doc_count():
                problems.append(f"{reader.doc_count() - stored} documents without stored fields")
    except Exception as e:  # any failure to read is the finding
        problems.append(f"the index does not read: {type(e).__name__}: {e}")
    return problems
