"""Write new documents in worker processes, each into its own segments.

Whoosh's MpWriter parallelises only its own writer: the documents it is given
must already be built, so company detection and the spelling words (a third
of the work per article) ran in the parent, one core, while the writer
processes waited on it. Here each worker gets the articles themselves and
does everything for its share — tagging, analysis, postings — into segments
of the new generation (a new one whenever its postings buffer is full); the
parent only reads input, compares hashes, deletes replaced documents and
finally lists the workers' segments in the table of contents (as MpWriter
does with ``multisegment=True``).

A worker never outlives its run: it ignores SIGINT and SIGTERM (the parent
decides when to stop, and kills it), exits as soon as the parent is gone
however the parent died, and holds none of the parent's locks
(``store.writer_lock``). The parent checks its workers before handing out
each batch and while it waits, so a worker that dies fails the run within
about a second, before anything is published.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time

from whoosh import index as whoosh_index

from .collector import settle
from .errors import RunFailedError
from .writer import news_writer

# Articles handed to a worker at a time: big enough that queue traffic is
# small, small enough that workers share uneven inputs evenly.
BATCH = 100
# Seconds between checks that every worker is still alive while waiting,
# and that the parent still is, in a worker.
_POLL = 1.0
_PARENT_POLL = 0.5


class ParallelWriter:
    """Feeds (article, digest) pairs to a worker process per core."""

    def __init__(self, gen_dir: str, procs: int, limitmb: int, build_document):
        context = multiprocessing.get_context("fork")  # workers inherit the gazetteer
        self._jobs = context.Queue(maxsize=4 * procs)
        self._results = context.Queue()
        self._batch: list = []
        self._workers = [
            context.Process(
                target=_work,
                args=(os.getpid(), gen_dir, self._jobs, self._results, limitmb, build_document),
                daemon=True,
            )
            for _ in range(procs)
        ]
        for worker in self._workers:
            worker.start()

    def add(self, record, digest: str) -> None:
        self._batch.append((record, digest))
        if len(self._batch) >= BATCH:
            self._check_alive()
            self._put(self._batch)
            self._batch = []

    def finish(self) -> list:
        """Wait for the workers; return their segments (raise if one failed)."""
        if self._batch:
            self._put(self._batch)
        for _ in self._workers:
            self._put(None)
        segments, errors = [], []
        for _ in self._workers:
            kind, value = self._result()
            if kind == "ok":
                segments.extend(value)
            else:
                errors.append(value)
        for worker in self._workers:
            worker.join()
        if errors:
            raise RunFailedError(f"an indexing worker failed: {errors[0]}; nothing was published")
        return segments

    def cancel(self) -> None:
        """Kill the workers; never wait on a queue nobody reads any more."""
        for queue_ in (self._jobs, self._results):
            queue_.cancel_join_thread()
        for worker in self._workers:
            if worker.is_alive():
                worker.kill()
            worker.join()

    def _put(self, item) -> None:
        while True:
            try:
                self._jobs.put(item, timeout=_POLL)
                return
            except queue.Full:
                self._check_alive()

    def _result(self):
        while True:
            try:
                return self._results.get(timeout=_POLL)
            except queue.Empty:
                self._check_alive()

    def _check_alive(self) -> None:
        for number, worker in enumerate(self._workers, start=1):
            if worker.is_alive() or worker.exitcode == 0:
                continue
            reason = _exit_reason(worker.exitcode)
            try:
                kind, value = self._results.get_nowait()
                if kind == "error":
                    reason = value
            except queue.Empty:
                pass
            raise RunFailedError(
                f"indexing worker {number} of {len(self._workers)} (pid {worker.pid}) "
                f"failed: {reason}; nothing was published"
            )


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _follow_parent(parent: int) -> None:
    """Stop signals from reaching this worker and make it end with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):  # the kernel kills us when the parent dies
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)

    def watch():  # elsewhere, and as a second line: reparented means orphaned
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="defnews-parent-watch", daemon=True).start()


def _work(parent, gen_dir, jobs, results, limitmb, build_document) -> None:
    _follow_parent(parent)
    settle()  # what the worker inherited, out of the collector's view
    try:
        ix = whoosh_index.open_dir(gen_dir)
        writer = news_writer(ix, limitmb, lock=False)
        segments = []
        while (batch := jobs.get()) is not None:
            for record, digest in batch:
                writer.add_document(**build_document(record, digest))
                if writer.buffer_full():  # write what it holds as a segment, go on
                    segments.append(writer._finalize_segment())
                    writer = news_writer(ix, limitmb, lock=False)
        if writer.doc_count():
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        # no writer._finish(): it would delete the temp folder the parent's
        # writer shares (the parent's own finish removes it)
        results.put(("ok", segments))
    except BaseException as e:  # reported to the parent, which fails the run
        results.put(("error", f"{type(e).__name__}: {e}"))
        raise SystemExit(1) from None
