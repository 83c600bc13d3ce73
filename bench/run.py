"""make bench: one table of defnews's speed, with SQLite FTS5 and tantivy beside it.

For each corpus size (synthetic bilingual news from bench/corpus.py):
indexing through the real `defnews reindex` (docs/s, MB/s, index size, peak
RSS), a no-op reindex, cold open + first query, query latency p50/p95/p99 by
kind through `indexer.search` (the API the web uses) with facets and 10
snippets and without, the search process's RSS, `/api/search` requests/s
on `defnews serve` with concurrent clients, and (with --peers) SQLite FTS5
and tantivy fed our own analysed tokens, so engines are compared, not
analyzers. Prints the table and writes it as JSON to bench/results/.

Run: python bench/run.py [--docs 10000,100000] [--peers] [--web-seconds 10]
     python bench/run.py --docs 1000000 --index DIR   (search rows only, over
     an index already built from that corpus: a 1M build takes 36 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DEFNEWS = [sys.executable, "-m", "indexer"]
sys.path.insert(0, str(HERE))


def percentiles(samples_ms):
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50": statistics.median(ordered),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "n": len(ordered),
    }


def run_measured(cmd):
    """Run a command; return (seconds, peak RSS in MB of it and its children, stdout)."""
    started = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True)
    seconds = time.monotonic() - started
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"{cmd} failed: {proc.stderr}")
    rss_kb = int(proc.stderr.strip().splitlines()[-1])
    return seconds, rss_kb / 1024, proc.stdout


# Queries ------------------------------------------------------------------------


def make_queries(corpus_path: Path, n_each: int = 40, seed: int = 3):
    """Queries of each kind, drawn from the corpus so they have answers."""
    from indexer.analysis import STOPWORDS
    from indexer.normalize import normalize_word

    rng = random.Random(seed)
    docs = [
        json.loads(line)
        for _, line in zip(range(3000), open(corpus_path, encoding="utf-8"), strict=False)
    ]

    def words(doc):  # noqa: E306
        return [
            w.strip(".,").lower()
            for w in doc["body"].split()
            if w.strip(".,").isalpha() and w.lower() not in STOPWORDS and len(w) > 3
        ]

    kinds = {"1 word": [], "2-3 words": [], "phrase": [], "filtered": []}
    for _ in range(n_each):
        doc = rng.choice(docs)
        ws = words(doc)
        kinds["1 word"].append({"query": rng.choice(ws)})
        kinds["2-3 words"].append({"query": " ".join(rng.sample(ws, rng.choice((2, 3))))})
        tokens = doc["body"].split()
        while True:  # two adjacent words, at least one not a stopword
            i = rng.randrange(len(tokens) - 1)
            pair = [t.strip(".,") for t in tokens[i : i + 2]]
            if any(normalize_word(p) not in STOPWORDS for p in pair):
                break
        kinds["phrase"].append({"query": '"' + " ".join(pair) + '"'})
        kinds["filtered"].append(
            {
                "query": rng.choice(ws),
                "langs": [doc["lang"]],
                "date_from": "2023",
                "date_to": "2025-06",
            }
        )
    return kinds


# Times each query is timed in the latency passes.
ROUNDS = 3
WORKER = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from indexer.index import open_index
from indexer.search import SearchRequest, search
ix = open_index(sys.argv[1])
opened = time.perf_counter() - t0
kinds = json.load(open(sys.argv[2], encoding="utf-8"))
t1 = time.perf_counter()
search(ix, SearchRequest(**kinds["1 word"][0]))
first = time.perf_counter() - t1
# the broadest query: the indexed word in the most documents
from indexer.schema import SPELLING_FIELD
with ix.reader() as r:
    n = r.doc_count()
    words = (t.decode() if isinstance(t, bytes) else t for t in r.lexicon(SPELLING_FIELD))
    df, word = max((r.doc_frequency(SPELLING_FIELD, w), w) for w in words if w.isalpha())
kinds["broad (most common word)"] = [{"query": word}] * 10
# Queries the glossary, the romanization of names or the gazetteer expand.
kinds["cross-language"] = [{"query": q} for q in (
    "air defense", "протиповітряна оборона", "обмін полоненими", "prisoner exchange",
    "howitzer deliveries", "гаубиці", "Райнметал снаряди", "Rheinmetall shells",
    "drone production", "виробництво дронів", "joint venture", "спільне підприємство",
    "\"cruise missile\"", "Umerov", "Залужного", "Kyiv drones", "General Staff",
    "контрнаступ", "mobilization", "tank -Leopard",
)]
out = {"open_s": opened, "first_query_s": first, "broad_share": df / max(1, n), "latency": {}}
from indexer.errors import QueryError
valid = {}
for kind, queries in kinds.items():
    valid[kind] = []
    for q in queries:
        try:
            # warm every cache once (a long-running server has them warm;
            # the cold case is the "first query" figure), and check
            search(ix, SearchRequest(**q))
            valid[kind].append(q)
        except QueryError as e:
            print(f"skipped {q}: {e}", file=sys.stderr)
# as `defnews serve` runs its workers: what is loaded, out of the collector's view
from indexer.collector import settle
settle()
# Every query ROUNDS times, one round after another: 20 queries timed once
# made a kind's p95 its single slowest sample, a scheduler hiccup's say.
for full in (True, False):
    for kind, queries in valid.items():
        samples = []
        for _ in range(ROUNDS):
            for q in queries:
                t = time.perf_counter()
                search(ix, SearchRequest(**q, facets=full, snippets=full))
                samples.append((time.perf_counter() - t) * 1000)
        out["latency"][("full: " if full else "top-10: ") + kind] = samples
# What the cross-language expansion costs: each query's full page with and
# without it, interleaved (three of each, the median kept) so both see the
# same caches and machine load; the cost is the per-query difference.
import statistics
for kind, queries in valid.items():
    without, extra = [], []
    for q in queries:
        timed = {True: [], False: []}
        for _ in range(3):
            for translate in (True, False):
                t = time.perf_counter()
                search(ix, SearchRequest(**q, translate=translate))
                timed[translate].append((time.perf_counter() - t) * 1000)
        with_ms, without_ms = statistics.median(timed[True]), statistics.median(timed[False])
        without.append(without_ms)
        extra.append(with_ms - without_ms)
    out["latency"]["full, --no-translate: " + kind] = without
    out["latency"]["expansion cost, full page: " + kind] = extra
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def query_bench(index_dir, queries_path):
    worker = f"ROUNDS = {ROUNDS}\n" + WORKER
    out = subprocess.run(
        [sys.executable, "-c", worker, index_dir, str(queries_path)], capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    if out.stderr:
        print(out.stderr, file=sys.stderr)
    data = json.loads(out.stdout)
    data["latency"] = {k: percentiles(v) for k, v in data["latency"].items()}
    return data


# Web ----------------------------------------------------------------------------


def web_bench(index_dir, kinds, seconds, clients=8):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [*DEFNEWS, "serve", "--port", str(port), "--index", index_dir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        urls = [
            base + "/api/search?" + urllib.parse.urlencode({"q": q["query"]})
            for qs in kinds.values()
            for q in qs
        ]
        samples, errors, refused = [], [], []
        end = time.monotonic() + seconds

        def client(seed):
            rng = random.Random(seed)
            while time.monotonic() < end:
                t = time.perf_counter()
                try:
                    urllib.request.urlopen(rng.choice(urls), timeout=10).read()
                    samples.append((time.perf_counter() - t) * 1000)
                except urllib.error.HTTPError as e:
                    (refused if e.code == 400 else errors).append(str(e))  # 400: a bad query
                except OSError as e:
                    errors.append(str(e))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait()
    return {
        "clients": clients,
        "rps": len(samples) / seconds,
        "errors": len(errors),
        **percentiles(samples),
    }


# Peers ----------------------------------------------------------------------------


def analysed(corpus_path):
    """Our analysed terms of every document, as space-joined strings."""
    from indexer.analysis import news_analyzer

    ana = news_analyzer()
    for line in open(corpus_path, encoding="utf-8"):
        doc = json.loads(line)
        yield (
            doc,
            " ".join(t.text for t in ana(doc["title"])),
            " ".join(t.text for t in ana(doc["body"])),
        )


def query_groups(text):
    """[[alternatives at position 1], ...] and whether it is a phrase."""
    from indexer.analysis import news_analyzer

    grouped = {}
    for t in news_analyzer()(text.strip('"'), positions=True, mode="query"):
        grouped.setdefault(t.pos, []).append(t.text)
    return list(grouped.values()), text.startswith('"')


def sqlite_bench(corpus_path, kinds):
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(os.path.join(tmp, "fts.db"))
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, lang UNINDEXED, day UNINDEXED, tokenize=\"unicode61 tokenchars '-'''\")"
        )
        rows = [(t, b, d["lang"], d["published"][:10]) for d, t, b in analysed(corpus_path)]
        started = time.monotonic()
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", rows)
        db.commit()
        build = time.monotonic() - started
        latency = {}
        for kind, queries in kinds.items():
            samples = []
            for q in queries:
                groups, phrase = query_groups(q["query"])
                if not groups:
                    continue
                if phrase:
                    match = '"' + " ".join(g[0] for g in groups) + '"'
                else:
                    match = " AND ".join(
                        "(" + " OR ".join(f'"{t}"' for t in g) + ")" for g in groups
                    )
                where, params = "docs MATCH ?", [match]
                if "langs" in q:
                    where += " AND lang = ? AND day >= ? AND day <= ?"
                    params += [q["langs"][0], "2023-01-01", "2025-06-30"]
                t = time.perf_counter()
                db.execute(
                    f"SELECT rowid FROM docs WHERE {where} ORDER BY bm25(docs, 2.0, 1.0) LIMIT 10",
                    params,
                ).fetchall()
                db.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()
                samples.append((time.perf_counter() - t) * 1000)
            latency[kind] = percentiles(samples)
        db.close()
    return {"build_s": build, "latency": latency}


def tantivy_bench(corpus_path, kinds):
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", tokenizer_name="whitespace")
    builder.add_text_field("body", tokenizer_name="whitespace")
    builder.add_text_field("lang", tokenizer_name="raw")
    builder.add_integer_field("day", fast=True, indexed=True)
    schema = builder.build()
    with tempfile.TemporaryDirectory() as tmp:
        index = tantivy.Index(schema, path=tmp)
        rows = list(analysed(corpus_path))
        started = time.monotonic()
        writer = index.writer()
        for doc, title, body in rows:
            writer.add_document(
                tantivy.Document(
                    title=title,
                    body=body,
                    lang=doc["lang"],
                    day=int(doc["published"][:10].replace("-", "")),
                )
            )
        writer.commit()
        writer.wait_merging_threads()
        build = time.monotonic() - started
        index.reload()
        searcher = index.searcher()
        latency = {}
        Occur = tantivy.Occur
        for kind, queries in kinds.items():
            samples = []
            for q in queries:
                groups, phrase = query_groups(q["query"])
                if not groups:
                    continue
                if phrase and len(groups) > 1:
                    parts = [
                        tantivy.Query.boolean_query(
                            [
                                (
                                    Occur.Should,
                                    tantivy.Query.phrase_query(schema, f, [g[0] for g in groups]),
                                )
                                for f in ("title", "body")
                            ]
                        )
                    ]
                else:
                    parts = [
                        tantivy.Query.boolean_query(
                            [
                                (Occur.Should, tantivy.Query.term_query(schema, f, t))
                                for t in g
                                for f in ("title", "body")
                            ]
                        )
                        for g in groups
                    ]
                clauses = [(Occur.Must, p) for p in parts]
                if "langs" in q:
                    clauses.append(
                        (Occur.Must, tantivy.Query.term_query(schema, "lang", q["langs"][0]))
                    )
                    clauses.append(
                        (
                            Occur.Must,
                            tantivy.Query.range_query(
                                schema, "day", tantivy.FieldType.Integer, 20230101, 20250630
                            ),
                        )
                    )
                query = tantivy.Query.boolean_query(clauses)
                t = time.perf_counter()
                searcher.search(query, 10, count=True)
                samples.append((time.perf_counter() - t) * 1000)
            latency[kind] = percentiles(samples)
    return {"build_s": build, "latency": latency}


# The run ----------------------------------------------------------------------------


ADDED = 2000  # articles an incremental reindex adds


def write_new_articles(path: Path, n: int, seed: int) -> None:
    """``n`` articles the corpus does not hold (their own ids and URLs)."""
    from corpus import articles

    with open(path, "w", encoding="utf-8") as f:
        for doc in articles(n, seed):
            doc["id"] = doc["id"].replace("bench-", "bench-added-")
            doc["url"] = doc["url"].replace("/bench.example/", "/bench.example/added/")
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")


def run_size(n, peers, web_seconds):
    from corpus import write_jsonl

    RESULTS.mkdir(exist_ok=True)
    corpus_path = RESULTS / f"corpus-{n}.jsonl"
    if not corpus_path.exists():
        write_jsonl(corpus_path, n)
    size_mb = corpus_path.stat().st_size / 1e6
    result = {"docs": n, "input_mb": size_mb}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "defnews.toml"
        config.write_text(f'[index]\npath = "ix"\n[[source]]\npath = "{corpus_path}"\n', "utf-8")
        index_dir = str(Path(tmp) / "ix")
        seconds, rss, _ = run_measured([*DEFNEWS, "reindex", "--config", str(config)])
        result["index"] = {
            "seconds": seconds,
            "docs_per_s": n / seconds,
            "mb_per_s": size_mb / seconds,
            "peak_rss_mb": rss,
        }
        gen = Path(index_dir) / (Path(index_dir) / "CURRENT").read_text().strip()
        result["index"]["size_mb"] = sum(f.stat().st_size for f in gen.iterdir()) / 1e6
        noop, _, out = run_measured([*DEFNEWS, "reindex", "--config", str(config)])
        result["noop_reindex"] = {"command_s": noop, "summary": out.strip()}
        # a cron run's real work: a day's new articles (2,000) onto the corpus
        added = Path(tmp) / "added.jsonl"
        write_new_articles(added, ADDED, seed=n + 7)
        config.write_text(config.read_text("utf-8") + f'[[source]]\npath = "{added}"\n', "utf-8")
        seconds, rss, out = run_measured([*DEFNEWS, "reindex", "--config", str(config)])
        result["add_reindex"] = {
            "docs": ADDED, "command_s": seconds, "peak_rss_mb": rss, "summary": out.strip()
        }  # fmt: skip
        kinds = make_queries(corpus_path)
        queries_path = Path(tmp) / "queries.json"
        queries_path.write_text(json.dumps(kinds, ensure_ascii=False), "utf-8")
        # Search is timed once the build's writes are on disk: at 1M the
        # kernel was still writing ~8 GB back while queries ran, and that
        # measured the disk, not the search (a server sees it settled).
        started = time.monotonic()
        os.sync()
        result["index"]["writeback_s"] = time.monotonic() - started
        result["search"] = query_bench(index_dir, queries_path)
        if web_seconds:
            result["web"] = web_bench(index_dir, kinds, web_seconds)
        if peers:
            result["sqlite"] = sqlite_bench(corpus_path, kinds)
            result["tantivy"] = tantivy_bench(corpus_path, kinds)
    return result


def search_only(n, index_dir, web_seconds):
    """The search and web rows over an index built earlier from corpus-N."""
    corpus_path = RESULTS / f"corpus-{n}.jsonl"
    if not corpus_path.exists():
        raise SystemExit(f"{corpus_path} is missing: the queries are drawn from it")
    result = {"docs": n, "input_mb": corpus_path.stat().st_size / 1e6, "index_dir": index_dir}
    kinds = make_queries(corpus_path)
    with tempfile.TemporaryDirectory() as tmp:
        queries_path = Path(tmp) / "queries.json"
        queries_path.write_text(json.dumps(kinds, ensure_ascii=False), "utf-8")
        result["search"] = query_bench(index_dir, queries_path)
    if web_seconds:
        result["web"] = web_bench(index_dir, kinds, web_seconds)
    return result


def print_table(results):
    for r in results:
        s = r["search"]
        print(f"\n## {r['docs']:,} documents ({r['input_mb']:.0f} MB of JSONL)\n")
        print(
            "| measure | defnews (Whoosh) |"
            + (" SQLite FTS5 | tantivy | Whoosh / FTS5 p95 |" if "sqlite" in r else "")
        )
        print("|---|---|" + ("---|---|---|" if "sqlite" in r else ""))
        if "index" not in r:
            print(f"| (search only, over {r['index_dir']}) | |")
        else:
            i = r["index"]
            print(
                f"| indexing, end to end | {i['docs_per_s']:.0f} docs/s, {i['mb_per_s']:.2f} MB/s, peak RSS {i['peak_rss_mb']:.0f} MB |"
                + (
                    f" {r['sqlite']['build_s']:.1f} s (engine only) | {r['tantivy']['build_s']:.1f} s (engine only) | |"
                    if "sqlite" in r
                    else ""
                )
            )
            print(f"| index size | {i['size_mb']:.0f} MB |" + (" | | |" if "sqlite" in r else ""))
            if "writeback_s" in i:
                print(
                    f"| writing the build back to disk, before search | {i['writeback_s']:.1f} s |"
                    + (" | | |" if "sqlite" in r else "")
                )
            print(
                f"| no-op reindex (whole command) | {r['noop_reindex']['command_s']:.2f} s |"
                + (" | | |" if "sqlite" in r else "")
            )
        if "add_reindex" in r:
            a = r["add_reindex"]
            print(
                f"| reindex adding {a['docs']:,} articles (whole command) | {a['command_s']:.1f} s, peak RSS {a['peak_rss_mb']:.0f} MB |"
                + (" | | |" if "sqlite" in r else "")
            )
        print(
            f"| cold open + first query | {s['open_s']:.2f} + {s['first_query_s']:.2f} s |"
            + (" | | |" if "sqlite" in r else "")
        )
        print(
            f"| search process RSS | {s['rss_mb']:.0f} MB |" + (" | | |" if "sqlite" in r else "")
        )
        print(
            f"| broad query matches | {s['broad_share']:.0%} of documents |"
            + (" | | |" if "sqlite" in r else "")
        )
        for kind, lat in s["latency"].items():
            digits = 2 if kind.startswith("expansion") else 1
            line = f"| {kind} p50/p95/p99 ms | {lat['p50']:.{digits}f} / {lat['p95']:.{digits}f} / {lat['p99']:.{digits}f} |"
            base = kind.split(": ", 1)[1]
            if "sqlite" in r and kind.startswith("top-10") and base in r["sqlite"]["latency"]:
                sq, tv = r["sqlite"]["latency"][base], r["tantivy"]["latency"][base]
                line += f" {sq['p50']:.1f} / {sq['p95']:.1f} | {tv['p50']:.2f} / {tv['p95']:.2f} | {lat['p95'] / max(sq['p95'], 1e-6):.1f}x |"
            elif "sqlite" in r:
                line += " | | |"
            print(line)
        if "web" in r:
            w = r["web"]
            print(
                f"| /api/search, {w['clients']} clients | {w['rps']:.0f} req/s, p50 {w['p50']:.0f} / p99 {w['p99']:.0f} ms, {w['errors']} errors |"
                + (" | | |" if "sqlite" in r else "")
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="10000")
    parser.add_argument("--peers", action="store_true")
    parser.add_argument("--web-seconds", type=float, default=10)
    parser.add_argument("--index", help="search this index, built from --docs' corpus")
    args = parser.parse_args()
    if args.index:
        results = [search_only(int(args.docs), args.index, args.web_seconds)]
    else:
        results = [run_size(int(n), args.peers, args.web_seconds) for n in args.docs.split(",")]
    print_table(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")
    print(f"\n(written to {out.relative_to(HERE.parent)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
