"""A page's publication time, to the minute and zone, from its markup.

trafilatura's date finder (htmldate) gives a day: a JSON-LD
``datePublished`` of 10:15+03:00 came out as midnight, and 01:30+03:00
landed on the day before in UTC. The page's own metadata is read first
(JSON-LD, then meta tags, then ``<time datetime>``); failing those, a time
written beside the date found by trafilatura (``29 червня 2024, 10:15``).
"""

from __future__ import annotations

import json
from datetime import date

from .stamps import STAMP_PATTERN, Stamp, read_stamp

# meta tags that carry the publication time, by property, name or itemprop
_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
)
_ARTICLE_TYPES = ("article", "newsarticle", "reportagenewsarticle", "blogposting", "webpage")
# Where a visible date is looked for: the text near the top of the article.
_VISIBLE_CHARS = 4000


def marked_up_time(tree) -> tuple[Stamp | None, list[str]]:
    """The publication time the page's metadata gives, and the values it
    gave that could not be read (for the problem report)."""
    unreadable: list[str] = []
    for value in (*_json_ld_dates(tree), *_meta_dates(tree), *_time_dates(tree)):
        try:
            return read_stamp(value), unreadable
        except ValueError:
            unreadable.append(value)
    return None, unreadable


def visible_time(tree, day: date) -> Stamp | None:
    """A time of day written beside ``day`` in the article's text."""
    scope = tree.xpath("//article") or tree.xpath("//main") or tree.xpath("//body") or [tree]
    text = " ".join(scope[0].text_content().split())[:_VISIBLE_CHARS]
    for match in STAMP_PATTERN.finditer(text):
        if match["hour"] is None:
            continue
        try:
            stamp = read_stamp(match.group(0))
        except ValueError:
            continue
        if stamp.when.date() == day:
            return stamp
    return None


def _json_ld_dates(tree):
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "")
        except ValueError:
            continue  # a broken block is the page's problem; its meta tags may do
        found = sorted(_objects(data), key=lambda obj: not _is_article(obj))
        for obj in found:
            value = obj.get("datePublished")
            if isinstance(value, str) and value.strip():
                yield value.strip()


def _objects(data):
    """Every JSON object in a JSON-LD block (lists and @graph included)."""
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in data:
                yield from _objects(data[key])


def _is_article(obj: dict) -> bool:
    kind = obj.get("@type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds)


def _meta_dates(tree):
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _META_KEYS and meta.get("content").strip():
            yield meta.get("content").strip()


def _time_dates(tree):
    marked = tree.xpath('//time[@datetime][@itemprop="datePublished" or @pubdate]')
    within = tree.xpath("//article//time[@datetime]") or tree.xpath("//time[@datetime]")
    for node in (*marked, *within[:1]):
        if node.get("datetime").strip():
            yield node.get("datetime").strip()
