"""The reindex cron job: read every configured source, write what changed.

Safe to run every few minutes: one writer at a time (a lock the kernel drops
when its holder dies), new states published atomically as index generations,
and a run that finds nothing new costs a stat() per input file. The state of
each input file (size, mtime) is kept in the generation it produced, so it is
exactly as durable as the index itself.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import store
from .columns import column_items
from .config import Config, Source
from .fetch import Fetcher, FetchError
from .index import PARALLEL_BYTES, open_index, update_index
from .ingest import READERS, Article, Problem, find_inputs
from .ingest.feeds import parse_feed, summary_only
from .ingest.html import parse_html

LAST_RUN = "last-run.json"
FETCH_STATE = "fetch-state.json"


@dataclass
class RunReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rejected: int = 0
    sources_failed: int = 0
    seconds: float = 0.0
    details: list[str] = field(default_factory=list)  # for the log

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.sources_failed

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, removed {self.removed}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}, "
            f"sources failed {self.sources_failed} in {self.seconds:.2f}s"
        )


def reindex(
    config: Config,
    index_dir: str,
    keep_deleted: bool = False,
    wait: float = 0.0,
    fetcher: Fetcher | None = None,
    note: Callable[[str], None] | None = None,
    rebuild: bool = False,
) -> RunReport:
    """Bring the index up to date with the configured sources (see module doc).

    With ``rebuild``, start from empty: read every file and fetch every feed
    anew (no conditional GETs), ignoring the live generation, which may be
    damaged or from an older defnews. Raises store.LockedError when another
    writer holds the index.
    """
    started = time.monotonic()
    report = RunReport()

    def detail(line: str) -> None:
        report.details.append(line)
        if note:
            note(line)

    with store.writer_lock(index_dir, wait):
        gen = None if rebuild else store.current_generation(index_dir)
        old_files = store.read_meta(gen).get("files", {}) if gen else {}
        plan = _plan_files(config.sources, old_files, report, detail, keep_deleted)
        feeds, fetch_state = _fetch_feeds(config, index_dir, gen, fetcher, report, detail)
        if gen and not plan.changed and not plan.vanished and not feeds:
            report.unchanged = sum(entry[2] for entry in plan.files.values())
        else:
            # Both are generators: update_index reads the records first, then
            # the stale ids (which depend on the ids the records held), and
            # stores plan.files, whose article counts fill in as files are read.
            records = _records(plan, feeds, report, detail)
            stale = () if keep_deleted else _stale_ids(index_dir, gen, plan)
            size = sum(plan.files[path][0] for path in plan.changed)
            result = update_index(
                index_dir,
                records,
                rebuild=rebuild,
                delete_ids=stale,
                meta={"files": plan.files, "config": config.path},
                lock=False,
                parallel=size >= PARALLEL_BYTES,
            )
            report.added, report.updated, report.removed = (
                result.added,
                result.updated,
                result.removed,
            )
            report.unchanged = result.unchanged + sum(
                entry[2] for path, entry in plan.files.items() if path not in plan.changed
            )
        _write_json(os.path.join(index_dir, FETCH_STATE), fetch_state)
    report.seconds = time.monotonic() - started
    _write_json(
        os.path.join(index_dir, LAST_RUN),
        {"finished": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "summary": report.summary()},
    )
    return report


@dataclass
class _FilePlan:
    files: dict[str, list]  # path → [size, mtime_ns, articles] after this run
    changed: list[str]  # new or modified files to read
    vanished: list[str]  # files gone since the last run (their source still there)
    seen_ids: set[str] = field(default_factory=set)  # ids of every record read this run
    zones: dict[str, str] = field(default_factory=dict)  # path → its source's time zone


def _plan_files(
    sources: list[Source], old_files: dict, report: RunReport, detail, keep_deleted=False
) -> _FilePlan:
    files: dict[str, list] = {}
    changed: list[str] = []
    zones: dict[str, str] = {}
    present_roots = []
    for source in sources:
        if source.path is None:
            continue
        try:
            found = list(find_inputs([source.path]))
        except (FileNotFoundError, ValueError) as e:
            report.sources_failed += 1
            detail(f"source failed: {e}")
            continue
        present_roots.append(source.path)
        for path in found:
            if source.timezone:
                zones[path] = source.timezone
            try:
                st = os.stat(path)
            except OSError as e:
                detail(f"source failed: {path}: {e.strerror}")
                continue
            before = old_files.get(path)
            if before and before[:2] == [st.st_size, st.st_mtime_ns]:
                files[path] = before
            else:
                files[path] = [st.st_size, st.st_mtime_ns, 0]
                changed.append(path)
    vanished = [
        path
        for path in old_files
        if path not in files and not os.path.exists(path) and _under_any(path, present_roots)
    ]
    if keep_deleted:
        vanished = []  # still remembered: a later run without the flag removes them
    # Files no configured source covers any more, or under a missing source,
    # keep their articles: an unmounted disk must not empty the index.
    for path, entry in old_files.items():
        if path not in files and path not in vanished:
            files[path] = entry
    return _FilePlan(files, changed, vanished, zones=zones)


def _under_any(path: str, roots: list[str]) -> bool:
    for root in roots:
        if any(ch in root for ch in "*?["):
            root = root.split("*")[0].split("?")[0].split("[")[0]
        if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
            return True
    return False


def _records(plan: _FilePlan, feeds: list, report: RunReport, detail):
    """Records of the changed files and fetched feeds; counts articles per file."""
    for path in plan.changed:
        reader = READERS[os.path.splitext(path)[1].lower()]
        count = 0
        try:
            for record in reader(path, zone=plan.zones.get(path)):
                if isinstance(record, Problem):
                    report.rejected += record.rejected
                    detail(str(record))
                else:
                    count += 1
                    plan.seen_ids.add(record.id)
                yield record
        except OSError as e:
            report.sources_failed += 1
            detail(f"source failed: {path}: {e.strerror or e}")
        plan.files[path][2] = count
    yield from feeds


def _stale_ids(index_dir: str, gen: str | None, plan: _FilePlan):
    """Ids of articles whose file vanished, or that left a file that changed
    (and were not met anywhere else this run: an article may move files)."""
    if gen is None or not (plan.vanished or plan.changed):
        return
    watched = set(plan.vanished) | set(plan.changed)
    with open_index(index_dir).reader() as reader:
        ids = dict(column_items(reader, "id"))
        for n, origin in column_items(reader, "origin"):
            if origin in watched and ids[n] not in plan.seen_ids:
                yield ids[n]


def _fetch_feeds(config: Config, index_dir: str, gen, fetcher, report: RunReport, detail):
    """Fetch every URL source (conditional GET); return its records and the
    fetch state to keep (saved only after the index holds the records)."""
    # Without a generation (a first run or a rebuild) every feed is fetched whole.
    old_state = _read_json(os.path.join(index_dir, FETCH_STATE)) if gen else {}
    state = dict(old_state)
    records: list = []
    url_sources = [s for s in config.sources if s.url]
    if not url_sources:
        return records, state
    fetcher = fetcher or Fetcher(config.fetch)
    known = None
    for source in url_sources:
        previous = old_state.get(source.url, {})
        try:
            response = fetcher.get(source.url, previous.get("etag"), previous.get("last_modified"))
        except FetchError as e:
            report.sources_failed += 1
            detail(f"source failed: {e}")
            continue
        if response.status == 304:
            detail(f"{source.url}: not modified")
            continue
        items = parse_feed(
            response.body, source.url, _lower(response.headers), source.url, source.timezone
        )
        problems = [r for r in items if isinstance(r, Problem)]
        if problems and not any(isinstance(r, Article) for r in items):
            report.sources_failed += 1
            detail(f"source failed: {problems[0]}")
            continue
        for problem in problems:
            report.rejected += problem.rejected
            detail(str(problem))
        articles = [r for r in items if isinstance(r, Article)]
        if source.fetch_pages:
            if known is None:
                known = _known_ids(index_dir, gen)
            articles = [
                _with_page(a, fetcher, detail, source.timezone)
                if a.id not in known and summary_only(a)
                else a
                for a in articles
            ]
        records += articles
        state[source.url] = {
            "etag": _lower(response.headers).get("etag"),
            "last_modified": _lower(response.headers).get("last-modified"),
        }
    return records, state


def _with_page(article: Article, fetcher: Fetcher, detail, zone: str | None) -> Article:
    """The item with its page's text, or as it was if the page fails."""
    if not article.url:
        return article
    try:
        response = fetcher.get(article.url)
    except FetchError as e:
        detail(f"page not fetched, summary kept: {e}")
        return article
    page, *problems = parse_html(
        response.body, article.url, url=article.url, origin=article.origin, zone=zone
    )
    if isinstance(page, Problem):
        detail(f"page not used, summary kept: {page}")
        return article
    for problem in problems:
        detail(str(problem))
    article.body = page.body
    article.title = article.title or page.title
    article.published = article.published or page.published
    article.lang = page.lang
    return article


def _known_ids(index_dir: str, gen) -> set[str]:
    if gen is None:
        return set()
    with open_index(index_dir).reader() as reader:
        return {doc_id for _, doc_id in column_items(reader, "id")}


def _lower(headers: dict) -> dict:
    return {k.lower(): v for k, v in headers.items()}


def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_json(path: str, data: dict) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def last_run(index_dir: str) -> dict:
    """When the last reindex finished and its summary line ({} if never)."""
    return _read_json(os.path.join(index_dir, LAST_RUN))
