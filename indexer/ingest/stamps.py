"""Publication times as news sites write them, read to the minute and zone.

Feeds and pages give times in several shapes: ISO 8601 (JSON-LD, meta
tags, <time>), RFC 822 in feeds, with English or Ukrainian day and month
names (``Вт, 25 чер 2024 14:00:00 +0300``), and visible text such as
``Субота, 29 червня 2024, 10:15``. A time given without a zone is the
source's local time: the zone set for the source in defnews.toml, else
Europe/Kyiv for a Ukrainian article, else UTC. A bare date stays a date
(midnight of that day, not shifted into another day by a zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .dates import EARLIEST_YEAR, LATEST_YEAR

KYIV = "Europe/Kyiv"

# Month names by their first letters, as written in full (nominative and
# genitive: червень, червня), abbreviated (чер, черв.) or in English.
_MONTH_PREFIXES = {
    1: ("січ", "jan"),
    2: ("лют", "feb"),
    3: ("берез", "бер", "mar"),
    4: ("квіт", "кві", "apr"),
    5: ("трав", "тра", "may"),
    6: ("черв", "чер", "jun"),
    7: ("лип", "jul"),
    8: ("серп", "сер", "aug"),
    9: ("верес", "вер", "sep"),
    10: ("жовт", "жов", "oct"),
    11: ("листоп", "лис", "nov"),
    12: ("груд", "гру", "dec"),
}
_ZONE_NAMES = {"z": 0, "ut": 0, "utc": 0, "gmt": 0, "eet": 2, "eest": 3, "cet": 1, "cest": 2}
STAMP_PATTERN = re.compile(
    r"""(?ix)
    (?P<day>\d{1,2})\.?\s*(?P<month>[^\W\d_]{3,10})\.?,?\s+(?P<year>\d{4})
    (?:\s*(?:р\.|року|рік))?
    (?:[,\s]+(?:о\s+|at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?
    (?:\s*(?P<zone>[+-]\d{2}:?\d{2}|z\b|utc|gmt|ut|eest|eet|cest|cet)
       (?P<zone_offset>[+-]\d{1,2}(?::?\d{2})?)?)?
    """
)
_NUMERIC = re.compile(
    r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})"
    r"(?:[,\s]+(?:о\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
)
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I
)


@dataclass(frozen=True)
class Stamp:
    """A time as the source wrote it: ``when`` is aware when a zone was given."""

    when: datetime
    has_time: bool = True

    def to_utc(self, zone: str | None) -> datetime:
        """Naive UTC; a time without a zone is read in ``zone`` (UTC if None)."""
        if not self.has_time:
            return self.when.replace(tzinfo=None)
        when = self.when
        if when.tzinfo is None:
            when = when.replace(tzinfo=zone_info(zone) if zone else UTC)
        return when.astimezone(UTC).replace(tzinfo=None)


def zone_info(name: str) -> timezone | ZoneInfo:
    """The IANA zone ``name``; ValueError names an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name like {KYIV!r})") from None


def source_zone(configured: str | None, lang: str) -> str:
    """The zone a source's zoneless times are in."""
    return configured or (KYIV if lang == "uk" else "UTC")


def read_stamp(text: str) -> Stamp:
    """Read one date or time, or raise ValueError saying what was not understood.

    >>> read_stamp("Вт, 25 чер 2024 14:00:00 +0300").to_utc(None)
    datetime.datetime(2024, 6, 25, 11, 0)
    >>> read_stamp("Субота, 29 червня 2024, 10:15").to_utc("Europe/Kyiv")
    datetime.datetime(2024, 6, 29, 7, 15)
    """
    text = " ".join(str(text).split())
    if not text:
        raise ValueError("empty date")
    stamp = _read_iso(text) or _read_rfc822(text) or _read_words(text) or _read_numeric(text)
    if stamp is None:
        raise ValueError(f"not a date: {text[:60]!r}")
    if not EARLIEST_YEAR <= stamp.when.year <= LATEST_YEAR:
        raise ValueError(f"year {stamp.when.year} is out of range")
    return stamp


def _read_iso(text: str) -> Stamp | None:
    if not _ISO.match(text):
        return None
    value = text[:-1] + "+00:00" if text[-1] in "Zz" else text
    try:
        return Stamp(datetime.fromisoformat(value), has_time=len(text) > 10)
    except ValueError:
        return None


def _read_rfc822(text: str) -> Stamp | None:
    if not text[:1].isascii():
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # "-0000" means "zone unknown" (RFC 5322), which parsedate reads as naive
    return Stamp(when)


def _read_words(text: str) -> Stamp | None:
    match = STAMP_PATTERN.search(text)
    if not match:
        return None
    month = _month_number(match["month"])
    if month is None:
        return None
    return _stamp(match, month, _zone_of(match["zone"], match["zone_offset"]))


def _read_numeric(text: str) -> Stamp | None:
    match = _NUMERIC.search(text)
    return _stamp(match, int(match["month"]), None) if match else None


def _stamp(match: re.Match, month: int, zone) -> Stamp | None:
    try:
        day = datetime(int(match["year"]), month, int(match["day"]))
        if match["hour"] is None:
            return Stamp(day, has_time=False)
        when = day.replace(
            hour=int(match["hour"]), minute=int(match["minute"]), second=int(match["second"] or 0)
        )
    except ValueError:
        return None
    return Stamp(when.replace(tzinfo=zone) if zone else when)


def _month_number(word: str) -> int | None:
    word = word.lower()
    for number, prefixes in _MONTH_PREFIXES.items():
        if word.startswith(prefixes):
            return number
    return None


def _zone_of(name: str | None, offset: str | None) -> timezone | None:
    if not name:
        return None
    name = name.lower()
    if name in _ZONE_NAMES:
        hours = _ZONE_NAMES[name]
        return timezone(timedelta(hours=hours) + (_offset(offset) if offset else timedelta()))
    return timezone(_offset(name))


def _offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))
