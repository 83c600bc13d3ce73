"""Build and update the on-disk index; open it for searching."""

from __future__ import annotations

import os
import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from . import stopping, store
from .analysis import raw_tokens
from .article_analysis import AnalysedArticle, analyzer_for
from .columns import column_items
from .entities import SYSTEMS, Gazetteer, default_gazetteer, joined_text, slugify
from .errors import DefnewsError, IndexMissingError, IndexOutdatedError
from .facets import save_columns
from .ingest import Article, Problem
from .memory import keep_freed_arrays
from .merging import merge_tiers
from .parallel import ParallelWriter
from .ranking import NewsBM25
from .schema import news_schema
from .writer import news_writer

# Bump when analysis, schema or postings format changes so old indexes ask
# for a rebuild.
ANALYSIS_VERSION = 9

# Where the index lives unless --index or $DEFNEWS_INDEX says otherwise.
DEFAULT_INDEX_DIR = os.path.join("data", "index")

# Memory for new postings, split between worker processes: a worker whose
# buffer holds its share writes it as a segment and starts another (merges
# spill sorted runs to disk past it).
WRITER_LIMIT_MB = 1536
# Input this large is indexed by a worker process per core (indexer/parallel.py),
# each building and writing its own segment; not worth starting them below it.
PARALLEL_BYTES = 5 * 1024 * 1024


def index_dir_from(option: str | None) -> str:
    """Resolve the index directory: option, else $DEFNEWS_INDEX, else the default."""
    return option or os.environ.get("DEFNEWS_INDEX") or DEFAULT_INDEX_DIR


@dataclass
class IndexReport:
    """What one indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    generation: str | None = None

    @property
    def indexed(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        removed = f", {self.removed} removed" if self.removed else ""
        return (
            f"{self.indexed} articles indexed ({self.added} new, {self.updated} "
            f"updated, {self.unchanged} unchanged){removed}, {self.rejected} rejected, "
            f"{len(self.problems)} problems reported in {self.seconds:.1f}s"
        )


def open_index(index_dir: str):
    """Open the live generation for reading, or raise IndexMissingError.

    The returned index holds a reader lease on its generation for as long as
    it is referenced, so no writer collects the files under it.
    """
    gen = store.current_generation(index_dir)
    if gen is None:
        raise IndexMissingError(
            f"no index at {index_dir}; build one with: defnews index data/articles"
        )
    lease = store.ReaderLease(gen)
    ix = whoosh_index.open_dir(gen)
    ix.defnews_lease = lease
    ix.defnews_version = store.read_meta(gen).get("analysis_version")
    ix.defnews_dir = index_dir
    _attach_searchers(ix)
    return ix


def require_current(ix) -> None:
    """Raise IndexOutdatedError if ``ix`` (from open_index) was built by an
    older analysis version."""
    version = getattr(ix, "defnews_version", ANALYSIS_VERSION)
    if version != ANALYSIS_VERSION:
        where = getattr(ix, "defnews_dir", "the index")
        raise IndexOutdatedError(
            f"the index at {where} was built by an older defnews (analysis version "
            f"{version}, now {ANALYSIS_VERSION}); rebuild it: defnews index --rebuild PATH..."
        )


def _attach_searchers(ix) -> None:
    with _attach_lock:
        if not hasattr(ix, "defnews_searchers"):
            ix.defnews_opened = []  # every thread's searcher, closed with the index
            ix.defnews_searchers = threading.local()
            weakref.finalize(ix, _close_all, ix.defnews_opened)


_attach_lock = threading.Lock()


def _close_all(searchers: list) -> None:
    for searcher in searchers:
        searcher.close()


def shared_searcher(ix):
    """This thread's searcher of ``ix``, opened once and kept with it.

    Opening a searcher re-reads the table of contents and every column's
    offsets (~3 ms a query at 10k documents). A generation never changes, so
    one searcher per thread serves it for as long as the index object lives;
    it does not refer back to ``ix``, so dropping the index frees both.
    """
    if not hasattr(ix, "defnews_searchers"):  # an index not opened by open_index
        _attach_searchers(ix)
    local = ix.defnews_searchers
    searcher = getattr(local, "searcher", None)
    if searcher is None:
        keep_freed_arrays()  # this process searches: its 1M-entry arrays recur
        searcher = local.searcher = Searcher(ix.reader(), weighting=NewsBM25())
        ix.defnews_opened.append(searcher)
    return searcher


def update_index(
    index_dir: str,
    records: Iterable[Article | Problem],
    rebuild: bool = False,
    progress: Callable[[Article | Problem], None] | None = None,
    gazetteer: Gazetteer | None = None,
    delete_ids: Iterable[str] = (),
    meta: dict | None = None,
    lock: bool = True,
    wait: float = 0.0,
    parallel: bool = False,
    systems: Gazetteer | None = None,
) -> IndexReport:
    """Add new and changed articles, remove ``delete_ids``; with ``rebuild``,
    start from empty.

    The result is written into a new generation and published atomically, so
    searches running meanwhile see the old or the new index; nothing is
    published when nothing changed. ``meta`` is stored with the generation
    (the reindex job keeps its file state there). With ``lock`` the writer
    lock is taken first (waiting up to ``wait`` seconds; LockedError after).
    ``parallel`` uses a writer process per core (for large inputs).
    Companies are detected with ``gazetteer`` (default: data/companies.toml),
    weapon systems with ``systems`` (default: data/systems.toml).
    """
    if lock:
        with store.writer_lock(index_dir, wait):
            return update_index(
                index_dir, records, rebuild, progress, gazetteer, delete_ids, meta,
                lock=False, parallel=parallel, systems=systems,
            )  # fmt: skip
    started = time.monotonic()
    gazetteer = gazetteer or default_gazetteer()
    systems = systems or default_gazetteer(SYSTEMS)
    base = None if rebuild else store.current_generation(index_dir)
    base_meta = store.read_meta(base) if base else {}
    if base is not None:
        _check_version(index_dir, base)
    meta = dict(meta or {})
    if "sources" in meta and not rebuild:  # every input that went in, for `defnews check`
        meta["sources"] = sorted(set(base_meta.get("sources", [])) | set(meta["sources"]))
    new_meta = {**base_meta, **meta, "analysis_version": ANALYSIS_VERSION}
    gen = store.new_generation(index_dir, base)
    report = IndexReport()
    try:
        ix = whoosh_index.open_dir(gen) if base else whoosh_index.create_in(gen, news_schema())
        with ix.reader() as reader:
            known = _stored_hashes(reader)
        writer = news_writer(ix, WRITER_LIMIT_MB)
        procs = os.cpu_count() or 1
        workers = None
        if parallel:  # even on one core: the worker bounds its memory
            workers = ParallelWriter(
                gen,
                procs,
                WRITER_LIMIT_MB // procs,
                partial(_build_document, gazetteer=gazetteer, systems=systems),
            )
        try:
            changed = _write_records(
                writer, workers, records, known, report, progress, (gazetteer, systems)
            )
            for doc_id in delete_ids:
                if doc_id in known:
                    writer.delete_by_term("id", doc_id)
                    report.removed += 1
                    changed = True
            new_segments = workers.finish() if workers else []
        except BaseException:
            if workers:
                workers.cancel()
            writer.cancel()
            raise
        if changed or base is None:
            writer.commit(mergetype=lambda w, segments: merge_tiers(w, segments) + new_segments)
        else:
            writer.cancel()
        if changed or base is None or _without_time(new_meta) != _without_time(base_meta):
            with ThreadPoolExecutor(1) as pool:
                # The segments' checksums are read beside the columns' build: reading
                # and zlib let go of the GIL, and at 1M the two take 16 s and 12 s.
                segments = pool.submit(store.manifest, gen, base, skip=store.DERIVED)
                save_columns(ix, gen)
                documents = ix.doc_count()
                ix.close()
                files = {**segments.result(), **store.manifest(gen, only=store.DERIVED)}
            integrity = {"documents": documents, "manifest": dict(sorted(files.items()))}
            with stopping.deferred():  # a stop signal waits for the pointer's swap
                store.publish(index_dir, gen, {**new_meta, **integrity, "built": time.time()})
            store.collect_garbage(index_dir)
            report.generation = gen
        else:
            ix.close()
            store.discard(gen)
            report.generation = base
    except BaseException:
        if store.current_generation(index_dir) != gen:  # once live, it stays
            store.discard(gen)
        raise
    report.seconds = time.monotonic() - started
    return report


def _without_time(meta: dict) -> dict:
    """The meta a caller controls (not what publishing adds)."""
    return {k: v for k, v in meta.items() if k not in ("built", "documents", "manifest")}


def _write_records(writer, workers, records, known, report, progress, gazetteers) -> bool:
    """Add new and changed articles; with ``workers``, they build and write
    the documents while this process deletes the versions they replace."""
    changed = False
    for record in records:
        if progress is not None:
            progress(record)
        if isinstance(record, Problem):
            report.problems.append(record)
            report.rejected += record.rejected
            continue
        # A changed gazetteer changes every hash: articles are tagged anew.
        digest = ":".join([record.content_hash(), *(g.digest for g in gazetteers)])
        previous = known.get(record.id)
        if previous == digest:
            report.unchanged += 1
            continue
        if previous is None:
            report.added += 1
        else:
            writer.delete_by_term("id", record.id)
            report.updated += 1
        if workers is not None:
            workers.add(record, digest)
        else:
            writer.add_document(**_build_document(record, digest, *gazetteers))
        known[record.id] = digest
        changed = True
    return changed


def _build_document(
    article: Article, digest: str, gazetteer: Gazetteer, systems: Gazetteer
) -> dict:
    # One tokenizer pass over the article serves its terms and its entities.
    text = joined_text(article.title, article.body)
    tokens = list(raw_tokens(text))
    in_title = bisect_left(tokens, len(article.title), key=itemgetter(2)) if article.title else 0
    gazetteers = (gazetteer, systems)
    analysed = analyzer_for(gazetteers).analyze(tokens, in_title)
    detected_companies, detected_systems = (
        g.detect_in(text, tokens, positions)
        for g, positions in zip(gazetteers, analysed.entity_positions, strict=True)
    )
    companies = tag_companies(article, gazetteer, detected=detected_companies)
    entities = {"companies": companies, **tag_systems(systems, detected_systems)}
    return _document(article, digest, entities, analysed)


def tag_companies(article: Article, gazetteer: Gazetteer, detected=None) -> list[str]:
    """Company ids: the article's own list (resolved to ids) merged with those
    detected in its title and body (``detected``, if already done)."""
    ids = []
    for name in article.companies:
        company = gazetteer.resolve(name) or slugify(name)
        if company and company not in ids:
            ids.append(company)
    if detected is None:
        detected = gazetteer.detect(article.title, article.body)
    for company in detected:
        if company not in ids:
            ids.append(company)
    return ids


def tag_systems(systems: Gazetteer, ids: list[str]) -> dict[str, list[str]]:
    """The systems detected (a variant with its family) and their classes."""
    classes = dict.fromkeys(c for c in (systems.entities[i].category for i in ids) if c)
    return {"systems": ids, "classes": list(classes)}


def _document(article: Article, digest: str, entities, analysed: AnalysedArticle) -> dict:
    doc = {
        "id": article.id,
        "url": article.url,
        # analysed once, with the words of the spelling, stopword and names
        # fields from the same pass
        "title": analysed.title,
        "_stored_title": article.title,
        "body": analysed.body,
        "_stored_body": article.body,
        "words": analysed.words,
        "stops": analysed.stops,
        "names": analysed.names,
        "lang": article.lang,
        "source": article.source,
        **{field: ",".join(ids) for field, ids in entities.items()},
        "content_hash": digest,
        "origin": article.origin,
    }
    doc["simhash"] = analysed.story_hashes
    if article.published is not None:
        doc["published"] = article.published
        doc["month"] = article.published.strftime("%Y-%m")
        doc["undated"] = "0"
    else:
        doc["undated"] = "1"
    return doc


def _stored_hashes(reader) -> dict[str, str]:
    """Map id → content hash of every live document, read from columns."""
    hashes = dict(column_items(reader, "content_hash"))
    return {doc_id: hashes[n] for n, doc_id in column_items(reader, "id")}


def index_outdated(index_dir: str) -> bool:
    """Whether the live generation was built by another analysis version."""
    gen = store.current_generation(index_dir)
    return gen is not None and store.read_meta(gen).get("analysis_version") != ANALYSIS_VERSION


def _check_version(index_dir: str, gen: str) -> None:
    version = store.read_meta(gen).get("analysis_version")
    if version != ANALYSIS_VERSION:
        raise DefnewsError(
            f"the index at {index_dir} was built by an older defnews "
            f"(analysis version {version}, now {ANALYSIS_VERSION}); "
            f"rebuild it: defnews index --rebuild PATH..."
        )
