"""A short run of bench/load.py: the real server under concurrent clients
while `defnews reindex` publishes batch after batch. No request fails and no
answer misses an article whose reindex had finished before the request
began. (Timings are printed by the benchmark, never asserted.)"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, SAMPLE


def test_no_errors_and_no_missed_articles_under_load_with_reindex(tmp_path):
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--seconds", "4", "--clients", "3",
         "--batch-size", "10", "--corpus", str(SAMPLE), "--json", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads(out.read_text())["rows"]
    assert rows["writes"]["batches_committed"] >= 2 and rows["writes"]["write_failures"] == 0
    assert rows["marker"]["requests"] >= 20  # committed batches were really looked for
    assert rows["all"]["errors"] == 0 and rows["all"]["missed"] == 0
