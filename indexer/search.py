"""One search API for the CLI and the web: a request in, plain dataclasses out."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import numpy as np
from whoosh.searching import Searcher

from .duplicates import group_similar
from .entities import SYSTEMS, Gazetteer, default_gazetteer
from .errors import QueryError
from .evaluate import evaluate
from .facets import DEFAULT_FACET_SIZE, facet_columns
from .index import require_current, shared_searcher
from .ingest.article import LANGUAGES
from .ingest.dates import date_bounds
from .query import compile_query
from .snippets import MatchedWords, make_snippet, marked_text
from .suggest import suggest_query

SORTS = ("relevance", "newest", "oldest")
FACET_NAMES = ("company", "system", "class", "lang", "year", "month", "source")
# Facets a request can filter on, and the ones whose counts the date filter
# leaves alone (disjunctive counting: a facet ignores its own filter).
_DATE_FACETS = ("year", "month")
LANGUAGE_LABELS = {
    "en": {"en": "English", "uk": "Ukrainian"},
    "uk": {"en": "англійська", "uk": "українська"},
}
# Largest page size, deepest result a page may reach, most values per facet.
MAX_PER_PAGE = 100
MAX_DEPTH = 10_000
MAX_FACET_SIZE = 1000
# Fewer matches than this for every word, and the query is run again asking
# for any of its words (query.RELAXED_SHARE); the page says so.
RELAX_BELOW = 10
# Keyword queries up to this many words list the articles holding all of
# them first when relaxed; longer (pasted questions) rank purely by BM25,
# which measured better on the TIME collection (MAP@100 0.611 vs 0.607).
ALL_WORDS_FIRST_UP_TO = 4
# The optional recency prior: the newest article's score counts up to this
# much more (docs/relevance.md); half-lives from a day to a century.
RECENCY_WEIGHT = 0.5
MAX_RECENCY_DAYS = 36_500
_TICKS_PER_DAY = 86_400 * 10**6
# In a relaxed keyword ranking, the share of the query's idf an article holds
# counts this much beside its BM25 share (both scaled to the best article's).
COVERAGE_WEIGHT = 1.0
# Candidates ranked per shown article, so folded near copies still leave full pages.
COLLAPSE_DEPTH = 3  # Whoosh's sortable datetimes are microseconds


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for. Dates are ISO strings of any precision; several
    values of one filter are OR-ed, different filters AND-ed."""

    query: str = ""
    companies: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()  # ids or any alias ("Хаймарс")
    classes: tuple[str, ...] = ()  # class ids or names ("air defense", "ППО")
    langs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facet_size: int = DEFAULT_FACET_SIZE
    ui_lang: str = "en"  # language of facet labels
    facets: bool = True  # False: skip facet counting (facets come back empty)
    snippets: bool = True  # False: hits carry no snippet
    relax: bool = True  # False: every word must match, however few articles do
    # Half-life in days of a boost for recent articles in relevance order
    # (None: none). See recency_factor.
    recency_days: int | None = None
    collapse: bool = True  # near copies of a story shown once, under its best copy
    # also search each recognised word's equivalents in the other language
    translate: bool = True


@dataclass
class Hit:
    id: str
    url: str
    title: str
    published: str | None  # ISO 8601 UTC
    lang: str
    source: str
    companies: list[str]
    systems: list[str]
    score: float | None  # None when sorted by date
    snippet: str  # escaped HTML; matched words in <mark>
    title_html: str = ""  # the title as escaped HTML, matched words in <mark>
    # near copies of this story (other outlets), folded under it: id, url, title, source
    similar: list[dict] = field(default_factory=list)


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
    # True when too few articles hold every word, so these hold some of them
    relaxed: bool = False
    # what the query also searched in the other language:
    # [{"typed": "air defense", "added": ["ППО", …], "negated": false}]
    also_searched: list[dict] = field(default_factory=list)
    # a malformed query as it was read and searched ('"ремонт танків' →
    # '"ремонт танків"'), and why: the keys of query.REPAIRS it mended
    read_as: str | None = None
    repairs: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The JSON contract shared by ``defnews search --json`` and /api/search."""
        return asdict(self)


def search(
    ix, request: SearchRequest, gazetteer: Gazetteer | None = None, systems: Gazetteer | None = None
) -> SearchPage:
    """Run ``request`` against an open index and return one page of hits.

    An empty query browses: every article passing the filters, newest first.
    ``gazetteer`` and ``systems`` (default: data/) name companies and systems.
    """
    m = _match(ix, request, gazetteer, systems)
    searcher, columns, compiled = m.searcher, m.columns, m.compiled
    facets = (
        _facets(columns, m.base, m.allowed, m.selected_values, request, m.gazetteers)
        if request.facets
        else {name: [] for name in FACET_NAMES}
    )
    # enough candidates that near copies folded under a page's articles
    # still leave a full page
    count = request.page * request.per_page * (COLLAPSE_DEPTH if request.collapse else 1)
    ordered, scores = _ordered(m, request, count)
    groups = _page_groups(ordered, columns, request)
    known = MatchedWords(compiled.highlight_terms if compiled else frozenset())
    if not request.snippets:
        known = None
    hits = [
        _hit(
            searcher.stored_fields(n),
            float(scores[n]) if scores is not None else None,
            known,
            [_similar(searcher.stored_fields(c)) for c in copies],
        )
        for n, copies in groups
    ]
    suggestion = None
    if compiled is not None:
        # a misspelt word matters even when the relaxed results hide it
        suggestion = suggest_query(
            searcher, request.query, compiled, m.strict_total, columns.live, m.gazetteers[0], m.memo
        )
    also = [asdict(e) for e in compiled.expansions] if compiled else []
    for e in also:
        e["added"] = list(e["added"])
    return SearchPage(
        request.query,
        m.total,
        request.page,
        request.per_page,
        hits,
        facets,
        suggestion,
        m.relaxed,
        also,
        compiled.read_as if compiled else None,
        list(compiled.repairs) if compiled else [],
    )


def every_hit(
    ix, request: SearchRequest, gazetteer: Gazetteer | None = None, systems: Gazetteer | None = None
) -> Iterator[Hit]:
    """Every article ``request`` matches, in its order, past any page limit:
    for export. Near copies are articles of their own here, and hits carry
    no snippet (the stored text is the export's business)."""
    m = _match(ix, request, gazetteer, systems)
    ordered, scores = _ordered(m, request, m.total)
    for n in ordered:
        score = float(scores[n]) if scores is not None else None
        yield _hit(m.searcher.stored_fields(n), score, None, [])


@dataclass
class _Matched:
    """What a request matches, before paging: the selection and its ranking."""

    searcher: Searcher
    columns: object
    compiled: object | None
    matches: object | None
    base: np.ndarray
    allowed: dict
    selected_values: dict
    selected: np.ndarray
    total: int
    strict_total: int
    relaxed: bool
    rank_by: np.ndarray | None
    gazetteers: tuple
    memo: dict
    # a relaxed keyword query's idf-weighted share of its words per document
    coverage: np.ndarray | None = None


def _match(ix, request: SearchRequest, gazetteer, systems) -> _Matched:
    _validate(request)
    require_current(ix)
    gazetteer = gazetteer or default_gazetteer()
    systems = systems or default_gazetteer(SYSTEMS)
    selected_values = _selected_values(request, gazetteer, systems)
    date_range = _date_range(request.date_from, request.date_to)
    searcher = shared_searcher(ix)
    reader = searcher.reader()
    columns = facet_columns(ix, reader)
    allowed = {name: columns.docs_with(name, values) for name, values in selected_values.items()}
    if date_range:
        allowed["date"] = columns.docs_between(*date_range)
    compiled, matches = None, None
    memo: dict = {}  # terms read once for the strict, relaxed and corrected queries
    if not request.query.strip():
        base = columns.live
    else:
        compiled = compile_query(
            request.query, searcher.schema, reader, gazetteer, request.translate, systems
        )
        matches = evaluate(searcher, compiled.query, columns.live, memo)
        base = matches.mask
    selected = _intersect(base, allowed.values())
    total = int(np.count_nonzero(selected))
    relaxed, strict_total, every_word = False, total, None
    if request.relax and compiled and compiled.relaxed is not None and total < RELAX_BELOW:
        every_word = base
        matches = evaluate(searcher, compiled.relaxed, columns.live, memo)
        base = matches.mask
        selected = _intersect(base, allowed.values())
        total, relaxed = int(np.count_nonzero(selected)), True
    rank_by = matches.scores if matches is not None else None
    if rank_by is not None and request.recency_days:
        rank_by = rank_by * recency_factor(columns, request.recency_days)
    if rank_by is not None and compiled.stopwords_only:
        # presence scores tie by the thousand: the newer article first
        rank_by = rank_by + columns.newness * 1e-6
    coverage = None
    if relaxed and len(compiled.words) <= ALL_WORDS_FIRST_UP_TO:
        # a keyword query: articles with every word stay on top, then those
        # holding the rarer words ("F-16" before "deliveries")
        coverage = _coverage(searcher, compiled.relaxed_parts, columns.live, memo)
        rank_by = _relaxed_rank(rank_by, coverage, every_word)
        coverage[every_word] = coverage.max(initial=0) + 1
    return _Matched(
        searcher, columns, compiled, matches, base, allowed, selected_values, selected,
        total, strict_total, relaxed, rank_by, (gazetteer, systems), memo, coverage,
    )  # fmt: skip


def _relaxed_rank(bm25: np.ndarray, coverage: np.ndarray, every_word: np.ndarray) -> np.ndarray:
    """BM25 (scaled to 1 at most) plus COVERAGE_WEIGHT times the share of
    the query's idf an article holds; articles with every word stay on top,
    by BM25 among themselves. Worked in place: at 1M articles each
    temporary array is 8 MB of fresh pages, and np.where over three of
    them cost ~10 ms."""
    rank = coverage / (coverage.max(initial=0) or 1.0)
    rank *= COVERAGE_WEIGHT
    np.copyto(rank, COVERAGE_WEIGHT + 2, where=every_word)
    rank += bm25 / (bm25.max(initial=0) or 1.0)
    return rank


def _coverage(searcher, parts, live: np.ndarray, memo: dict) -> np.ndarray:
    """Per document, the summed idf of the query's words it holds: a word few
    articles hold (a designation, a company, a name) outweighs any number of
    generic ones in a relaxed ranking, where BM25 alone let three
    "deliveries" in an off-topic article beat one F-16."""
    coverage = np.zeros(len(live))
    documents = max(1, int(np.count_nonzero(live)))
    for part in parts:
        mask = evaluate(searcher, part, live, memo).mask
        holding = int(np.count_nonzero(mask))
        if holding:
            coverage += mask * np.log1p(documents / holding)  # 5x coverage[mask] += ...
    return coverage


def _ordered(m: _Matched, request: SearchRequest, count: int):
    """The first ``count`` selected documents in the request's order, and the
    scores to show (None when sorted by date). Sorted by date, a relaxed
    keyword query's articles still come by how much of it they hold."""
    if m.matches is not None and request.sort == "relevance":
        return _by_score(m.rank_by, m.selected, count), m.matches.scores
    if m.coverage is None:
        return _by_date(m.columns, m.selected, request.sort, count), None
    ordered: list[int] = []
    for level in np.unique(m.coverage[m.selected])[::-1]:
        tier = m.selected & (m.coverage == level)
        ordered += _by_date(m.columns, tier, request.sort, count - len(ordered))
        if len(ordered) >= count:
            break
    return ordered, None


def also_searched_text(also: list[dict]) -> str:
    """``SearchPage.also_searched`` in a line: ППО, протиповітряна оборона
    (for "air defense"); a negated word's equivalents were left out too."""
    parts = []
    for e in also:
        verb = "left out" if e["negated"] else "for"
        parts.append(f'{", ".join(e["added"])} ({verb} "{e["typed"]}")')
    return "; ".join(parts)


def recency_factor(columns, half_life_days: int) -> np.ndarray:
    """Per-document multiplier of relevance scores: 1 + RECENCY_WEIGHT for the
    newest article in the index, halving its extra every ``half_life_days``
    older; 1 for undated ones. Relative to the newest article, not the clock,
    so the same index ranks the same way tomorrow."""
    factor = np.ones(len(columns.live))
    if len(columns.stamps):
        age_days = (columns.stamps[-1] - columns.stamps) / _TICKS_PER_DAY
        factor[columns.date_order] += RECENCY_WEIGHT * np.exp2(-age_days / half_life_days)
    return factor


def _validate(request: SearchRequest) -> None:
    if request.recency_days is not None and not 1 <= request.recency_days <= MAX_RECENCY_DAYS:
        raise QueryError(f"recency half-life must be between 1 and {MAX_RECENCY_DAYS} days")
    if request.sort not in SORTS:
        raise QueryError(f"unknown sort {request.sort!r}; use one of: {', '.join(SORTS)}")
    for lang in request.langs:
        if lang not in LANGUAGES:
            raise QueryError(f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        raise QueryError(f"page size must be between 1 and {MAX_PER_PAGE}")
    if request.page < 1:
        raise QueryError("page must be 1 or more")
    if request.page * request.per_page > MAX_DEPTH:
        raise QueryError(f"results beyond the first {MAX_DEPTH} are not served; narrow the query")
    if not 1 <= request.facet_size <= MAX_FACET_SIZE:
        raise QueryError(f"facet size must be between 1 and {MAX_FACET_SIZE}")


def _selected_values(request: SearchRequest, gazetteer, systems) -> dict[str, list[str]]:
    selected = {}
    for facet, names, resolve, listing in (
        ("company", request.companies, gazetteer.resolve, "`defnews companies` lists them"),
        ("system", request.systems, systems.resolve, "`defnews systems` lists them"),
        ("class", request.classes, systems.resolve_class, "one of: " + ", ".join(systems.classes)),
    ):
        ids = []
        for name in names:
            found = resolve(name)
            if found is None:
                what = "system class" if facet == "class" else facet
                raise QueryError(f"unknown {what} {name!r}; {listing}")
            ids.append(found)
        if ids:
            selected[facet] = ids
    if request.langs:
        selected["lang"] = list(request.langs)
    if request.sources:
        selected["source"] = list(request.sources)
    return selected


def _date_range(date_from: str | None, date_to: str | None):
    if not date_from and not date_to:
        return None
    try:
        start = date_bounds(date_from)[0] if date_from else None
        end = date_bounds(date_to)[1] if date_to else None
    except ValueError as e:
        raise QueryError(str(e)) from None
    if start and end and start > end:
        raise QueryError(f"the from date {date_from} is after the to date {date_to}")
    return start, end


def _intersect(base: np.ndarray, masks) -> np.ndarray:
    result = base
    for mask in masks:
        result = result & mask
    return result


def _facets(columns, base, allowed, selected_values, request, gazetteers):
    """Counts over all matches; each facet ignores its own filter. Facets
    left with the same filters share their mask and are counted in one pass."""
    by_mask: dict[str | None, list[str]] = {}
    for name in FACET_NAMES:
        own = "date" if name in _DATE_FACETS else name
        by_mask.setdefault(own if own in allowed else None, []).append(name)
    counted = {}
    for own, names in by_mask.items():
        docs = _intersect(base, [d for key, d in allowed.items() if key != own])
        counted.update(columns.counts(names, docs))
    facets = {}
    for name in FACET_NAMES:
        counts = list(counted[name].items())
        if name in _DATE_FACETS:
            counts.sort()  # chronological: the histogram's data
        else:
            counts.sort(key=lambda vc: (-vc[1], vc[0]))
            chosen = selected_values.get(name, [])
            shown = counts[: request.facet_size]
            shown += [vc for vc in counts[request.facet_size :] if vc[0] in chosen]
            counts = shown
        facets[name] = [
            FacetValue(v, _label(name, v, request.ui_lang, *gazetteers), c) for v, c in counts
        ]
    return facets


def _label(facet: str, value: str, ui_lang: str, gazetteer, systems) -> str:
    if facet == "company":
        return gazetteer.label(value, ui_lang)
    if facet == "system":
        return systems.label(value, ui_lang)
    if facet == "class":
        return systems.class_label(value, ui_lang)
    if facet == "lang":
        return LANGUAGE_LABELS.get(ui_lang, LANGUAGE_LABELS["en"]).get(value, value)
    return value


def _by_score(scores: np.ndarray, selected: np.ndarray, count: int) -> list[int]:
    """The best ``count`` docnums, best score first; ties go to the lower
    document number, as in Whoosh's own collector."""
    docs = _above_sampled_cut(scores, selected, count)
    if docs is None:
        docs = np.flatnonzero(selected)
    if len(docs) > count:  # only the best ``count`` need sorting
        keep = np.argpartition(-scores[docs], count - 1)[:count]
        # a tie at the cut: keep every document scoring like the last one
        cut = scores[docs[keep]].min()
        docs = docs[scores[docs] >= cut]
    order = np.lexsort((docs, -scores[docs]))
    return [int(n) for n in docs[order][:count]]


# One document in SAMPLE_STEP, at random, is looked at to guess a score
# that several times ``count`` selected documents reach. (Every n-th
# document would not do: documents come in patterns, one language each
# second document in the benchmark's corpus.)
SAMPLE_STEP = 64


def _above_sampled_cut(scores, selected, count) -> np.ndarray | None:
    """The selected documents scoring at least a cut guessed from a sample,
    when that leaves ``count`` of them; else None. A broad query selects
    half a million articles at 1M, and partitioning them all costs ~6 ms
    where two comparisons over the index cost ~1."""
    at = _sample_at(len(scores))
    sample = scores[at][selected[at]]
    rank = 2 * (count // SAMPLE_STEP) + 4  # expected to leave >= 2 count + 256
    if len(sample) < 4 * rank:
        return None
    cut = np.partition(sample, len(sample) - rank)[len(sample) - rank]
    docs = np.flatnonzero((scores >= cut) & selected)
    return docs if len(docs) >= count else None


@functools.lru_cache(maxsize=4)
def _sample_at(size: int) -> np.ndarray:
    """Sorted random document numbers, one in SAMPLE_STEP; the same each run."""
    rng = np.random.default_rng(size)
    return np.sort(rng.choice(size, size // SAMPLE_STEP, replace=False))


def _by_date(columns, selected: np.ndarray, sort: str, count: int) -> list[int]:
    """The first ``count`` docnums in date order, straight from the cached
    column; undated articles come last, by document number."""
    order = columns.date_order
    dated = order[selected[order]]
    if sort != "oldest":
        dated = dated[::-1]
    ordered = [int(n) for n in dated[:count]]
    if len(ordered) < count:
        undated = selected.copy()
        undated[order] = False
        ordered += [int(n) for n in np.flatnonzero(undated)[: count - len(ordered)]]
    return ordered


def _page_groups(ordered: list[int], columns, request) -> list[tuple[int, list[int]]]:
    """The page's (article, near copies) groups; without collapsing, each
    article alone."""
    first = (request.page - 1) * request.per_page
    last = first + request.per_page
    if not request.collapse:
        return [(n, []) for n in ordered[first:last]]
    return group_similar(ordered, columns.simhashes)[first:last]


def _similar(stored) -> dict:
    return {
        "id": stored["id"],
        "url": stored.get("url", ""),
        "title": stored.get("title", ""),
        "source": stored.get("source", ""),
    }


def stored_hit(stored) -> Hit:
    """An article's stored fields as a Hit (no score, snippet or copies)."""
    return _hit(stored, None, None, [])


def _hit(stored, score, known: MatchedWords | None, similar: list[dict]) -> Hit:
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
        systems=[c for c in (stored.get("systems") or "").split(",") if c],
        score=round(score, 4) if score is not None else None,
        snippet=make_snippet(body or stored.get("title", ""), known) if known else "",
        title_html=marked_text(stored.get("title", ""), known or frozenset()),
        similar=similar,
    )
