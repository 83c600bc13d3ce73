"""Parse ``published`` values: ISO 8601 of any precision, stored as naive UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

# Dates outside this span are typos, not news.
EARLIEST_YEAR = 1800
LATEST_YEAR = 2200


def parse_published(value: object, zone: str | None = None) -> datetime:
    """Return a naive UTC datetime, or raise ValueError saying what is wrong.
    A time without a zone is read in ``zone`` (default UTC); a bare date
    stays that day.

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
        if zone and parsed.tzinfo is None and len(text) > 10:
            parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise ValueError(f"year {parsed.year} is out of range")
    return parsed


_BOUND = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def date_bounds(text: str) -> tuple[datetime, datetime]:
    """First and last moment of ``2024``, ``2024-06`` or ``2024-06-15``.

    Raises ValueError naming the accepted forms.

    >>> date_bounds("2024-02")[1]
    datetime.datetime(2024, 2, 29, 23, 59, 59, 999999)
    """
    m = _BOUND.match(text.strip())
    if not m:
        raise ValueError(f"bad date {text!r}; use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            start = datetime(year, int(month), int(day))
            after = start + timedelta(days=1)
        elif month:
            start = datetime(year, int(month), 1)
            after = (start + timedelta(days=32)).replace(day=1)
        else:
            start = datetime(year, 1, 1)
            after = datetime(year + 1, 1, 1)
    except ValueError as e:
        raise ValueError(f"bad date {text!r}: {e}") from None
    return start, after - timedelta(microseconds=1)
