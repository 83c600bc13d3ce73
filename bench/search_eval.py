"""Search quality on the judged query set, against two baselines in the same run.

data/eval/queries.jsonl holds queries over the sample corpus with graded
judgments (2 = about it, 1 = mentions it meaningfully); data/eval/crosslang.jsonl
holds cross-language ones (an English query whose relevant articles are
Ukrainian, and back), reported per direction. For defnews with and without
its cross-language expansion, and for
(a) Whoosh's StemmingAnalyzer (English stemming, no Ukrainian morphology) and
(b) exact surface-word matching, all over the same articles with the same
filters, it prints nDCG@10, MRR and recall@100 per query language.

Run: python bench/search_eval.py
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from whoosh import fields, index, qparser
from whoosh import query as wq
from whoosh.analysis import RegexTokenizer, StemmingAnalyzer
from whoosh.analysis.filters import LowercaseFilter

from indexer.companies import default_gazetteer
from indexer.errors import QueryError
from indexer.index import open_index, tag_companies, update_index
from indexer.ingest import Article, find_inputs, read_inputs
from indexer.ingest.dates import date_bounds
from indexer.search import SearchRequest, search

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "data" / "eval" / "queries.jsonl"
# Queries whose relevant articles are all or mostly in the other language.
CROSS_QUERIES = ROOT / "data" / "eval" / "crosslang.jsonl"
ARTICLES = ROOT / "data" / "articles"
DEPTH = 100


def ndcg(ranked, judged, k=10):
    dcg = sum((2 ** judged.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(ranked, judged):
    return next((1 / (i + 1) for i, d in enumerate(ranked) if judged.get(d)), 0.0)


def recall(ranked, judged, k=DEPTH):
    return len(set(ranked[:k]) & set(judged)) / len(judged) if judged else 0.0


def ranked_ids(ix, q, per_page=DEPTH, **options) -> list[str]:
    """Ids of defnews's hits for the judged query ``q`` with its filters."""
    f = q.get("filters", {})
    request = SearchRequest(
        q["query"],
        companies=tuple(f.get("companies", ())),
        langs=tuple(f.get("langs", ())),
        date_from=f.get("date_from"),
        date_to=f.get("date_to"),
        per_page=per_page,
        facets=False,
        snippets=False,
        **options,
    )
    try:
        return [h.id for h in search(ix, request).hits]
    except QueryError:
        return []


def defnews_ranker(index_dir, translate=True):
    ix = open_index(index_dir)
    return lambda q: ranked_ids(ix, q, translate=translate)


def baseline_ranker(tmp, articles, analyzer, name):
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=analyzer, field_boost=2.0),
        body=fields.TEXT(analyzer=analyzer),
        lang=fields.ID,
        companies=fields.KEYWORD(commas=True),
        published=fields.DATETIME,
    )
    folder = Path(tmp) / name
    folder.mkdir()
    ix = index.create_in(str(folder), schema)
    gazetteer = default_gazetteer()
    with ix.writer() as w:
        for a in articles:
            doc = {"id": a.id, "title": a.title, "body": a.body, "lang": a.lang}
            doc["companies"] = ",".join(tag_companies(a, gazetteer))
            if a.published:
                doc["published"] = a.published
            w.add_document(**doc)
    parser = qparser.MultifieldParser(["title", "body"], schema)

    def rank(q):
        f = q.get("filters", {})
        filters = []
        if f.get("langs"):
            filters.append(wq.Or([wq.Term("lang", x) for x in f["langs"]]))
        if f.get("companies"):
            filters.append(wq.Or([wq.Term("companies", c) for c in f["companies"]]))
        if f.get("date_from") or f.get("date_to"):
            lo = date_bounds(f["date_from"])[0] if f.get("date_from") else None
            hi = date_bounds(f["date_to"])[1] if f.get("date_to") else None
            filters.append(wq.DateRange("published", lo, hi))
        with ix.searcher() as s:
            results = s.search(
                parser.parse(q["query"]), limit=DEPTH, filter=wq.And(filters) if filters else None
            )
            return [r["id"] for r in results]

    return rank


def evaluate(rankers, queries, group_by="lang"):
    table = defaultdict(lambda: defaultdict(list))
    for q in queries:
        judged = q["judgments"]
        for name, rank in rankers.items():
            ranked = rank(q)
            for group in (q[group_by], "all"):
                table[(name, group)]["nDCG@10"].append(ndcg(ranked, judged))
                table[(name, group)]["MRR"].append(mrr(ranked, judged))
                table[(name, group)]["recall@100"].append(recall(ranked, judged))
    return table


def main() -> int:
    queries = read_queries(QUERIES)
    cross = read_queries(CROSS_QUERIES) if CROSS_QUERIES.exists() else []
    articles = [r for r in read_inputs(find_inputs([ARTICLES])) if isinstance(r, Article)]
    with tempfile.TemporaryDirectory() as tmp:
        update_index(str(Path(tmp) / "defnews"), iter(articles), rebuild=True)
        rankers = {
            "defnews": defnews_ranker(str(Path(tmp) / "defnews")),
            "defnews --no-translate": defnews_ranker(str(Path(tmp) / "defnews"), translate=False),
            "Whoosh StemmingAnalyzer": baseline_ranker(tmp, articles, StemmingAnalyzer(), "stem"),
            "exact surface words": baseline_ranker(
                tmp, articles, RegexTokenizer() | LowercaseFilter(), "exact"
            ),
        }
        table = evaluate(rankers, queries)
        cross_table = evaluate(rankers, cross, group_by="direction")
    print(f"{len(queries)} judged queries over {len(articles)} articles\n")
    print_tables(table, rankers, queries, ["uk", "en", "mixed", "all"], "lang")
    if cross:
        print(f"{len(cross)} judged cross-language queries (query language -> relevant articles)\n")
        print_tables(cross_table, rankers, cross, ["en->uk", "uk->en", "all"], "direction")
    return 0


def read_queries(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def print_tables(table, rankers, queries, groups, group_by):
    counts = {g: sum(1 for q in queries if g == "all" or q[group_by] == g) for g in groups}
    for metric in ("nDCG@10", "MRR", "recall@100"):
        print(f"| {metric} | " + " | ".join(f"{g} ({counts[g]})" for g in groups) + " |")
        print("|---|" + "---|" * len(groups))
        for name in rankers:
            values = [
                sum(table[(name, g)][metric]) / max(1, len(table[(name, g)][metric]))
                for g in groups
            ]
            print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
        print()


if __name__ == "__main__":
    sys.exit(main())
