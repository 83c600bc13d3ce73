"""Verify an index: it opens, its files are the bytes that were published, its
documents agree with their hashes and the generation's count, and every
segment's stored fields, columns and postings read.

Damage is named by file, with the exact command that rebuilds the index from
its sources (recorded in the generation by `defnews index` and `reindex`).
"""

from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass, field

from whoosh import index as whoosh_index

from . import store
from .columns import column_items
from .index import ANALYSIS_VERSION

# Seconds `defnews check` spends reading postings term by term unless told.
DEFAULT_BUDGET = 60.0


@dataclass
class CheckResult:
    problems: list[str] = field(default_factory=list)
    rebuild_command: str = ""
    documents: int = 0
    files_verified: int = 0
    terms_read: int = 0
    postings_complete: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        postings = f"postings of {self.terms_read:,} terms"
        if not self.postings_complete:
            postings += " (the budget ran out before the rest; --budget gives more time)"
        return (
            f"{self.documents:,} documents, {self.files_verified} files match their "
            f"checksums, {postings} read in {self.seconds:.1f}s"
        )


def check_index(index_dir: str) -> list[str]:
    """Problems found in the live generation (an empty list when sound)."""
    return verify_index(index_dir).problems


def verify_index(index_dir: str, budget: float = DEFAULT_BUDGET) -> CheckResult:
    """Check the live generation; read postings for at most ``budget`` seconds."""
    started = time.monotonic()
    result = CheckResult(rebuild_command=rebuild_command(index_dir))
    gen = store.current_generation(index_dir)
    if gen is None:
        result.problems.append(
            f"no live index at {index_dir} ({store.POINTER} missing or naming no generation)"
        )
        return result
    meta = _meta(gen, result.problems)
    if meta.get("analysis_version") not in (None, ANALYSIS_VERSION):
        result.problems.append(
            f"{gen} was built by an older defnews (analysis version "
            f"{meta['analysis_version']}, now {ANALYSIS_VERSION})"
        )
    result.files_verified = _verify_files(gen, meta.get("manifest"), result.problems)
    if result.problems:
        return _done(result, started)  # damaged bytes: reading them further proves nothing
    lease = store.ReaderLease(gen)  # the generation checked above, even if CURRENT moves on
    try:
        ix = whoosh_index.open_dir(gen)
        with ix.reader() as reader:
            _check_documents(reader, meta, gen, result)
            _read_segments(reader, gen, started + budget, result)
    except Exception as e:  # any failure to read is the finding
        result.problems.append(f"{gen}: the index does not open or read ({_error(e)})")
    finally:
        lease.release()
    return _done(result, started)


def _done(result: CheckResult, started: float) -> CheckResult:
    result.seconds = time.monotonic() - started
    return result


def _meta(gen: str, problems: list[str]) -> dict:
    path = os.path.join(gen, store.META)
    if not os.path.exists(path):
        problems.append(f"{path}: missing (the generation was never published)")
        return {}
    meta = store.read_meta(gen)
    if not meta:
        problems.append(f"{path}: damaged (not a JSON object)")
    return meta


def _verify_files(gen: str, manifest: dict | None, problems: list[str]) -> int:
    """Compare every data file with its size and CRC-32 at publish time.

    A generation published before manifests existed: read every file whole,
    which at least finds unreadable ones.
    """
    if not manifest:
        for name in sorted(os.listdir(gen)):
            try:
                store.file_crc32(os.path.join(gen, name))
            except OSError as e:
                problems.append(f"{os.path.join(gen, name)}: unreadable ({e.strerror})")
        return 0
    verified = 0
    for name, (size, crc) in sorted(manifest.items()):
        path = os.path.join(gen, name)
        try:
            actual_size = os.path.getsize(path)
            if actual_size != size:
                problems.append(f"{path}: damaged ({actual_size:,} bytes; {size:,} when published)")
            elif store.file_crc32(path) != crc:
                problems.append(f"{path}: damaged (its bytes differ from when published)")
            else:
                verified += 1
        except FileNotFoundError:
            problems.append(f"{path}: missing")
        except OSError as e:
            problems.append(f"{path}: unreadable ({e.strerror})")
    return verified


def _check_documents(reader, meta: dict, name: str, result: CheckResult) -> None:
    count = reader.doc_count()
    result.documents = count
    ids = [doc_id for _, doc_id in column_items(reader, "id")]
    hashes = [h for _, h in column_items(reader, "content_hash")]
    problems = result.problems
    if "documents" in meta and meta["documents"] != count:
        problems.append(f"{name}: {count} documents, but {meta['documents']} when published")
    if len(ids) != count:
        problems.append(f"{name}: {count} documents but {len(ids)} ids")
    if len(set(ids)) != len(ids):
        problems.append(f"{name}: {len(ids) - len(set(ids))} duplicate ids")
    with_hash = sum(1 for h in hashes if h)
    if with_hash != count:
        problems.append(f"{name}: {count} documents but {with_hash} content hashes")


def _read_segments(reader, gen: str, deadline: float, result: CheckResult) -> None:
    """Read every segment's stored fields, field lengths and columns, then
    postings term by term until ``deadline``; a failure names the segment's files."""
    result.postings_complete = True
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment().segment_id()
        schema = leaf.schema
        try:
            for _ in leaf.all_stored_fields():
                pass
            for fieldname in schema.names():
                if schema[fieldname].scorable:
                    for n in range(leaf.doc_count_all()):
                        leaf.doc_field_length(n, fieldname)
                if schema[fieldname].column_type and leaf.has_column(fieldname):
                    for _ in leaf.column_reader(fieldname, translate=False):
                        pass
            for fieldname, text in leaf.all_terms():
                if time.monotonic() > deadline:
                    result.postings_complete = False
                    break
                for _ in leaf.postings(fieldname, text).all_items():
                    pass
                result.terms_read += 1
        except Exception as e:
            files = ", ".join(sorted(f for f in os.listdir(gen) if segment in f))
            result.problems.append(
                f"{gen}: segment {segment} does not read ({_error(e)}); its files: {files}"
            )


def rebuild_command(index_dir: str) -> str:
    """The command that rebuilds this index from the sources it was built from."""
    meta = _newest_meta(index_dir)
    target = ["--index", os.path.abspath(index_dir)]
    if meta.get("config"):
        return shlex.join(["defnews", "reindex", "--rebuild", "--config", meta["config"], *target])
    if meta.get("sources"):
        return shlex.join(["defnews", "index", "--rebuild", *meta["sources"], *target])
    return shlex.join(["defnews", "index", "--rebuild", "PATH...", *target])


def _newest_meta(index_dir: str) -> dict:
    """The live generation's meta; without a live one, the newest generation's
    (sources only accumulate, so an older one could name too few)."""
    live = store.current_generation(index_dir)
    if live:
        return store.read_meta(live)
    names = sorted(
        (n for n in os.listdir(index_dir) if n.startswith(store.PREFIX)), reverse=True
    ) if os.path.isdir(index_dir) else []  # fmt: skip
    for name in names:
        if meta := store.read_meta(os.path.join(index_dir, name)):
            return meta
    return {}


def _error(e: Exception) -> str:
    text = str(e)
    return f"{type(e).__name__}: {text[:200]}" if text else type(e).__name__
