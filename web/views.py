"""Pages and endpoints. Views only translate HTTP to indexer.search and back;
templates only loop over what the views hand them."""

from __future__ import annotations

import math
import re
import time
from urllib.parse import quote, urlencode, urlparse

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from indexer.article_view import read_article
from indexer.complete import complete
from indexer.entities import COMPANIES, SYSTEMS, default_gazetteer
from indexer.errors import IndexMissingError, IndexOutdatedError, QueryError
from indexer.index import require_current
from indexer.profiles import MAX_ENTITY_ID, month_series, most_covered, profile
from indexer.search import LANGUAGE_LABELS, MAX_DEPTH, FacetValue, SearchRequest, search

from . import i18n
from .engine import live_index
from .params import MAX_QUERY_STRING, search_request
from .urls import STATE, search_url, toggle_url

bp = Blueprint("search", __name__)

EXAMPLES = [
    "Rheinmetall снаряди",
    "F-16 deliveries",
    "дрони-перехоплювачі",
    "IRIS-T",
    "Су-34",
    '"air defense" Patriot',
]
# Longest text /api/suggest completes.
MAX_SUGGEST_CHARS = 200
# Facet values shown before "show more".
FACET_SHOWN = 10
# No endpoint reads a request body: anything larger is refused unread.
MAX_BODY_BYTES = 64 * 1024
# Characters XML 1.0 forbids even escaped: C0 controls but tab, LF and CR;
# U+FFFE, U+FFFF; lone surrogates. One in a query would break the Atom feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def ui_language() -> str:
    ui = request.args.get("ui")
    if ui in i18n.LANGUAGES:
        return ui
    return request.accept_languages.best_match(i18n.LANGUAGES) or i18n.DEFAULT


@bp.app_template_filter("xml")
def xml_text(value) -> str:
    """``value`` without the characters XML cannot carry (autoescape still applies)."""
    return _NOT_XML.sub("\ufffd", str(value))


@bp.app_template_filter("http_url")
def http_url(value) -> str:
    """``value`` if it is an http(s) URL, else "": an article's url is input,
    and a ``javascript:`` link must never be rendered."""
    value = str(value or "").strip()
    try:
        scheme = urlparse(value).scheme.lower()
    except ValueError:  # e.g. an unbalanced "[" in the host part
        return ""
    return value if scheme in ("http", "https") else ""


@bp.app_context_processor
def inject_ui():
    ui = ui_language()
    other = "uk" if ui == "en" else "en"
    huge = len(request.query_string) > MAX_QUERY_STRING
    return {
        "ui": ui,
        "t": lambda key, **values: i18n.text(ui, key, **values),
        "other_ui_url": f"/?ui={other}"
        if huge
        else search_url(request.args, path=request.path, ui=other, page=request.args.get("page")),
        "query": request.args.get("q", "")[:1000],
        "language_badge": lambda lang: i18n.badge(ui, lang),
        "language_name": lambda lang: LANGUAGE_LABELS[ui].get(lang, lang),
    }


# Most covered companies and systems the home page links.
HOME_ENTITIES = 12


@bp.get("/")
def home():
    ui = ui_language()
    try:
        ix = live_index().get()
        require_current(ix)
        stats = live_index().stats()
        covered = {
            kind: [
                {
                    "label": link.label,
                    "count": i18n.number(ui, link.count),
                    "url": entity_url(kind, link.id, ui),
                }
                for link in most_covered(ix, kind, HOME_ENTITIES, ui)
            ]
            for kind in ("company", "system")
        }
    except IndexMissingError as e:
        current_app.logger.warning("%s", e)
        return render_template("index.html", holds=None, examples=_examples(ui)), 503
    return render_template(
        "index.html", holds=_holds(stats, ui), examples=_examples(ui), covered=covered
    )


@bp.get("/<any(company, system):kind>/<path:entity_id>")
def entity_page(kind, entity_id):
    return _entity_page(kind, entity_id)


@bp.get("/api/<any(company, system):kind>/<path:entity_id>")
def entity_json(kind, entity_id):
    ui = ui_language()
    try:
        found = _profile(kind, entity_id, ui)
    except IndexMissingError as e:
        return jsonify({"error": str(e)}), 503
    if found is None:
        return jsonify({"error": _unknown(kind, entity_id)}), 404
    return jsonify(found.to_json())


def _profile(kind, entity_id, ui):
    if len(entity_id) > MAX_ENTITY_ID:
        return None
    return profile(live_index().get(), kind, entity_id, ui)


def _unknown(kind, entity_id):
    listing = "defnews companies" if kind == "company" else "defnews systems"
    return f"no {kind} {entity_id[:80]!r} in the gazetteer or the index; `{listing}` lists them"


def _entity_page(kind, entity_id):
    ui = ui_language()
    try:
        found = _profile(kind, entity_id, ui)
    except IndexMissingError as e:
        message = str(e) if isinstance(e, IndexOutdatedError) else i18n.text(ui, "unavailable")
        return render_template("error.html", code=503, message=message), 503
    if found is None:
        return render_template("error.html", code=404, message=_unknown(kind, entity_id)), 404
    args = MultiDict({kind: found.id, "ui": ui})
    gazetteers = default_gazetteer(COMPANIES), default_gazetteer(SYSTEMS)
    months = [FacetValue(m, m, c) for m, c in found.months if c]
    name = found.name_uk if ui == "uk" else found.name_en
    other_name = found.name_en if ui == "uk" else found.name_uk

    def link(item, both=False):
        view = {"label": item.label, "url": entity_url(item.kind, item.id, ui), "count": None}
        if item.count is not None:  # the articles naming both
            view["count"] = i18n.number(ui, item.count)
            if item.kind == kind:  # two values of one facet would be OR-ed
                view["search_url"] = search_url(args, q=f"{kind}:{item.id}")
            else:
                view["search_url"] = search_url(args, **{item.kind: item.id})
        return view

    return render_template(
        "entity.html",
        p=found,
        name=name,
        other_name=other_name if other_name != name else None,
        all_url=search_url(args),
        total_text=i18n.count(ui, found.total, "article"),
        class_url=search_url(MultiDict({"ui": ui}), **{"class": found.class_id})
        if found.class_id
        else None,
        family=link(found.family) if found.family else None,
        variants=[link(v) for v in found.variants],
        makers=[link(m) for m in found.makers],
        products=[link(s) for s in found.products],
        companions={k: [link(c) for c in v] for k, v in found.companions.items()},
        histogram=_histogram(months, args, ui),
        hits=[_hit_view(h, ui, args, gazetteers) for h in found.newest],
    )


# The query language by example: (query, the message key of what it means).
TIPS = (
    ("Rheinmetall снаряди", "tip_words"),
    ('"ремонт танків"', "tip_phrase"),
    ("танк OR Leopard", "tip_or"),
    ("ракета -Нептун", "tip_not"),
    ("title:F-16", "tip_title"),
    ("ракет*", "tip_prefix"),
    ("(ракета OR missile) Patriot", "tip_group"),
    ("company:Райнметаллом", "tip_company"),
    ('class:"air defense"', "tip_class"),
    ("drones published:[2024-01 TO 2024-06]", "tip_published"),
    ('lang:uk source:"Оборонний вісник"', "tip_lang"),
)


@bp.get("/help")
def help_page():
    ui = ui_language()
    tips = [(example, i18n.text(ui, key)) for example, key in TIPS]
    return render_template("help.html", tips=tips)


# Longest article id looked up (ids are short; a longer one is no article).
MAX_ARTICLE_ID = 500


@bp.get("/article/<path:doc_id>")
def article_page(doc_id):
    ui = ui_language()
    query = request.args.get("q", "")
    try:
        view = read_article(live_index().get(), doc_id[:MAX_ARTICLE_ID], query)
    except IndexMissingError as e:
        message = str(e) if isinstance(e, IndexOutdatedError) else i18n.text(ui, "unavailable")
        return render_template("error.html", code=503, message=message), 503
    if view is None:
        message = i18n.text(ui, "no_article", id=doc_id[:80])
        return render_template("error.html", code=404, message=message), 404
    gazetteers = default_gazetteer(COMPANIES), default_gazetteer(SYSTEMS)
    args = MultiDict({"ui": ui})
    return render_template(
        "article.html",
        view=view,
        named=_hit_view(view.hit, ui, args, gazetteers)["companies"],
        date=i18n.date(ui, view.hit.published),
        back_url=f"/search?{urlencode({'q': query, 'ui': ui})}" if query else None,
        copies=[_hit_view(h, ui, args, gazetteers) for h in view.copies],
        like=[_hit_view(h, ui, args, gazetteers) for h in view.like],
        query=query,
    )


@bp.get("/api/article/<path:doc_id>")
def article_json(doc_id):
    try:
        view = read_article(live_index().get(), doc_id[:MAX_ARTICLE_ID], request.args.get("q", ""))
    except IndexMissingError as e:
        return jsonify({"error": str(e)}), 503
    if view is None:
        return jsonify({"error": f"no article {doc_id[:80]!r} in the index"}), 404
    return jsonify(view.to_json())


@bp.get("/search")
def search_page():
    ui = ui_language()
    config = current_app.config
    try:
        req = search_request(request.args, ui, config["PAGE_SIZE"], config["FACET_SIZE_MORE"])
        started = time.perf_counter()
        result = search(live_index().get(), req)
        took_ms = round((time.perf_counter() - started) * 1000)
        last_page = max(1, math.ceil(min(result.total, MAX_DEPTH) / req.per_page))
        if req.page > last_page:
            raise QueryError(f"page {req.page} is past the last page ({last_page})")
    except QueryError as e:
        return render_template("search.html", error=str(e), result=None), 400
    except IndexOutdatedError as e:
        return render_template("search.html", error=str(e), result=None), 503
    except IndexMissingError:
        return render_template("search.html", error=i18n.text(ui, "unavailable"), result=None), 503
    args = _canonical_args(request.args, req)
    # with no words there is nothing to rank: the newest come first
    shown_sort = "newest" if req.sort == "relevance" and not req.query.strip() else req.sort
    # once per page: each stats its file to notice edits
    gazetteers = default_gazetteer(COMPANIES), default_gazetteer(SYSTEMS)
    return render_template(
        "search.html",
        error=None,
        result=result,
        took_ms=took_ms,
        hits=[_hit_view(h, ui, args, gazetteers) for h in result.hits],
        facets=_facet_views(result, args, ui),
        chips=_chips(args, result, ui),
        histogram=_histogram(result.facets["month"], args, ui),
        years=[
            {
                "label": v.value,
                "count": v.count,
                "url": search_url(args, **{"from": v.value, "to": v.value}),
            }
            for v in result.facets["year"]
        ],
        pages=_pagination(req.page, last_page, args),
        sort_links=[
            {"key": s, "url": search_url(args, sort=s), "current": s == shown_sort}
            for s in ("relevance", "newest", "oldest")
        ],
        suggestion_url=search_url(args, q=result.suggestion) if result.suggestion else None,
        all_words_url=search_url(args, all="1", drop=("page",)) if result.relaxed else None,
        also_searched=result.also_searched,
        typed_only_url=search_url(args, translate="0", drop=("page",)),
        translate_url=search_url(args, drop=("page", "translate")) if not req.translate else None,
        feed_url=search_url(args, path="/search.atom", drop=("sort",)),
        hidden=[
            (k, v)
            for k in STATE
            if k not in ("q", "from", "to")  # the box and the date form carry those
            for v in args.getlist(k)
        ],
        date_hidden=[
            (k, v)
            for k in ("q", "company", "system", "class", "lang", "source", "sort", "ui")
            for v in args.getlist(k)
        ],
        date_from=args.get("from", ""),
        date_to=args.get("to", ""),
        range_text=_range_text(result, req, ui),
        total_text=i18n.count(ui, result.total, "result" if ui == "en" else "article"),
        # "1–10 of 124 results"; in Ukrainian the noun would take the genitive: "1–10 з 124"
        range_total=i18n.count(ui, result.total, "result")
        if ui == "en"
        else i18n.number(ui, result.total),
    )


@bp.get("/api/search")
def api_search():
    ui = ui_language()
    config = current_app.config
    try:
        req = search_request(request.args, ui, config["PAGE_SIZE"], config["FACET_SIZE"])
        return jsonify(search(live_index().get(), req).to_json())
    except QueryError as e:
        return jsonify({"error": str(e)}), 400
    except IndexMissingError as e:
        return jsonify({"error": str(e)}), 503


@bp.get("/api/suggest")
def api_suggest():
    text = request.args.get("q", "")[:MAX_SUGGEST_CHARS]
    try:
        completions = complete(live_index().get(), text)
    except IndexMissingError:
        completions = []
    return jsonify([text, completions])


@bp.get("/opensearch.xml")
def opensearch():
    body = render_template("opensearch.xml", base=request.host_url.rstrip("/"))
    return Response(body, mimetype="application/opensearchdescription+xml")


@bp.get("/search.atom")
def atom_feed():
    ui = ui_language()
    config = current_app.config
    try:
        req = search_request(request.args, ui, config["FEED_SIZE"], 1)
        # every article is an entry: feed readers track items, not stories
        req = SearchRequest(**{**req.__dict__, "sort": "newest", "page": 1, "collapse": False})
        result = search(live_index().get(), req)
    except QueryError as e:
        return Response(str(e), status=400, mimetype="text/plain")
    except IndexMissingError as e:
        return Response(str(e), status=503, mimetype="text/plain")
    body = render_template(
        "atom.xml",
        result=result,
        self_url=request.url,
        page_url=request.host_url.rstrip("/") + search_url(request.args, sort="newest"),
        updated=max(
            (h.published for h in result.hits if h.published), default="1970-01-01T00:00:00Z"
        ),
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/healthz")
def healthz():
    try:
        documents = live_index().get().doc_count()
    except (IndexMissingError, OSError) as e:
        return jsonify({"status": "unavailable", "error": str(e)}), 503
    return jsonify({"status": "ok", "documents": documents})


def init_app(app) -> None:
    @app.before_request
    def refuse_huge_requests():
        if (request.content_length or 0) > MAX_BODY_BYTES:
            message = (
                f"the request body is too large ({request.content_length} bytes; "
                f"at most {MAX_BODY_BYTES // 1024} KB, and no page reads one)"
            )
            if request.path.startswith("/api/"):
                return jsonify({"error": message}), 413
            return render_template("error.html", code=413, message=message), 413
        if len(request.query_string) > MAX_QUERY_STRING:
            message = (
                f"the request is too large ({len(request.query_string)} bytes of parameters; "
                f"at most {MAX_QUERY_STRING})"
            )
            if request.path.startswith("/api/"):
                return jsonify({"error": message}), 400
            return render_template("search.html", error=message, result=None), 400
        return None

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(HTTPException)
    def http_error(e):
        if request.path.startswith("/api/"):
            return jsonify({"error": e.description}), e.code
        return render_template("error.html", code=e.code, message=e.description), e.code

    @app.errorhandler(Exception)
    def unexpected_error(e):
        current_app.logger.exception("unhandled error")
        message = "internal error; the problem was logged"
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), 500
        return render_template("error.html", code=500, message=message), 500


# View models --------------------------------------------------------------


def _examples(ui):
    return [{"text": q, "url": search_url(MultiDict(), q=q, ui=ui)} for q in EXAMPLES]


def _holds(stats, ui):
    languages = ", ".join(
        f"{i18n.text(ui, 'lang_' + lang)} {i18n.number(ui, n)}"
        for lang, n in stats["languages"].items()
    )
    span = "–"
    if stats["date_from"]:
        span = f"{i18n.date(ui, stats['date_from'])} – {i18n.date(ui, stats['date_to'])}"
    return i18n.text(
        ui,
        "holds",
        documents=i18n.count(ui, stats["documents"], "article"),
        languages=languages,
        span=span,
        updated=i18n.date(ui, stats["updated"]),
    )


def _canonical_args(args, req):
    """The arguments with company and system names resolved to ids, so facet
    links know which values are selected."""
    args = MultiDict(args)
    if req.companies:
        gazetteer = default_gazetteer(COMPANIES)
        args.setlist("company", [gazetteer.resolve(c) or c for c in req.companies])
    systems = default_gazetteer(SYSTEMS)
    if req.systems:
        args.setlist("system", [systems.resolve(s) or s for s in req.systems])
    if req.classes:
        args.setlist("class", [systems.resolve_class(c) or c for c in req.classes])
    return args


def _hit_view(hit, ui, args, gazetteers):
    """A hit with its companies, then its systems: each a filter toggle (none
    when already selected) and a link to its page."""
    named = []
    for gazetteer, ids in zip(gazetteers, (hit.companies, hit.systems), strict=True):
        kind = gazetteer.kind.name
        for entity_id in ids:
            selected = entity_id in args.getlist(kind)
            named.append(
                {
                    "label": gazetteer.label(entity_id, ui),
                    "kind": kind,
                    "url": None if selected else toggle_url(args, kind, entity_id),
                    "page": entity_url(kind, entity_id, ui),
                }
            )
    page = f"/article/{quote(hit.id, safe='')}?{urlencode({'q': args.get('q', ''), 'ui': ui})}"
    return {"hit": hit, "date": i18n.date(ui, hit.published), "companies": named, "page": page}


def entity_url(kind: str, entity_id: str, ui: str) -> str:
    return f"/{kind}/{quote(entity_id)}?ui={ui}"


def _facet_views(result, args, ui):
    views = []
    for name in ("company", "system", "class", "lang", "source"):
        key = name
        selected = set(args.getlist(key))
        values = [
            {
                "label": v.label,
                "count": i18n.number(ui, v.count),
                "selected": v.value in selected,
                "url": toggle_url(args, key, v.value),
            }
            for v in result.facets[name]
        ]
        views.append(
            {
                "name": name,
                "title": i18n.text(ui, f"facet_{name}"),
                "shown": values[:FACET_SHOWN],
                "more": values[FACET_SHOWN:],
            }
        )
    return views


def _chips(args, result, ui):
    labels = {
        name: {v.value: v.label for v in result.facets[facet]}
        for name, facet in ((f, f) for f in ("company", "system", "class", "lang", "source"))
    }
    chips = []
    for key in ("company", "system", "class", "lang", "source"):
        for value in args.getlist(key):
            chips.append(
                {"label": labels[key].get(value, value), "url": toggle_url(args, key, value)}
            )
    if args.get("from") or args.get("to"):
        label = f"{args.get('from', '…')} – {args.get('to', '…')}"
        chips.append({"label": label, "url": search_url(args, drop=("from", "to"))})
    return chips


# Least distance between two year labels on the histogram's axis (% of its width).
AXIS_LABEL_SPACING = 12


def _histogram(months, args, ui):
    """Bars for every month from the first to the last with articles."""
    if not months:
        return None
    counts = {v.value: v.count for v in months}
    first, last = months[0].value, months[-1].value
    series = month_series(first, last)
    peak = max(counts.values())
    low, high = args.get("from", ""), args.get("to", "")
    width, gap, height = 10, 2, 80
    bars = []
    for i, m in enumerate(series):
        count = counts.get(m, 0)
        bar_height = round(height * count / peak) if count else 0
        selected = bool(low or high) and (not low or m >= low[:7]) and (not high or m <= high[:7])
        bars.append(
            {
                "x": i * (width + gap),
                "y": height - bar_height,
                "width": width,
                "height": max(bar_height, 1 if count else 0),
                "label": i18n.text(
                    ui, "month_bar", month=i18n.month(ui, m), count=i18n.count(ui, count, "article")
                ),
                "url": search_url(args, **{"from": m, "to": m}) if count else None,
                "selected": selected,
                "month": m,
                "name": i18n.month(ui, m),
                "count": count,
            }
        )
    total_width = len(series) * (width + gap)
    # an axis label at each year's first month shown (the first bar's year too)
    years = []
    for i, m in enumerate(series):
        left = round(100 * i * (width + gap) / total_width, 2)
        if m.endswith("-01") or i == 0:
            if years and left - years[-1]["left"] < AXIS_LABEL_SPACING:
                years.pop()  # too close to read: the later label wins
            years.append({"label": m[:4], "left": left, "end": left > 100 - AXIS_LABEL_SPACING})
    return {
        "bars": bars,
        "years": years,
        "width": total_width,
        "height": height,
        "first": i18n.month(ui, first),
        "last": i18n.month(ui, last),
    }


def _pagination(page, last_page, args):
    window = range(max(1, page - 3), min(last_page, page + 3) + 1)
    return {
        "prev": search_url(args, page=str(page - 1)) if page > 1 else None,
        "next": search_url(args, page=str(page + 1)) if page < last_page else None,
        "numbers": [
            {"n": n, "url": search_url(args, page=str(n)), "current": n == page} for n in window
        ],
        "show": last_page > 1,
    }


def _range_text(result, req, ui):
    if not result.hits:
        return None
    first = (req.page - 1) * req.per_page + 1
    last = first + len(result.hits) - 1
    return {"first": i18n.number(ui, first), "last": i18n.number(ui, last)}
