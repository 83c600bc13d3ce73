"""One article read in full: its stored text with a query's matches marked,
its near copies and the articles most like it.

The source's URL is fictional in the sample corpus and dies with a site;
the index keeps the text, so defnews can show it (``/article/<id>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from .duplicates import near_copies
from .entities import SYSTEMS, Gazetteer, default_gazetteer
from .errors import QueryError
from .evaluate import evaluate
from .facets import facet_columns
from .index import require_current, shared_searcher
from .query import compile_query
from .schema import TEXT_FIELDS
from .search import Hit, stored_hit
from .snippets import marked_text

# Terms of an article that find the articles like it, and how many are shown.
LIKE_TERMS = 12
LIKE_SHOWN = 5
COPIES_SHOWN = 20
# Longest query whose matches are marked (the page's own request may be huge).
MAX_QUERY_CHARS = 1000


@dataclass
class ArticleView:
    hit: Hit
    title_html: str  # escaped, matches in <mark>
    paragraphs: list[str]  # the stored text's paragraphs, escaped, matches in <mark>
    copies: list[Hit] = field(default_factory=list)  # near copies from other outlets
    like: list[Hit] = field(default_factory=list)  # more like this, best first

    def to_json(self) -> dict:
        hit = self.hit.__dict__ | {"snippet": None, "similar": None}
        return {
            "article": {k: v for k, v in hit.items() if v is not None},
            "title_html": self.title_html,
            "paragraphs": self.paragraphs,
            "copies": [_brief(h) for h in self.copies],
            "like": [_brief(h) for h in self.like],
        }


def read_article(
    ix,
    doc_id: str,
    query: str = "",
    gazetteer: Gazetteer | None = None,
    systems: Gazetteer | None = None,
) -> ArticleView | None:
    """The article ``doc_id`` with ``query``'s matches marked, or None when
    the index has no such article. A query that cannot be read marks nothing."""
    require_current(ix)
    searcher = shared_searcher(ix)
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    terms = _highlight_terms(searcher, query[:MAX_QUERY_CHARS], gazetteer, systems)
    title = stored.get("title", "")
    body = stored.get("body") or ""
    columns = facet_columns(ix, searcher.reader())
    copies = near_copies(columns.simhashes, columns.live, docnum)
    like = _most_like(searcher, columns, docnum, f"{title}\n\n{body}", copies)
    return ArticleView(
        hit=stored_hit(stored),
        title_html=marked_text(title, terms),
        paragraphs=[marked_text(p, terms) for p in _paragraphs(body)],
        copies=[stored_hit(searcher.stored_fields(n)) for n in copies[:COPIES_SHOWN]],
        like=[stored_hit(searcher.stored_fields(n)) for n in like],
    )


def _highlight_terms(searcher, query, gazetteer, systems) -> frozenset[str]:
    if not query.strip():
        return frozenset()
    gazetteer = gazetteer or default_gazetteer()
    systems = systems or default_gazetteer(SYSTEMS)
    try:
        compiled = compile_query(
            query, searcher.schema, searcher.reader(), gazetteer, True, systems
        )
    except QueryError:
        return frozenset()
    return compiled.highlight_terms


def _paragraphs(body: str) -> list[str]:
    blocks = [" ".join(p.split()) for p in body.split("\n\n")]
    if len(blocks) == 1:  # a text kept with single line breaks
        blocks = [" ".join(p.split()) for p in body.splitlines()]
    return [p for p in blocks if p]


def _most_like(searcher, columns, docnum: int, text: str, copies: list[int]) -> list[int]:
    """The articles scoring best on its most telling terms (Whoosh's Bo1
    key terms, weighted), its near copies left out: they are listed apart."""
    wanted = []
    for fieldname in TEXT_FIELDS:
        key_terms = searcher.key_terms_from_text(fieldname, text, numterms=LIKE_TERMS)
        wanted += [wq.Term(fieldname, term, boost=weight) for term, weight in key_terms]
    if not wanted:
        return []
    matches = evaluate(searcher, wq.Or(wanted), columns.live)
    scores = matches.scores.copy()
    scores[[docnum, *copies]] = 0
    best = np.flatnonzero(scores > 0)
    best = best[np.lexsort((best, -scores[best]))][:LIKE_SHOWN]
    return [int(n) for n in best]


def _brief(hit: Hit) -> dict:
    return {"id": hit.id, "title": hit.title, "source": hit.source, "published": hit.published}
