"""Build links that keep all search state in the URL (toggle a filter, go to a page)."""

from __future__ import annotations

from urllib.parse import urlencode

# Parameters that describe the result set; a new filter sends you to page 1
# (page is kept only when passed as a change).
STATE = (
    "q",
    "company",
    "system",
    "class",
    "lang",
    "source",
    "from",
    "to",
    "sort",
    "all",
    "recency",
    "collapse",
    "translate",
    "ui",
)


def search_url(args, path: str = "/search", drop=(), **changes) -> str:
    """``path`` with ``args`` (a MultiDict) minus ``drop``, plus ``changes``.

    A change whose value is None removes that parameter; page is reset unless
    it is one of the changes.
    """
    pairs = []
    for key in STATE:
        if key in changes or key in drop:
            continue
        pairs += [(key, v) for v in args.getlist(key) if v != ""]
    for key, value in changes.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs += [(key, v) for v in values]
    return path + ("?" + urlencode(pairs) if pairs else "")


def toggle_url(args, key: str, value: str) -> str:
    """Add ``value`` to the repeatable filter ``key``, or remove it if present."""
    current = args.getlist(key)
    values = [v for v in current if v != value] if value in current else [*current, value]
    return search_url(args, **{key: values or None})
