"""Describe an index: size, languages, date span, last update."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from whoosh.util.times import long_to_datetime

from . import store
from .facets import facet_columns
from .index import open_index
from .reindex import last_run

_ISO = "%Y-%m-%dT%H:%M:%SZ"


def index_stats(index_dir: str) -> dict:
    """Return what the live generation holds, as a JSON-ready dict."""
    ix = open_index(index_dir)
    gen = store.current_generation(index_dir)
    with ix.reader() as reader:
        columns = facet_columns(ix, reader)
        segments = len(list(reader.leaf_readers()))
    stamps = [int(s) for s in columns.stamps[[0, -1]]] if len(columns.stamps) else []
    size = sum(os.path.getsize(os.path.join(gen, f)) for f in os.listdir(gen))
    built = store.read_meta(gen).get("built", os.path.getmtime(gen))
    return {
        "index": index_dir,
        "generation": os.path.basename(gen),
        "documents": columns.doc_count,
        "languages": dict(sorted(columns.facets["lang"].counts().items())),
        "date_from": long_to_datetime(stamps[0]).strftime(_ISO) if stamps else None,
        "date_to": long_to_datetime(stamps[-1]).strftime(_ISO) if stamps else None,
        "size_bytes": size,
        "segments": segments,
        "updated": datetime.fromtimestamp(built, UTC).strftime(_ISO),
        "last_run": last_run(index_dir) or None,
    }
