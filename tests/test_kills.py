"""Killing `defnews reindex` on the parallel path: the worker pool.

Every batch written here is larger than ``PARALLEL_BYTES``, so the runs take
the worker-pool path (indexer/parallel.py), and each test checks that the
pool really was running (the run had child processes) when the signal came.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer import store

ROOT = Path(__file__).resolve().parent.parent
DEFNEWS = [sys.executable, "-m", "indexer"]

_spec = importlib.util.spec_from_file_location("kills", ROOT / "bench" / "kills.py")
kills = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kills)


def test_randomized_kills_of_parents_and_workers(tmp_path):
    """The short version of bench/kills.py (docs/reliability.md has the long
    one). Seed 3 lands the parent kills while the pool runs."""
    out = tmp_path / "kills.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "kills.py"), "--kills", "3", "--seed", "3",
         "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads(out.read_text())["figures"]
    assert all(figures[name] == 0 for name in kills.MUST_BE_ZERO), figures
    assert figures["kills"] == 3
    assert figures["kills while the pool ran"] >= 2, figures
    assert figures["kills of the parent"] == 2 and figures["kills of the worker"] == 1


@pytest.fixture
def pool_run(tmp_path):
    """A committed small index, then a pool-sized batch to index next."""
    sources = tmp_path / "articles"
    sources.mkdir()
    config = tmp_path / "defnews.toml"
    index_dir = tmp_path / "ix"
    config.write_text(f'[index]\npath = "{index_dir}"\n[[source]]\npath = "{sources}"\n')
    first = {"id": "first", "title": "Перша стаття", "body": "Постачання снарядів.", "lang": "uk"}
    (sources / "first.jsonl").write_text(json.dumps(first, ensure_ascii=False) + "\n", "utf-8")
    assert cli("reindex", "--config", config).returncode == 0
    batch = kills.write_batch(sources / "batch.jsonl", "big", random.Random(5), kills.vocabulary())
    return config, index_dir, batch


def cli(*args):
    return subprocess.run([*DEFNEWS, *map(str, args)], capture_output=True, text=True, timeout=300)


def start_until_pool_runs(config):
    run = subprocess.Popen(
        [*DEFNEWS, "reindex", "--config", str(config)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not kills.children(run.pid):
        assert run.poll() is None and time.monotonic() < deadline, "the pool never started"
        time.sleep(0.01)
    time.sleep(0.3)  # the workers are indexing now
    workers = kills.children(run.pid)
    assert workers and run.poll() is None
    return run, workers


def gone_within(pids, seconds):
    deadline = time.monotonic() + seconds
    while any(kills.alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize(
    "target, signum, code, message",
    [
        ("run", signal.SIGTERM, 143, "stopped by SIGTERM; nothing half-written was published"),
        ("run", signal.SIGINT, 130, "stopped by SIGINT; nothing half-written was published"),
        ("run", signal.SIGKILL, -9, ""),
        ("worker", signal.SIGKILL, 1, "failed: killed by SIGKILL; nothing was published"),
    ],
)
def test_a_stopped_or_killed_pool_run_leaves_the_index_and_the_lock_free(
    pool_run, target, signum, code, message
):
    config, index_dir, batch = pool_run
    live = store.current_generation(str(index_dir))
    run, workers = start_until_pool_runs(config)
    os.kill(run.pid if target == "run" else workers[0], signum)
    _, err = run.communicate(timeout=20)
    assert run.returncode == code, err
    assert message in err and "Traceback" not in err
    if target == "worker":
        assert f"(pid {workers[0]})" in err and "indexing worker" in err
    assert gone_within(workers, 5), "workers outlived their run"
    assert store.current_generation(str(index_dir)) == live  # nothing half-written went live
    assert cli("check", "--index", index_dir).returncode == 0
    done = cli("reindex", "--config", config)  # the lock is free: no exit 75
    assert done.returncode == 0, done.stderr
    assert f"added {len(batch)}" in done.stdout


# A lock taken without writer_lock's care, as a defnews from before the fix
# did: the forked child keeps a copy of the locked descriptor, and the parent,
# whose pid the lock records, exits at once.
LEAVE_ORPHAN_HOLDING_LOCK = """
import fcntl, os, sys, time
fd = os.open(os.path.join(sys.argv[1], ".writer.lock"), os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.pwrite(fd, f"{os.getpid()}\\n".encode(), 0)
if os.fork() == 0:
    time.sleep(60)
    os._exit(0)
print(os.getpid(), flush=True)
"""

# The same through writer_lock: its forked child must not keep the lock.
FORK_UNDER_WRITER_LOCK = """
import os, sys, time
from indexer import store
with store.writer_lock(sys.argv[1]):
    child = os.fork()
    if child == 0:  # the child says its pid once fork() has returned in it,
        print(os.getpid(), flush=True)  # so its at-fork hook has run
        time.sleep(60)
        os._exit(0)
    time.sleep(60)
"""


def children_of_exited(script, index_dir):
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(index_dir)], stdout=subprocess.PIPE, text=True
    )
    line = holder.stdout.readline()
    holder.stdout.close()
    holder.kill()
    holder.wait()
    return holder.pid, line


def test_a_lock_left_to_an_exited_runs_children_is_taken_over(pool_run):
    config, index_dir, batch = pool_run
    holder, _ = children_of_exited(LEAVE_ORPHAN_HOLDING_LOCK, index_dir)
    orphans = store.lock_holders(str(index_dir / ".writer.lock"))
    try:
        assert orphans and holder not in orphans  # the lock is held, its run is gone
        done = cli("reindex", "--config", config)
        assert done.returncode == 0, done.stderr
        assert f"taken by pid {holder}, which has exited" in done.stderr
        assert f"held by pid {orphans[0]}" in done.stderr
        assert f"added {len(batch)}" in done.stdout
    finally:
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)


def test_a_child_forked_under_the_writer_lock_does_not_hold_it(tmp_path):
    holder, line = children_of_exited(FORK_UNDER_WRITER_LOCK, tmp_path)
    child = int(line)
    try:
        assert kills.alive(child)
        assert store.lock_holders(str(tmp_path / ".writer.lock")) == []
        with store.writer_lock(str(tmp_path)):  # at once, no takeover needed
            pass
    finally:
        os.kill(child, signal.SIGKILL)
