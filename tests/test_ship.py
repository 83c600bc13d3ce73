"""Read replicas: `defnews ship` copies the live generation to a replica
directory that its own `defnews serve` reads. Two real servers over two
replicas answer requests while new generations are shipped to them; none
errs, each answers from a whole generation, and each serves a shipped
generation from the next request on, without a restart."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from conftest import CORPUS_DIR, build_index, serving

from indexer import store


def _ship(index_dir, replica):
    return subprocess.run(
        [sys.executable, "-m", "indexer", "ship", "--index", str(index_dir), str(replica)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def _total(base: str) -> int:
    with urllib.request.urlopen(base + "/api/search?q=&per_page=1", timeout=10) as r:
        return json.load(r)["total"]


def _batch(path: Path, round_: int, n: int = 5) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({
                "id": f"ship-{round_}-{i}", "url": f"https://replica.example/{round_}/{i}",
                "title": f"Replica round {round_} article {i}",
                "body": f"Shipped in round {round_}: HIMARS deliveries, article {i}.",
                "published": "2026-12-01", "lang": "en", "source": "Replica test",
            }) + "\n")  # fmt: skip
    return path


def test_two_servers_over_two_replicas_take_shipped_generations_without_errors(tmp_path):
    source = tmp_path / "index"
    replicas = [tmp_path / "replica-1", tmp_path / "replica-2"]
    build_index(source, CORPUS_DIR)
    counts = [store.read_meta(store.current_generation(str(source)))["documents"]]
    for replica in replicas:
        assert _ship(source, replica).returncode == 0
    errors, seen = [], [set(), set()]
    stop = threading.Event()

    def client(n: int, base: str):
        while not stop.is_set():
            try:
                seen[n].add(_total(base))
            except Exception as e:  # any failed request is the finding
                errors.append(f"{base}: {e!r}")

    with (
        serving(replicas[0], tmp_path / "serve-1.log", workers=1) as first,
        serving(replicas[1], tmp_path / "serve-2.log", workers=1) as second,
    ):
        bases = (first, second)
        threads = [
            threading.Thread(target=client, args=(n, base)) for n, base in [*enumerate(bases)] * 2
        ]
        for t in threads:
            t.start()
        try:
            for round_ in range(1, 5):
                build_index(source, _batch(tmp_path / f"batch-{round_}.jsonl", round_))
                counts.append(counts[-1] + 5)
                for replica, base in zip(replicas, bases, strict=True):
                    done = _ship(source, replica)
                    assert done.returncode == 0, done.stderr
                    assert "linked" in done.stdout  # only the new segments were copied
                    # the very next request is answered from the shipped generation
                    assert _total(base) == counts[-1]
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert errors == []
    for totals in seen:  # every answer came from one whole shipped generation
        assert totals <= set(counts) and len(totals) >= 3
    # a replica passes the same integrity check as the index it came from
    for replica in replicas:
        check = subprocess.run(
            [sys.executable, "-m", "indexer", "check", "--index", str(replica)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert check.returncode == 0, check.stderr
    again = _ship(source, replicas[0])
    assert again.returncode == 0 and "up to date" in again.stdout


def test_a_damaged_or_half_copied_source_is_refused_and_the_replica_keeps_serving(tmp_path):
    source, replica = tmp_path / "index", tmp_path / "replica"
    build_index(source, CORPUS_DIR)
    assert _ship(source, replica).returncode == 0
    live = store.current_generation(str(replica))
    # a copy of the index whose newest generation is torn: a file the replica
    # lacks cut short (what a source mirror still being rsynced looks like)
    torn = tmp_path / "torn"
    shutil.copytree(source, torn)
    build_index(torn, _batch(tmp_path / "batch.jsonl", 1))
    gen = Path(store.current_generation(str(torn)))
    shipped = store.read_meta(live)["manifest"]
    new = {k: v for k, v in store.read_meta(str(gen))["manifest"].items() if k not in shipped}
    name, (size, _) = max(new.items(), key=lambda f: f[1][0])
    with open(gen / name, "r+b") as f:
        f.truncate(size // 2)
    done = _ship(torn, replica)
    assert done.returncode == 2
    assert name in done.stderr and "nothing was shipped" in done.stderr
    assert "Traceback" not in done.stderr
    # the replica still serves its generation, and no half-copied one is left
    assert store.current_generation(str(replica)) == live
    assert sorted(p.name for p in replica.glob("gen-*")) == [Path(live).name]
    with serving(replica, tmp_path / "serve.log", workers=1) as base:
        assert _total(base) == store.read_meta(live)["documents"]


def test_shipping_an_index_onto_itself_or_from_nothing_is_a_clear_error(tmp_path):
    done = _ship(tmp_path / "none", tmp_path / "replica")
    assert done.returncode == 2 and "no index at" in done.stderr
    build_index(tmp_path / "index", CORPUS_DIR)
    done = _ship(tmp_path / "index", tmp_path / "index")
    assert done.returncode == 2 and "is the index itself" in done.stderr
