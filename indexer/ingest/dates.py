"""Parse ``published`` values: ISO 8601 of any precision, stored as naive UTC."""

from __future__ import annotations

import re
from datetime import datetime, timezone

_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

# Dates outside this span are typos, not news.
EARLIEST_YEAR = 1800
LATEST_YEAR = 2200


def parse_published(value: object) -> datetime:
    """Return a naive UTC datetime, or raise ValueError saying what is wrong.

    >>> parse_published("2024-06"), parse_published("2024-06-01T10:00:00+03:00")
    (datetime.datetime(2024, 6, 1, 0, 0), datetime.datetime(2024, 6, 1, 7, 0))
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"date must be a string, not {type(value).__name__}")
    text = value.strip()
    if m := _YEAR.match(text):
        parsed = datetime(int(m.group(1)), 1, 1)
    elif m := _YEAR_MONTH.match(text):
        parsed = datetime(int(m.group(1)), int(m.group(2)), 1)
    else:
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise ValueError(f"year {parsed.year} is out of range")
    return parsed
