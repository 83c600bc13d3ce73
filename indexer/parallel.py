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
"""

from __future__ import annotations

import gc
import multiprocessing
import queue

from whoosh import index as whoosh_index

from .errors import DefnewsError
from .writer import news_writer

# Articles handed to a worker at a time: big enough that queue traffic is
# small, small enough that workers share uneven inputs evenly.
BATCH = 100
# Seconds between checks that every worker is still alive while waiting.
_POLL = 1.0


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
                args=(gen_dir, self._jobs, self._results, limitmb, build_document),
                daemon=True,
            )
            for _ in range(procs)
        ]
        for worker in self._workers:
            worker.start()

    def add(self, record, digest: str) -> None:
        self._batch.append((record, digest))
        if len(self._batch) >= BATCH:
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
            raise DefnewsError(f"an indexing worker failed: {errors[0]}")
        return segments

    def cancel(self) -> None:
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
        dead = [w for w in self._workers if not w.is_alive() and w.exitcode != 0]
        if not dead:
            return
        reason = f"exit code {dead[0].exitcode}"
        try:
            kind, value = self._results.get_nowait()
            if kind == "error":
                reason = value
        except queue.Empty:
            pass
        raise DefnewsError(f"an indexing worker failed: {reason}")


def _work(gen_dir, jobs, results, limitmb, build_document) -> None:
    # The cyclic garbage collector walked the worker's young objects every
    # 700 allocations and its caches on every full pass, for next to no
    # garbage: what the worker inherited is frozen out of its view and it
    # runs less often (10k articles: 332-355 -> 381-383 docs/s).
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
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
