"""Load with a concurrent reindex: the real server under concurrent clients
while `defnews reindex` publishes new batches, and nothing committed is missed.

    python bench/load.py --seconds 30 --clients 8

Starts `defnews serve` (gunicorn) on 127.0.0.1 over a temporary index of
the sample corpus. A writer thread adds a batch file of new articles and runs
`defnews reindex` (or `defnews index` with --mode index), again and again;
every article of batch N carries the word ``lmNNNNN`` and nothing else does.
Client threads (urllib) search a mix of ordinary queries and batch markers.
A marker query is only sent for a batch whose reindex had exited before the
request began, so its answer must hold every article of that batch: anything
less is a missed article. Prints throughput, latency percentiles, errors and
misses; exits 1 if any request failed or missed an article.

Timings are printed, never asserted (tests/test_load.py runs a short version
for the zero-errors/zero-misses part).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEFNEWS = [sys.executable, "-m", "indexer"]
QUERIES = ["ракета", "F-16", "Rheinmetall снаряди", "дрони", '"air defense"', "Су-34", "танк OR Leopard",
           "снаряд*", "Patriot", "ППО"]  # fmt: skip


@dataclass
class Sample:
    kind: str  # "query" or "marker"
    started: float
    seconds: float
    ok: bool
    missed: bool = False
    error: str = ""


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    commits: dict[int, float] = field(default_factory=dict)  # batch → its writer's exit time
    write_seconds: list[float] = field(default_factory=list)
    write_failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def marker(batch: int) -> str:
    return f"lm{batch:05d}"


def write_batch(src: Path, batch: int, size: int) -> None:
    lines = [
        json.dumps(
            {
                "id": f"load-{batch}-{i}",
                "title": f"Навантаження {marker(batch)} стаття {i}",
                "body": f"Ракети і снаряди, партія {marker(batch)}. " * 5,
                "lang": "uk",
                "published": "2025-01-01",
            },
            ensure_ascii=False,
        )  # fmt: skip
        for i in range(size)
    ]
    tmp = src / f".batch-{batch}.tmp"
    tmp.write_text("\n".join(lines) + "\n", "utf-8")
    tmp.rename(src / f"batch-{batch:05d}.jsonl")  # whole, or not there


def writer(run: Run, args, work: Path, stop: threading.Event) -> None:
    batch = 0
    while not stop.is_set():
        batch += 1
        write_batch(work / "src", batch, args.batch_size)
        if args.mode == "reindex":
            command = [*DEFNEWS, "reindex", "--config", str(work / "defnews.toml"), "--wait", "30"]
        else:
            command = [*DEFNEWS, "index", str(work / "src" / f"batch-{batch:05d}.jsonl"),
                       "--index", str(work / "ix"), "--wait", "30"]  # fmt: skip
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True)
        finished = time.monotonic()
        with run.lock:
            if done.returncode == 0:
                run.commits[batch] = finished  # published before the process exited
                run.write_seconds.append(finished - started)
            else:
                run.write_failures.append(
                    f"batch {batch}: exit {done.returncode}: {done.stderr[-300:]}"
                )
        stop.wait(args.pause)


def client(run: Run, base: str, args, seed: int, stop: threading.Event) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        with run.lock:
            committed = list(run.commits)
        started = time.monotonic()  # after the snapshot: every batch in it was committed
        if committed and rng.random() < args.marker_share:
            kind, batch = "marker", rng.choice(committed)
            params = {"q": marker(batch), "per_page": 1}
        else:
            kind, batch = "query", None
            params = {"q": rng.choice(QUERIES)}
        url = f"{base}/api/search?{urlencode(params)}"
        sample = Sample(kind, started, 0.0, ok=False)
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                body = json.load(response)
            sample.ok = True
            if batch is not None and body["total"] < args.batch_size:
                sample.missed = True
                sample.error = f"{marker(batch)}: {body['total']} of {args.batch_size} articles"
        except (urllib.error.URLError, OSError, ValueError) as e:
            sample.error = f"{type(e).__name__}: {e}"
        sample.seconds = time.monotonic() - started
        with run.lock:
            run.samples.append(sample)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(work: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(work / "serve.log", "w")  # open as long as the server runs
    process = subprocess.Popen(
        [*DEFNEWS, "serve", "--port", str(port), "--workers", str(workers),
         "--index", str(work / "ix")],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return process, base
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                text = (work / "serve.log").read_text()
                raise SystemExit(f"server did not start:\n{text}") from None
            time.sleep(0.2)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(run: Run, seconds: float) -> dict:
    samples = run.samples
    rows = {}
    for kind in ("query", "marker", "all"):
        chosen = [s for s in samples if kind == "all" or s.kind == kind]
        times = [s.seconds * 1000 for s in chosen if s.ok]
        rows[kind] = {
            "requests": len(chosen),
            "per_second": len(chosen) / seconds,
            "p50_ms": percentile(times, 50),
            "p90_ms": percentile(times, 90),
            "p99_ms": percentile(times, 99),
            "max_ms": max(times, default=float("nan")),
            "errors": sum(1 for s in chosen if not s.ok),
            "missed": sum(1 for s in chosen if s.missed),
        }
    rows["writes"] = {
        "batches_committed": len(run.commits),
        "write_p50_s": statistics.median(run.write_seconds) if run.write_seconds else None,
        "write_failures": len(run.write_failures),
    }
    return rows


def print_table(rows: dict, args, seconds: float) -> None:
    print(f"defnews load: {args.clients} clients, {seconds:.1f} s, server {args.workers} "
          f"workers, writer `defnews {args.mode}` of {args.batch_size}-article batches")  # fmt: skip
    header = f"{'':8} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} {'missed':>7}"
    print(header)
    for kind in ("query", "marker", "all"):
        r = rows[kind]
        print(f"{kind:8} {r['requests']:>9} {r['per_second']:>7.1f} {r['p50_ms']:>8.1f} "
              f"{r['p90_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {r['errors']:>7} "
              f"{r['missed']:>7}")  # fmt: skip
    w = rows["writes"]
    p50 = f"{w['write_p50_s']:.2f} s" if w["write_p50_s"] is not None else "–"
    print(f"writes: {w['batches_committed']} batches committed (p50 {p50} each), "
          f"{w['write_failures']} failed")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--mode", choices=("reindex", "index"), default="reindex")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between writes")
    parser.add_argument("--marker-share", type=float, default=0.5)
    parser.add_argument("--corpus", default=str(ROOT / "data" / "articles"))
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="defnews-load-"))
    server = None
    try:
        (work / "src").mkdir()
        corpus = Path(args.corpus)
        for path in [corpus] if corpus.is_file() else sorted(corpus.glob("*.jsonl")):
            shutil.copy(path, work / "src" / path.name)
        (work / "defnews.toml").write_text(
            '[index]\npath = "ix"\n[[source]]\npath = "src"\n', "utf-8"
        )
        subprocess.run([*DEFNEWS, "reindex", "--config", str(work / "defnews.toml")],
                       check=True, capture_output=True)  # fmt: skip
        server, base = start_server(work, args.workers)
        run = Run()
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(run, args, work, stop))]
        threads += [
            threading.Thread(target=client, args=(run, base, args, seed, stop))
            for seed in range(args.clients)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    rows = report(run, elapsed)
    print_table(rows, args, elapsed)
    for sample in [s for s in run.samples if s.error][:10]:
        print(f"  {sample.kind}: {sample.error}", file=sys.stderr)
    for failure in run.write_failures[:5]:
        print(f"  write failed: {failure}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "rows": rows}, indent=1))
    bad = rows["all"]["errors"] or rows["all"]["missed"] or run.write_failures
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
