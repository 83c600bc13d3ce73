"""Hits written one a line for export: JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict

from .search import Hit

EXPORT_FORMATS = ("jsonl", "csv")
# CSV columns; lists are joined with "; " (a company id never holds one).
CSV_COLUMNS = ("id", "published", "lang", "source", "title", "url", "companies", "systems", "score")


def write_hits(hits: Iterable[Hit], fmt: str, out) -> int:
    """Write ``hits`` to the text stream ``out`` as it reads them (an export
    of every hit never sits whole in memory); return how many."""
    written = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for hit in hits:
            row = asdict(hit)
            writer.writerow(
                "; ".join(row[c]) if isinstance(row[c], list) else _cell(row[c])
                for c in CSV_COLUMNS
            )
            written += 1
    elif fmt == "jsonl":
        for hit in hits:
            row = {
                k: v
                for k, v in asdict(hit).items()
                if k not in ("snippet", "title_html", "similar")
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
    else:
        raise ValueError(f"unknown export format {fmt!r}; use {' or '.join(EXPORT_FORMATS)}")
    return written


def _cell(value) -> str:
    return "" if value is None else str(value)
