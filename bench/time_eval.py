"""The TIME test collection: long pasted questions, MAP@100 and nDCG@10.

../shared/corpora/time.jsonl (423 articles of 1963) with time-topics.json
(83 natural-language requests, judged). Ranked in the same run by:
defnews as shipped (every word, then any of them ranked by BM25 when
fewer than 10 articles have all), defnews with every word required, defnews with any word (OR),
Whoosh's default (StandardAnalyzer; its AND and OR parsers), and SQLite FTS5
BM25 with the porter stemmer over the OR of the words (stdlib sqlite3).
Queries are lower-cased first: in capitals, OR/AND/NOT would be operators.

Run: python bench/time_eval.py
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

from whoosh import fields, index, qparser

from indexer.index import open_index, update_index
from indexer.ingest import find_inputs, read_inputs
from indexer.search import SearchRequest, search

# the module (indexer/__init__ exports a function of the same name)
search_module = sys.modules["indexer.search"]

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
DEPTH = 100


def average_precision(ranked, relevant):
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:DEPTH]):
        if doc in relevant:
            hits += 1
            total += hits / (i + 1)
    return total / len(relevant)


def ndcg10(ranked, relevant):
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal


def defnews_ranker(index_dir, relax_below):
    ix = open_index(index_dir)

    def rank(text):
        search_module.RELAX_BELOW = relax_below
        page = search(ix, SearchRequest(text, per_page=DEPTH, facets=False, snippets=False))
        return [hit.id for hit in page.hits]

    return rank


def defnews_or_ranker(index_dir):
    ix = open_index(index_dir)

    def rank(text):
        words = [w for w in re.findall(r"\w+", text) if w not in ("or", "and", "not")]
        page = search(
            ix, SearchRequest(" OR ".join(words), per_page=DEPTH, facets=False, snippets=False)
        )
        return [hit.id for hit in page.hits]

    return rank


def whoosh_ranker(tmp, articles, group):
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT())
    ix = index.create_in(tmp, schema)
    with ix.writer() as w:
        for a in articles:
            w.add_document(id=a.id, body=a.body)
    parser = qparser.QueryParser("body", schema, group=group)
    searcher = ix.searcher()

    def rank(text):
        return [hit["id"] for hit in searcher.search(parser.parse(text), limit=DEPTH)]

    return rank


def fts5_ranker(articles):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, body, tokenize='porter')")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(a.id, a.body) for a in articles])

    def rank(text):
        words = " OR ".join(f'"{w}"' for w in re.findall(r"\w+", text))
        rows = db.execute(
            "SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?", (words, DEPTH)
        )
        return [r[0] for r in rows]

    return rank


def main() -> int:
    corpus, topics_path = CORPORA / "time.jsonl", CORPORA / "time-topics.json"
    if not corpus.exists() or not topics_path.exists():
        print(f"{corpus} or {topics_path} is not available", file=sys.stderr)
        return 1
    topics = json.loads(topics_path.read_text("utf-8"))
    judged = {q: set(docs) for q, docs in topics["qrels"].items() if docs}
    queries = {q: topics["queries"][q].lower() for q in judged}
    articles = [a for a in read_inputs(find_inputs([str(corpus)])) if hasattr(a, "body")]
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = str(Path(tmp) / "ix")
        update_index(index_dir, articles)
        (Path(tmp) / "wa").mkdir()
        (Path(tmp) / "wo").mkdir()
        shipped = search_module.RELAX_BELOW
        rankers = {
            "defnews as shipped (all words, else ranked OR)": defnews_ranker(index_dir, shipped),
            "defnews, every word required": defnews_ranker(index_dir, 0),
            "defnews, any word (OR)": defnews_or_ranker(index_dir),
            "Whoosh default, AND": whoosh_ranker(str(Path(tmp) / "wa"), articles, qparser.AndGroup),
            "Whoosh default, OR": whoosh_ranker(str(Path(tmp) / "wo"), articles, qparser.OrGroup),
            "SQLite FTS5 BM25 porter, OR": fts5_ranker(articles),
        }
        print(f"TIME: {len(articles)} articles, {len(queries)} judged queries\n")
        print("| system | MAP@100 | nDCG@10 | queries with no result |")
        print("|---|---|---|---|")
        for name, rank in rankers.items():
            ap, nd, empty = [], [], 0
            for q, text in queries.items():
                ranked = rank(text)
                empty += not ranked
                ap.append(average_precision(ranked, judged[q]))
                nd.append(ndcg10(ranked, judged[q]))
            print(f"| {name} | {sum(ap) / len(ap):.4f} | {sum(nd) / len(nd):.4f} | {empty} |")
        search_module.RELAX_BELOW = shipped
    return 0


if __name__ == "__main__":
    sys.exit(main())
