"""How long does `defnews reindex` take when nothing changed? (10k articles)

Writes N synthetic articles (bilingual, in 20 JSONL files) to a temporary
folder, runs one full reindex, then times no-op runs, in-process and as the
real command. Prints a table. Run: python bench/reindex_noop.py [N]
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from indexer.config import load_config
from indexer.reindex import reindex

WORDS_UK = "ракета снаряд дрон завод виробництво постачання ППО танк компанія угода".split()
WORDS_EN = "missile shell drone plant production delivery air defense tank company deal".split()


def write_corpus(folder: Path, n: int, files: int = 20) -> None:
    rng = random.Random(1)
    for f in range(files):
        lines = []
        for i in range(f, n, files):
            words = WORDS_UK if i % 2 else WORDS_EN
            body = " ".join(rng.choice(words) for _ in range(300))
            lines.append(
                json.dumps(
                    {
                        "id": f"a{i}",
                        "title": " ".join(words[:4]),
                        "body": body,
                        "published": f"202{i % 5}-0{1 + i % 9}-1{i % 9}",
                        "lang": "uk" if i % 2 else "en",
                    }
                )
            )
        (folder / f"part-{f:02d}.jsonl").write_text("\n".join(lines), "utf-8")


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "articles").mkdir()
        write_corpus(tmp / "articles", n)
        (tmp / "defnews.toml").write_text(
            '[index]\npath = "ix"\n[[source]]\npath = "articles"\n', "utf-8"
        )
        config = load_config(str(tmp / "defnews.toml"))
        started = time.monotonic()
        first = reindex(config, str(tmp / "ix"))
        build = time.monotonic() - started
        inproc = []
        for _ in range(5):
            report = reindex(config, str(tmp / "ix"))
            assert report.added == report.updated == report.removed == 0
            inproc.append(report.seconds)
        command = []
        for _ in range(3):
            started = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "indexer", "reindex", "--config", str(tmp / "defnews.toml")],
                check=True,
                capture_output=True,
            )
            command.append(time.monotonic() - started)
    print(f"| no-op reindex, {n} articles | value |\n|---|---|")
    print(
        f"| first full run | {first.added} added in {build:.1f}s ({first.added / build:.0f} docs/s) |"
    )
    print(f"| no-op, in process (median of 5) | {statistics.median(inproc) * 1000:.1f} ms |")
    print(
        f"| no-op, whole `defnews reindex` command (median of 3) | {statistics.median(command):.2f} s |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
