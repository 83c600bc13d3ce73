"""Read one news article from an HTML page with trafilatura.

trafilatura rather than hand-written scraping: it finds the main text by
structure and text density (menus, cookie banners and "latest posts" lists
stay out), and reads title, canonical URL and date from meta tags, JSON-LD
and <time> through htmldate, on pages it has never seen. The publication
time is read to the minute from the page's own metadata (page_dates.py):
htmldate gives the day.
"""

from __future__ import annotations

import os
import warnings

from .article import Article, Problem, derive_id, detect_language
from .page_dates import marked_up_time, visible_time
from .stamps import Stamp, read_stamp, source_zone

# Pages larger than this are not articles (and would cost too much to parse).
MAX_PAGE_BYTES = 5 * 1024 * 1024
# A page whose main text is shorter than this is not an article.
MIN_TEXT_CHARS = 80


def read_html(path: str | os.PathLike, zone: str | None = None) -> list[Article | Problem]:
    """The article in the HTML file at ``path`` (or a Problem), then any
    problem met on the way; ``zone`` is the source's time zone."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read(MAX_PAGE_BYTES + 1)
    return parse_html(data, path, origin=path, zone=zone)


def parse_html(
    data: bytes, where: str, url: str | None = None, origin: str = "", zone: str | None = None
) -> list[Article | Problem]:
    """The article in page bytes (or the Problem why not), then the
    problems that did not stop it; ``where`` names it in problems."""
    if len(data) > MAX_PAGE_BYTES:
        return [
            Problem(
                where, 0, f"page larger than {MAX_PAGE_BYTES // 1024 // 1024} MB; skipped", True
            )
        ]
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its dependencies warn about their own internals
        try:
            doc = trafilatura.bare_extraction(
                data,
                url=url,
                with_metadata=True,
                include_comments=False,
                include_tables=False,
                favor_precision=True,
                date_extraction_params={"extensive_search": True, "original_date": True,
                                        "outputformat": "%Y-%m-%d"},
            )  # fmt: skip
        except Exception as e:  # a broken page must not stop the run
            return [
                Problem(where, 0, f"cannot parse HTML ({type(e).__name__}: {e}); skipped", True)
            ]
    if doc is None:
        return [Problem(where, 0, "no article text found in the page; skipped", True)]
    meta = doc.as_dict()
    title = (meta.get("title") or "").strip()
    body = _without_title(meta.get("text") or "", title)
    if len(body) < MIN_TEXT_CHARS:
        return [Problem(where, 0, "no article text found in the page; skipped", True)]
    lang = detect_language(title + " " + body)
    stamp, unreadable = _publication_time(data, meta.get("date"))
    problems = []
    if stamp is None and unreadable:
        problems.append(
            Problem(where, 0, f"unreadable date {unreadable[0]!r}; indexed without a date", False)
        )
    canonical = meta.get("url") or url or ""
    article = Article(
        id=derive_id(canonical, title, body),
        title=title,
        body=body,
        url=canonical,
        published=stamp.to_utc(source_zone(zone, lang)) if stamp else None,
        lang=lang,
        source=meta.get("sitename") or meta.get("hostname") or "",
        origin=origin or where,
    )
    return [article, *problems]


def _publication_time(data: bytes, found_day: str | None) -> tuple[Stamp | None, list[str]]:
    """The time the page's metadata gives; else the day trafilatura found,
    with the time written beside it if there is one. Also the date values
    that could not be read."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fromstring(data)
    except (ValueError, lxml.etree.LxmlError):
        tree = None
    stamp, unreadable = marked_up_time(tree) if tree is not None else (None, [])
    if stamp is None and found_day:
        try:
            day = read_stamp(found_day)
        except ValueError:
            return None, [*unreadable, found_day]
        stamp = (visible_time(tree, day.when.date()) if tree is not None else None) or day
    return stamp, unreadable


def _without_title(text: str, title: str) -> str:
    """trafilatura repeats the headline as the first line of the text."""
    first, _, rest = text.partition("\n")
    return rest.strip() if title and first.strip() == title else text.strip()
