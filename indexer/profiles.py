"""An entity's profile: what the index says about one company or system.

Names, class, family and makers come from the gazetteer; the coverage (month
by month), the entities most often named with it and its newest articles are
counted over the index from the cached facet columns, so nothing is
hand-listed and a page costs a few array operations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .entities import COMPANIES, KINDS, SYSTEMS, default_gazetteer
from .errors import QueryError
from .facets import facet_columns
from .index import require_current, shared_searcher
from .search import Hit, SearchRequest, search

KIND_NAMES = tuple(kind.name for kind in KINDS)
# Entities listed as named with this one, per kind.
COMPANIONS = 10
# Newest articles shown.
NEWEST = 10
# Longest id or name a page is asked for (longer: unknown, unread).
MAX_ENTITY_ID = 200


@dataclass
class Link:
    kind: str
    id: str
    label: str
    count: int | None = None  # articles (naming both, for companions)


@dataclass
class Profile:
    kind: str
    id: str
    name_en: str
    name_uk: str
    known: bool  # in the gazetteer (else only seen as an article's own tag)
    total: int  # articles tagged
    months: list[tuple[str, int]]  # every month from the first to the last, with its count
    companions: dict[str, list[Link]]  # kind → entities most often named in the same articles
    newest: list[Hit]
    class_id: str | None = None
    class_label: str | None = None
    family: Link | None = None
    variants: list[Link] = field(default_factory=list)
    makers: list[Link] = field(default_factory=list)  # a system's companies
    products: list[Link] = field(default_factory=list)  # a company's systems
    aliases: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _kind(name: str):
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise QueryError(f"unknown entity kind {name!r}; use one of: {', '.join(KIND_NAMES)}")


def profile(ix, kind_name: str, entity_id: str, ui_lang: str = "en") -> Profile | None:
    """The profile of ``entity_id`` (an id or any alias), or None when neither
    the gazetteer nor any article knows it."""
    kind = _kind(kind_name)
    require_current(ix)
    gazetteers = {k.name: default_gazetteer(k) for k in (COMPANIES, SYSTEMS)}
    gazetteer = gazetteers[kind.name]
    entity_id = gazetteer.resolve(entity_id) or entity_id
    searcher = shared_searcher(ix)
    columns = facet_columns(ix, searcher.reader())
    mask = columns.docs_with(kind.name, [entity_id]) & columns.live
    entity = gazetteer.entities.get(entity_id)
    total = int(np.count_nonzero(mask))
    if entity is None and not total:
        return None
    label = gazetteer.label(entity_id, ui_lang)
    companions = {}
    for other in (COMPANIES, SYSTEMS):
        counts = columns.facets[other.name].counts(mask)
        if other is kind:  # itself, and its family or variants, are no news
            related = (entity.family, *_variants(gazetteer, entity_id)) if entity else ()
            for value in (entity_id, *related):
                counts.pop(value, None)
        ranked = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))[:COMPANIONS]
        companions[other.name] = [
            Link(other.name, v, gazetteers[other.name].label(v, ui_lang), c) for v, c in ranked
        ]
    newest = []
    if total:
        request = SearchRequest(sort="newest", per_page=NEWEST, facets=False, ui_lang=ui_lang)
        request = SearchRequest(**{**request.__dict__, _request_field(kind): (entity_id,)})
        newest = search(ix, request, gazetteers["company"], gazetteers["system"]).hits
    result = Profile(
        kind=kind.name,
        id=entity_id,
        name_en=entity.name_en if entity else label,
        name_uk=entity.name_uk if entity else label,
        known=entity is not None,
        total=total,
        months=_months(columns.facets["month"].counts(mask)),
        companions=companions,
        newest=newest,
        aliases=list(entity.aliases) if entity else [],
    )
    if entity is not None:
        _add_relations(result, entity, gazetteers, ui_lang)
    return result


def _request_field(kind) -> str:
    return {"company": "companies", "system": "systems"}[kind.name]


def _variants(gazetteer, entity_id: str) -> list[str]:
    return sorted(e.id for e in gazetteer.entities.values() if e.family == entity_id)


def _add_relations(result: Profile, entity, gazetteers, ui_lang: str) -> None:
    systems, companies = gazetteers["system"], gazetteers["company"]
    if result.kind == "system":
        if entity.category:
            result.class_id = entity.category
            result.class_label = systems.class_label(entity.category, ui_lang)
        if entity.family:
            result.family = Link("system", entity.family, systems.label(entity.family, ui_lang))
        result.variants = [
            Link("system", v, systems.label(v, ui_lang)) for v in _variants(systems, entity.id)
        ]
        result.makers = [Link("company", m, companies.label(m, ui_lang)) for m in entity.makers]
    else:
        result.products = [
            Link("system", s.id, s.label(ui_lang))
            for s in sorted(systems.entities.values(), key=lambda s: s.id)
            if entity.id in s.makers
        ]


def _months(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Every month from the first to the last with articles (empty ones 0)."""
    if not counts:
        return []
    return [(m, counts.get(m, 0)) for m in month_series(min(counts), max(counts))]


def month_series(first: str, last: str) -> list[str]:
    """ "2024-11" … "2025-02": every month from ``first`` to ``last``."""
    year, month = int(first[:4]), int(first[5:])
    series = []
    while (m := f"{year:04d}-{month:02d}") <= last:
        series.append(m)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return series


def most_covered(ix, kind_name: str, size: int, ui_lang: str = "en") -> list[Link]:
    """The ``size`` entities of a kind tagged on most articles."""
    kind = _kind(kind_name)
    require_current(ix)
    gazetteer = default_gazetteer(kind)
    columns = facet_columns(ix, shared_searcher(ix).reader())
    counts = columns.facets[kind.name].counts(columns.live)
    ranked = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))[:size]
    return [Link(kind.name, v, gazetteer.label(v, ui_lang), c) for v, c in ranked]
