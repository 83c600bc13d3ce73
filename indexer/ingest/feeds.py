"""Read articles from RSS and Atom feeds with feedparser (files or fetched bytes)."""

from __future__ import annotations

import calendar
import os
from datetime import UTC, datetime

from .article import Article, Problem, choose_language, clean_url, derive_id
from .feed_text import feed_text, plain_text
from .stamps import read_stamp, source_zone

# Feeds larger than this are refused (a feed is a list of recent items).
MAX_FEED_BYTES = 10 * 1024 * 1024


def read_feed(path: str | os.PathLike, zone: str | None = None) -> list[Article | Problem]:
    """The items of the feed file at ``path``; ``zone`` is its source's time zone."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read(MAX_FEED_BYTES + 1)
    return parse_feed(data, path, origin=path, zone=zone)


def parse_feed(
    data: bytes, where: str, headers: dict | None = None, origin: str = "", zone: str | None = None
) -> list:
    """Articles (and Problems) from feed bytes; ``headers`` are the HTTP
    response headers, which may name the encoding (windows-1251 feeds exist)."""
    if len(data) > MAX_FEED_BYTES:
        return [
            Problem(
                where, 0, f"feed larger than {MAX_FEED_BYTES // 1024 // 1024} MB; skipped", True
            )
        ]
    import feedparser

    try:
        parsed = feedparser.parse(data, response_headers=headers or {})
    except Exception as e:  # its loose parser raises on some broken feeds
        return [Problem(where, 0, f"not a readable feed ({type(e).__name__}: {e}); skipped", True)]
    source = (parsed.feed.get("title") or "").strip()
    feed_lang = (parsed.feed.get("language") or "")[:2].lower()
    records = []
    for number, entry in enumerate(parsed.entries, start=1):
        records += _article(entry, number, where, source, feed_lang, origin or where, zone)
    if parsed.bozo and not any(isinstance(r, Article) for r in records):
        # feedparser reads broken XML liberally; with nothing usable, say why.
        reason = parsed.get("bozo_exception")
        return [Problem(where, 0, f"not a readable feed ({reason}); skipped", True)]
    return records


def _article(entry, number, where, source, feed_lang, origin, zone) -> list[Article | Problem]:
    """The item's article (or the Problem why not), then its other problems."""
    title = plain_text(entry.get("title", ""))
    body = ""
    for content in entry.get("content", []) or []:
        body = max(body, feed_text(content.get("value", "")), key=len)
    summary = feed_text(entry.get("summary", ""))
    body = body if len(body) >= len(summary) else summary
    if not title and not body:
        return [Problem(where, number, "feed item has neither title nor text; skipped", True)]
    url = entry.get("link", "") or ""
    lang = choose_language(feed_lang, title + " " + body)
    published, problems = _published(entry, source_zone(zone, lang), where, number)
    article = Article(
        id=_item_id(entry.get("id")) or derive_id(url, title, body),
        title=title,
        body=body,
        url=url,
        published=published,
        lang=lang,
        source=source,
        origin=origin,
    )
    return [article, *problems]


def _published(entry, zone: str, where: str, number: int) -> tuple[datetime | None, list]:
    """The item's time, read by us first (Ukrainian day and month names,
    a zoneless time in the source's zone), else as feedparser read it."""
    for key in ("published", "updated"):
        if key not in entry:  # (a bare get() warns when it is absent)
            continue
        raw = entry[key]
        try:
            return read_stamp(raw).to_utc(zone), []
        except ValueError:
            pass
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).replace(tzinfo=None), []
        if str(raw).strip():
            reason = f"unreadable date {str(raw)[:60]!r}; indexed without a date"
            return None, [Problem(where, number, reason, False)]
    return None, []


def _item_id(guid: str | None) -> str | None:
    """A guid that is a link loses its tracking parameters, as links do."""
    return clean_url(guid) if guid and guid.startswith(("http://", "https://")) else guid


def summary_only(article: Article) -> bool:
    """Whether a feed item carries a summary rather than the article."""
    return len(article.body) < 600
