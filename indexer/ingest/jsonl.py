"""Read articles from JSON Lines files: one JSON object per line, UTF-8."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from .article import LANGUAGES, Article, Problem, derive_id, detect_language, has_surrogates
from .dates import parse_published

# A line longer than this is rejected without being held in memory whole.
MAX_LINE_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024

Record = Article | Problem


def read_jsonl(path: str | os.PathLike, zone: str | None = None) -> Iterator[Record]:
    """Yield an Article for each usable line and a Problem for each fault;
    times without a zone are in ``zone`` (the source's; default UTC)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        for number, line in _bounded_lines(f):
            if line is None:
                yield Problem(
                    path, number, f"line longer than {MAX_LINE_BYTES} bytes; skipped", True
                )
                continue
            if not line.strip():
                continue
            yield from parse_line(line, path, number, zone)


def _bounded_lines(f) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line number, bytes), or None for a line over the size limit."""
    number = 0
    while True:
        line = f.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := f.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass  # drain the oversized line without keeping it
            yield number, None
        else:
            yield number, line


def parse_line(line: bytes, path: str, number: int, zone: str | None = None) -> Iterator[Record]:
    """Turn one JSONL line into an Article (and Problems worth reporting)."""
    try:
        data = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as e:
        yield Problem(path, number, f"not UTF-8 (byte {e.start}); skipped", True)
        return
    except json.JSONDecodeError as e:
        yield Problem(path, number, f"not valid JSON ({e.msg} at column {e.colno}); skipped", True)
        return
    if not isinstance(data, dict):
        yield Problem(
            path, number, f"expected a JSON object, got {type(data).__name__}; skipped", True
        )
        return
    fields = {}
    for key in ("id", "url", "title", "body", "source", "lang"):
        value = data.get(key)
        if value is None:
            value = ""
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and key == "id":
            value = str(value)
        if not isinstance(value, str):
            yield Problem(
                path, number, f"{key!r} must be a string, not {type(value).__name__}; skipped", True
            )
            return
        fields[key] = value.strip() if key != "body" else value
    broken = [key for key, value in fields.items() if has_surrogates(value)]
    if broken:
        yield Problem(
            path,
            number,
            f"lone surrogate escapes (\\ud800-\\udfff) in {', '.join(map(repr, broken))}; "
            "replaced by U+FFFD",
            False,
        )
    if not fields["title"] and not fields["body"].strip():
        yield Problem(path, number, "record has neither title nor body; skipped", True)
        return
    companies = data.get("companies") or []
    if isinstance(companies, str):
        companies = [companies]
    if not isinstance(companies, list) or not all(isinstance(c, str) for c in companies):
        yield Problem(path, number, "'companies' must be a list of strings; ignored", False)
        companies = []
    published = None
    raw_date = data.get("published")
    if raw_date not in (None, ""):
        try:
            published = parse_published(raw_date, zone)
        except (ValueError, OverflowError) as e:
            yield Problem(
                path, number, f"unusable date {raw_date!r} ({e}); indexed without a date", False
            )
    lang = fields["lang"].lower()
    if lang == "ua":
        lang = "uk"
    if lang not in LANGUAGES:
        detected = detect_language(fields["title"] + " " + fields["body"])
        if lang:
            yield Problem(
                path,
                number,
                f"unsupported lang {fields['lang']!r} (use en or uk); detected {detected!r}",
                False,
            )
        lang = detected
    yield Article(
        id=fields["id"] or derive_id(fields["url"], fields["title"], fields["body"]),
        title=fields["title"],
        body=fields["body"],
        url=fields["url"],
        published=published,
        lang=lang,
        source=fields["source"],
        companies=[c.strip() for c in companies if c.strip()],
        origin=path,
    )
