"""Read one news article from an HTML page with trafilatura.

trafilatura rather than hand-written scraping: it finds the main text by
structure and text density (menus, cookie banners and "latest posts" lists
stay out), and reads title, canonical URL and date from meta tags, JSON-LD
and <time> through htmldate, on pages it has never seen.
"""

from __future__ import annotations

import os
import warnings

from .article import Article, Problem, derive_id, detect_language
from .dates import parse_published

# Pages larger than this are not articles (and would cost too much to parse).
MAX_PAGE_BYTES = 5 * 1024 * 1024
# A page whose main text is shorter than this is not an article.
MIN_TEXT_CHARS = 80


def read_html(path: str | os.PathLike) -> list[Article | Problem]:
    """The article in the HTML file at ``path`` (or a Problem)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read(MAX_PAGE_BYTES + 1)
    return [parse_html(data, path, origin=path)]


def parse_html(
    data: bytes, where: str, url: str | None = None, origin: str = ""
) -> Article | Problem:
    """Extract the article from page bytes; ``where`` names it in problems."""
    if len(data) > MAX_PAGE_BYTES:
        return Problem(
            where, 0, f"page larger than {MAX_PAGE_BYTES // 1024 // 1024} MB; skipped", True
        )
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
                                        "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
            )  # fmt: skip
        except Exception as e:  # a broken page must not stop the run
            return Problem(where, 0, f"cannot parse HTML ({type(e).__name__}: {e}); skipped", True)
    if doc is None:
        return Problem(where, 0, "no article text found in the page; skipped", True)
    meta = doc.as_dict()
    title = (meta.get("title") or "").strip()
    body = _without_title(meta.get("text") or "", title)
    if len(body) < MIN_TEXT_CHARS:
        return Problem(where, 0, "no article text found in the page; skipped", True)
    published = None
    if meta.get("date"):
        try:
            published = parse_published(meta["date"])
        except ValueError:
            published = None
    canonical = meta.get("url") or url or ""
    return Article(
        id=derive_id(canonical, title, body),
        title=title,
        body=body,
        url=canonical,
        published=published,
        lang=detect_language(title + " " + body),
        source=meta.get("sitename") or meta.get("hostname") or "",
        origin=origin or where,
    )


def _without_title(text: str, title: str) -> str:
    """trafilatura repeats the headline as the first line of the text."""
    first, _, rest = text.partition("\n")
    return rest.strip() if title and first.strip() == title else text.strip()
