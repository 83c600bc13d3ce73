"""Turn query-string parameters into a SearchRequest, or a clear error."""

from __future__ import annotations

from indexer.errors import QueryError
from indexer.search import MAX_PER_PAGE, SearchRequest

# Longest query string accepted at all (bytes). Below gunicorn's ceiling on
# the whole request line (8190 bytes, the most it can be set to), so our
# message answers first; a 1000-character Cyrillic query is ~6,000 bytes.
MAX_QUERY_STRING = 8000
# Values one repeatable filter may carry.
MAX_VALUES = 50


def search_request(args, ui: str, per_page: int, facet_size: int) -> SearchRequest:
    """Validate ``args`` (a MultiDict) and build the engine's request."""
    page = _positive_int(args.get("page", "1"), "page")
    if "per_page" in args:
        per_page = _positive_int(args["per_page"], "per_page")
        if per_page > MAX_PER_PAGE:
            raise QueryError(f"per_page must be at most {MAX_PER_PAGE}")
    return SearchRequest(
        query=args.get("q", ""),
        companies=_values(args, "company"),
        systems=_values(args, "system"),
        classes=_values(args, "class"),
        langs=_values(args, "lang"),
        sources=_values(args, "source"),
        date_from=args.get("from") or None,
        date_to=args.get("to") or None,
        sort=args.get("sort") or "relevance",
        page=page,
        per_page=per_page,
        facet_size=facet_size,
        ui_lang=ui,
        relax=args.get("all") != "1",  # all=1: every word must match
        translate=args.get("translate") != "0",  # translate=0: only the words as typed
        collapse=args.get("collapse") != "0",  # collapse=0: near copies as hits too
        recency_days=(_positive_int(args["recency"], "recency") if args.get("recency") else None),
    )


def _positive_int(value: str, name: str) -> int:
    # isascii: "²" and "١" are digits to str.isdigit, but not to int()
    if not (value.isascii() and value.isdigit()) or int(value) < 1 or len(value) > 6:
        raise QueryError(f"{name} must be a whole number from 1, not {value[:20]!r}")
    return int(value)


def _values(args, name: str) -> tuple[str, ...]:
    values = tuple(v for v in args.getlist(name) if v.strip())
    if len(values) > MAX_VALUES:
        raise QueryError(f"at most {MAX_VALUES} values of {name!r}")
    return values
