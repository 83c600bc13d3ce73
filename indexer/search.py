"""One search API for the CLI and the web: a request in, plain dataclasses out."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from whoosh import query as wq
from whoosh import sorting

from .errors import QueryError
from .ingest.article import LANGUAGES
from .query import compile_query
from .schema import TEXT_FIELDS
from .snippets import make_snippet

SORTS = ("relevance", "newest", "oldest")
FACET_NAMES = ("company", "lang", "year", "month", "source")
# Largest page size, and deepest result a page may reach.
MAX_PER_PAGE = 100
MAX_DEPTH = 10_000

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for. Dates are ISO strings of any precision."""

    query: str
    lang: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10


@dataclass
class Hit:
    id: str
    url: str
    title: str
    published: str | None  # ISO 8601 UTC
    lang: str
    source: str
    companies: list[str]
    score: float | None
    snippet: str  # escaped HTML; matched words in <mark>


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(
        default_factory=lambda: {name: [] for name in FACET_NAMES}
    )
    suggestion: str | None = None

    def to_json(self) -> dict:
        """The JSON contract shared by ``defnews search --json`` and /api/search."""
        return asdict(self)


def search(ix, request: SearchRequest) -> SearchPage:
    """Run ``request`` against an open index and return one page of hits."""
    _validate(request)
    date_filter = _date_filter(request.date_from, request.date_to)
    with ix.searcher() as searcher:
        compiled = compile_query(request.query, ix.schema, searcher.reader())
        filters = [q for q in (date_filter, _lang_filter(request.lang)) if q is not None]
        kwargs = {"limit": request.page * request.per_page}
        if filters:
            kwargs["filter"] = filters[0] if len(filters) == 1 else wq.And(filters)
        if request.sort != "relevance":
            newest = request.sort == "newest"
            kwargs["sortedby"] = [
                sorting.FieldFacet("undated"),
                sorting.FieldFacet("published", reverse=newest),
            ]
        results = searcher.search(compiled.query, **kwargs)
        total = len(results)
        first = (request.page - 1) * request.per_page
        analyzer = ix.schema[TEXT_FIELDS[-1]].analyzer
        hits = [
            _hit(r, compiled.highlight_terms, analyzer, request.sort == "relevance")
            for r in results[first : first + request.per_page]
        ]
    return SearchPage(request.query, total, request.page, request.per_page, hits)


def _validate(request: SearchRequest) -> None:
    if request.sort not in SORTS:
        raise QueryError(f"unknown sort {request.sort!r}; use one of: {', '.join(SORTS)}")
    if request.lang is not None and request.lang not in LANGUAGES:
        raise QueryError(f"unknown language {request.lang!r}; use one of: {', '.join(LANGUAGES)}")
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        raise QueryError(f"page size must be between 1 and {MAX_PER_PAGE}")
    if request.page < 1:
        raise QueryError("page must be 1 or more")
    if request.page * request.per_page > MAX_DEPTH:
        raise QueryError(f"results beyond the first {MAX_DEPTH} are not served; narrow the query")


def parse_date_bound(text: str, end: bool) -> datetime:
    """Parse ``2024``, ``2024-06`` or ``2024-06-15`` as the first or last moment."""
    m = _DATE.match(text.strip())
    if not m:
        raise QueryError(f"bad date {text!r}; use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            start = datetime(year, int(month), int(day))
            step = timedelta(days=1)
        elif month:
            start = datetime(year, int(month), 1)
            step = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - start
        else:
            start = datetime(year, 1, 1)
            step = datetime(year + 1, 1, 1) - start
    except ValueError as e:
        raise QueryError(f"bad date {text!r}: {e}") from None
    return start + step - timedelta(microseconds=1) if end else start


def _date_filter(date_from: str | None, date_to: str | None):
    if not date_from and not date_to:
        return None
    start = parse_date_bound(date_from, end=False) if date_from else None
    end = parse_date_bound(date_to, end=True) if date_to else None
    if start and end and start > end:
        raise QueryError(f"the from date {date_from} is after the to date {date_to}")
    return wq.DateRange("published", start, end)


def _lang_filter(lang: str | None):
    return wq.Term("lang", lang) if lang else None


def _hit(result, terms, analyzer, scored: bool) -> Hit:
    stored = result.fields()
    published = stored.get("published")
    body = stored.get("body") or ""
    return Hit(
        id=stored["id"],
        url=stored.get("url", ""),
        title=stored.get("title", ""),
        published=published.strftime("%Y-%m-%dT%H:%M:%SZ") if published else None,
        lang=stored.get("lang", ""),
        source=stored.get("source", ""),
        companies=[c for c in (stored.get("companies") or "").split(",") if c],
        score=round(result.score, 4) if scored and result.score is not None else None,
        snippet=make_snippet(body or stored.get("title", ""), terms, analyzer),
    )
