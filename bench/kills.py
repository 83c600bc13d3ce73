"""Randomized kill test of `defnews reindex` on inputs that start the worker pool.

    python bench/kills.py --kills 60 [--seed 1] [--json FILE]

Every source file written here is larger than ``PARALLEL_BYTES``, so each
run that has something to index does it with the worker pool
(indexer/parallel.py), the path the kills are aimed at. Rounds cycle through
a first build (no index yet), an incremental run (a new batch file, and the
oldest one removed once there are three) and ``--rebuild``. In each round the
run is SIGKILLed at a random moment of its expected span: its parent, or
(every other round) one of its workers once they are running. Then:

- every process the run started must be gone within 5 s (``orphans``);
- a killed worker must fail its run with exit 1 and a message naming it
  (``unclear worker failures``);
- the live index, if any, must pass `defnews check` (``unreadable``) and hold
  every article a finished run had committed (``lost``);
- the next plain `defnews reindex` must write (not exit 75: ``blocked``),
  exit 0 and leave the index holding exactly the sources' articles
  (``next run incomplete``).

Prints the figures as a table; exits 1 if any that must be 0 is not.
tests/test_kills.py runs a short version in `make test`; docs/reliability.md
records a long one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.columns import column_items  # noqa: E402
from indexer.index import PARALLEL_BYTES, open_index  # noqa: E402

DEFNEWS = [sys.executable, "-m", "indexer"]
SCENARIOS = ("first build", "incremental", "rebuild")
# A batch file: just past the size that starts the worker pool.
BATCH_BYTES = int(PARALLEL_BYTES * 1.05)
MAX_FILES = 3
# How long a killed run's processes may outlive it.
ORPHAN_SECONDS = 5.0
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def vocabulary() -> dict[str, list[str]]:
    """Words of the shipped sample corpus, per language, with repeats (so
    drawing from them keeps its word frequencies)."""
    words: dict[str, list[str]] = {"en": [], "uk": []}
    for path in sorted((ROOT / "data" / "articles").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            doc = json.loads(line)
            words[doc["lang"]] += _WORD.findall(f"{doc['title']} {doc['body']}")
    return words


def write_batch(path: Path, tag: str, rng: random.Random, words) -> list[str]:
    """Write articles to ``path`` until it holds BATCH_BYTES; return their ids."""
    ids = []
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < BATCH_BYTES:
            lang = "uk" if len(ids) % 2 else "en"
            body = rng.choices(words[lang], k=rng.randint(250, 550))
            doc = {
                "id": f"{tag}-{len(ids)}",
                "title": " ".join(rng.choices(words[lang], k=8)).capitalize(),
                "body": ". ".join(" ".join(body[k : k + 14]) for k in range(0, len(body), 14)),
                "published": f"{rng.randint(2022, 2026)}-{rng.randint(1, 12):02d}-01",
                "lang": lang,
                "source": f"Kill test {lang}",
            }
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
            ids.append(doc["id"])
    return ids


def children(pid: int) -> list[int]:
    """Pids of the live processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def indexed_ids(index_dir: Path) -> set[str] | None:
    if not (index_dir / "CURRENT").exists():
        return None
    with open_index(str(index_dir)).reader() as reader:
        return {doc_id for _, doc_id in column_items(reader, "id")}


class KillTest:
    def __init__(self, work: Path, seed: int):
        self.work = work
        self.rng = random.Random(seed)
        self.words = vocabulary()
        self.sources = work / "articles"
        self.sources.mkdir()
        self.index = work / "ix"
        self.config = work / "defnews.toml"
        self.config.write_text(
            f'[index]\npath = "{self.index}"\n[[source]]\npath = "{self.sources}"\n'
        )
        self.files: dict[Path, list[str]] = {}
        self.batches = 0
        self.committed: set[str] = set()
        self.figures = Counter()
        # scenario → (seconds a whole run took, batch files it read)
        self.span: dict[str, tuple[float, int]] = {}
        self.orphan_seconds: list[float] = []

    def cli(self, *args, **kwargs):
        return subprocess.run(
            [*DEFNEWS, *args], capture_output=True, text=True, timeout=600, **kwargs
        )

    def add_batch(self) -> None:
        path = self.sources / f"batch-{self.batches:03d}.jsonl"
        self.files[path] = write_batch(path, f"b{self.batches}", self.rng, self.words)
        self.batches += 1
        if len(self.files) > MAX_FILES:  # the oldest goes: the run removes its articles
            oldest = min(self.files)
            oldest.unlink()
            del self.files[oldest]

    def expected(self) -> set[str]:
        return {i for ids in self.files.values() for i in ids}

    def reindex(self, rebuild=False) -> subprocess.Popen:
        args = [*DEFNEWS, "reindex", "--config", str(self.config)]
        return subprocess.Popen(
            args + (["--rebuild"] if rebuild else []),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def calibrate(self) -> None:
        """Time each scenario once, uninterrupted: kills land within these spans."""
        for scenario in SCENARIOS:
            self.prepare(scenario)
            started = time.monotonic()
            run = self.cli("reindex", "--config", str(self.config), *self.flags(scenario))
            files = 1 if scenario == "incremental" else len(self.files)
            self.span[scenario] = (time.monotonic() - started, files)
            if run.returncode != 0:
                raise SystemExit(f"calibration run failed: {run.stderr}")
            self.committed = indexed_ids(self.index) or set()

    def prepare(self, scenario: str) -> None:
        if scenario == "first build":
            shutil.rmtree(self.index, ignore_errors=True)
            self.committed = set()
            if not self.files:
                self.add_batch()
        elif scenario == "incremental":
            self.add_batch()

    def expected_span(self, scenario: str) -> float:
        seconds, files = self.span[scenario]
        return seconds if scenario == "incremental" else seconds * len(self.files) / files

    @staticmethod
    def flags(scenario: str) -> list[str]:
        return ["--rebuild"] if scenario == "rebuild" else []

    def round(self, number: int) -> dict:
        scenario = SCENARIOS[number % len(SCENARIOS)]
        victim = "worker" if number % 2 else "parent"
        self.prepare(scenario)
        run = self.reindex(rebuild=scenario == "rebuild")
        seen: set[int] = set()
        pool_at_kill = self.kill(run, victim, self.expected_span(scenario), seen)
        _, err = run.communicate()
        code = run.returncode
        seen.update(children(run.pid))
        record = {"round": number, "scenario": scenario, "victim": victim, "exit": code,
                  "pool running at the kill": pool_at_kill}  # fmt: skip
        self.figures["kills"] += 1
        self.figures[f"kills of the {victim}"] += 1
        self.figures[f"kills during: {scenario}"] += 1
        self.figures["kills while the pool ran"] += pool_at_kill
        if code == 0:
            self.figures["runs that finished before the kill"] += 1
        elif victim == "worker" and pool_at_kill:
            clear = code == 1 and "indexing worker" in err and "SIGKILL" in err
            self.figures["unclear worker failures"] += not clear
        self.reap(seen)
        self.verify(code == 0)
        self.next_run()
        return record

    def kill(self, run: subprocess.Popen, victim: str, span: float, seen: set[int]) -> bool:
        """Kill the run's parent at a random moment of ``span``, or one of its
        workers at a random moment of theirs; return whether the pool ran."""
        deadline = time.monotonic() + self.rng.uniform(0.02, 1.1) * span
        if victim == "worker":
            while run.poll() is None and not children(run.pid):
                time.sleep(0.01)
            deadline = time.monotonic() + self.rng.uniform(0.0, 0.7) * span
        while time.monotonic() < deadline and run.poll() is None:
            seen.update(children(run.pid))
            time.sleep(0.01)
        workers = children(run.pid)
        seen.update(workers)
        if run.poll() is not None:
            return False
        if victim == "worker" and workers:
            os.kill(self.rng.choice(workers), signal.SIGKILL)
        else:
            run.kill()
        return bool(workers)

    def reap(self, pids: set[int]) -> None:
        """Wait for the killed run's processes to end on their own."""
        started = time.monotonic()
        while any(alive(p) for p in pids) and time.monotonic() - started < ORPHAN_SECONDS:
            time.sleep(0.02)
        left = [p for p in pids if alive(p)]
        self.orphan_seconds.append(time.monotonic() - started if pids else 0.0)
        self.figures["orphans"] += len(left)
        for pid in left:  # so the next round starts clean
            os.kill(pid, signal.SIGKILL)

    def verify(self, finished: bool) -> None:
        present = indexed_ids(self.index)
        if present is None:
            self.figures["unreadable"] += bool(self.committed)  # an index went missing
            return
        check = self.cli("check", "--index", str(self.index), "--budget", "5")
        self.figures["unreadable"] += check.returncode != 0
        self.figures["lost"] += len(self.committed - present)
        if finished:
            self.committed = present

    def next_run(self) -> None:
        done = self.cli("reindex", "--config", str(self.config))
        self.figures["blocked"] += done.returncode == 75
        self.figures["next run failed"] += done.returncode not in (0, 75)
        present = indexed_ids(self.index) or set()
        self.figures["next run incomplete"] += present != self.expected()
        self.committed = present


MUST_BE_ZERO = ("unreadable", "lost", "blocked", "next run failed", "next run incomplete",
                "orphans", "unclear worker failures")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="defnews-kills-"))
    started = time.monotonic()
    try:
        test = KillTest(work, args.seed)
        test.calibrate()
        rounds = [test.round(n) for n in range(args.kills)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = dict(test.figures)
    for name in MUST_BE_ZERO:
        figures.setdefault(name, 0)
    figures["slowest exit of a killed run's processes (s)"] = round(max(test.orphan_seconds), 2)
    figures["seconds"] = round(time.monotonic() - started, 1)
    spans = ", ".join(f"{k} {v[0]:.1f}s" for k, v in test.span.items())
    print(
        f"kill test: {args.kills} kills, seed {args.seed}, batches of {BATCH_BYTES:,} bytes ({spans})"
    )
    print(f"| {'figure':<46} | {'value':>7} |\n|{'-' * 48}|{'-' * 9}|")
    for name, value in figures.items():
        flag = "  <- must be 0" if name in MUST_BE_ZERO and value else ""
        print(f"| {name:<46} | {value:>7} |{flag}")
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures, "rounds": rounds}, indent=1))
    return 1 if any(figures[name] for name in MUST_BE_ZERO) else 0


if __name__ == "__main__":
    sys.exit(main())
