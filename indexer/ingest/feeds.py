"""Read articles from RSS and Atom feeds with feedparser (files or fetched bytes)."""

from __future__ import annotations

import calendar
import html
import os
import re
from datetime import UTC, datetime

from .article import Article, Problem, derive_id, detect_language

# Feeds larger than this are refused (a feed is a list of recent items).
MAX_FEED_BYTES = 10 * 1024 * 1024
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\r\f\v]+")


def read_feed(path: str | os.PathLike) -> list[Article | Problem]:
    """The items of the feed file at ``path``."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read(MAX_FEED_BYTES + 1)
    return parse_feed(data, path, origin=path)


def parse_feed(data: bytes, where: str, headers: dict | None = None, origin: str = "") -> list:
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
    records = [
        _article(entry, number, where, source, feed_lang, origin or where)
        for number, entry in enumerate(parsed.entries, start=1)
    ]
    if parsed.bozo and not any(isinstance(r, Article) for r in records):
        # feedparser reads broken XML liberally; with nothing usable, say why.
        reason = parsed.get("bozo_exception")
        return [Problem(where, 0, f"not a readable feed ({reason}); skipped", True)]
    return records


def _article(entry, number, where, source, feed_lang, origin) -> Article | Problem:
    title = _text(entry.get("title", ""))
    body = ""
    for content in entry.get("content", []) or []:
        body = max(body, _text(content.get("value", "")), key=len)
    summary = _text(entry.get("summary", ""))
    body = body if len(body) >= len(summary) else summary
    if not title and not body:
        return Problem(where, number, "feed item has neither title nor text; skipped", True)
    url = entry.get("link", "") or ""
    stamp = entry.get("published_parsed")
    if not stamp and "updated_parsed" in entry:  # (a bare get() warns when it is absent)
        stamp = entry["updated_parsed"]
    published = (
        datetime.fromtimestamp(calendar.timegm(stamp), UTC).replace(tzinfo=None) if stamp else None
    )
    lang = feed_lang if feed_lang in ("en", "uk") else detect_language(title + " " + body)
    return Article(
        id=entry.get("id") or derive_id(url, title, body),
        title=title,
        body=body,
        url=url,
        published=published,
        lang=lang,
        source=source,
        origin=origin,
    )


def _text(markup: str) -> str:
    """Feed text is HTML: drop tags, decode entities, keep paragraph breaks."""
    text = re.sub(r"(?i)<br\s*/?>|</p>", "\n\n", markup)
    text = html.unescape(_TAG.sub(" ", text))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def summary_only(article: Article) -> bool:
    """Whether a feed item carries a summary rather than the article."""
    return len(article.body) < 600
