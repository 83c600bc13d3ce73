"""Describe an index: size, languages, date span, last update."""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime, timezone

from . import store
from .index import open_index


def index_stats(index_dir: str) -> dict:
    """Return what the live generation holds, as a JSON-ready dict."""
    ix = open_index(index_dir)
    gen = store.current_generation(index_dir)
    with ix.reader() as reader:
        docnums = list(reader.all_doc_ids())
        langs = Counter()
        dated = []
        if docnums:
            langs.update(map(reader.column_reader("lang").__getitem__, docnums))
            # An undated document's DATETIME column value is not a date at all.
            undated = reader.column_reader("undated")
            dated = [n for n in docnums if undated[n] != "1"]
        date_span = _date_span(reader, dated)
        segments = len(ix._segments()) if hasattr(ix, "_segments") else None
    size = sum(os.path.getsize(os.path.join(gen, f)) for f in os.listdir(gen))
    updated = datetime.fromtimestamp(
        store.read_meta(gen).get("built", os.path.getmtime(gen)), timezone.utc
    )
    return {
        "index": index_dir,
        "generation": os.path.basename(gen),
        "documents": len(docnums),
        "languages": dict(sorted(langs.items())),
        "date_from": date_span[0],
        "date_to": date_span[1],
        "size_bytes": size,
        "segments": segments,
        "updated": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _date_span(reader, docnums):
    """First and last publication dates (ISO), from the sortable column."""
    if not docnums:
        return None, None
    col = reader.column_reader("published")
    values = [col[n] for n in docnums]
    if not values:
        return None, None
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return min(values).strftime(fmt), max(values).strftime(fmt)
