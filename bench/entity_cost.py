"""What entity detection costs indexing: the same corpus indexed by the code
before weapon systems existed (a git revision), by today's code with an
empty systems gazetteer, and by today's code with data/systems.toml.

Runs are interleaved (A B C, A B C, ...) so drift of a shared machine hits
every variant alike; the table gives each variant's median docs/s and its
change against the first. The corpus is bench/corpus.py's synthetic news.

Run: python bench/entity_cost.py [--docs 100000] [--rounds 2] [--before REV]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))
# The last commit before weapon systems (issue 16).
BEFORE = "8083750"
EMPTY_SYSTEMS = "[classes]\n[cues]\nclass_words = []\n"


def index_once(code_dir: Path, corpus: Path, env: dict) -> float:
    """Seconds for a fresh index of ``corpus`` by the code in ``code_dir``."""
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "indexer", "index", "--index", f"{tmp}/ix", str(corpus)],
            cwd=code_dir,
            env={**os.environ, "PYTHONPATH": str(code_dir), **env},
            check=True,
            capture_output=True,
        )
        return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default=BEFORE, help="revision without systems")
    args = parser.parse_args()
    from corpus import write_jsonl

    RESULTS.mkdir(exist_ok=True)
    corpus = RESULTS / f"corpus-{args.docs}.jsonl"
    if not corpus.exists():
        write_jsonl(corpus, args.docs)
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(before), args.before],
                       cwd=ROOT, check=True)  # fmt: skip
        empty = Path(tmp) / "no-systems.toml"
        empty.write_text(EMPTY_SYSTEMS, "utf-8")
        variants = {
            f"before systems ({args.before})": (before, {}),
            "systems gazetteer empty": (ROOT, {"DEFNEWS_SYSTEMS": str(empty)}),
            "with data/systems.toml": (ROOT, {}),
        }
        seconds = {name: [] for name in variants}
        try:
            for _ in range(args.rounds):
                for name, (code, env) in variants.items():
                    seconds[name].append(index_once(code, corpus, env))
                    print(f"  {name}: {seconds[name][-1]:.1f} s", file=sys.stderr)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT)
    print(f"\n{args.docs:,} documents, {args.rounds} interleaved rounds, median\n")
    print("| variant | docs/s | change |\n|---|---|---|")
    first = None
    for name, runs in seconds.items():
        rate = args.docs / statistics.median(runs)
        first = first or rate
        print(f"| {name} | {rate:.0f} | {100 * (rate / first - 1):+.1f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
