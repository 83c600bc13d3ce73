"""The ``defnews`` command line: thin wrappers over the library."""

from __future__ import annotations

import difflib
import json
import os
import sys
import time
from dataclasses import replace

import click

from .errors import DefnewsError, RunFailedError
from .export import EXPORT_FORMATS, write_hits
from .index import PARALLEL_BYTES, index_dir_from, index_outdated, open_index, update_index
from .ingest import find_inputs, read_inputs
from .query import REPAIRS
from .search import SORTS, SearchRequest, also_searched_text, every_hit, search
from .snippets import snippet_text
from .stats import index_stats
from .stopping import Stopped, stop_on_signals
from .store import LockedError

# Exit codes: 0 ok / hits; 1 no hits (search) or the run failed (index,
# reindex); 2 usage; 3 input problems reported; 75 (EX_TEMPFAIL) another run
# holds the index; 128 + N stopped by signal N (SIGINT 130, SIGTERM 143).
EXIT_NO_HITS = 1
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PROBLEMS = 3
EXIT_LOCKED = 75

index_option = click.option(
    "--index",
    "index_dir",
    metavar="DIR",
    help="Index directory (default: $DEFNEWS_INDEX, else data/index).",
)


@click.group()
@click.version_option(package_name="defnews")
def cli():
    """Full-text search over defense-industry news in English and Ukrainian."""


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--rebuild", is_flag=True, help="Build a fresh index and swap it in atomically.")
@click.option(
    "--rebuild-if-outdated",
    is_flag=True,
    help="Rebuild only if the index was built by an older analysis (make run uses it).",
)
@click.option(
    "--wait", type=click.FloatRange(0), default=0, help="Wait this long for another writer."
)
@index_option
def index_command(paths, rebuild, rebuild_if_outdated, wait, index_dir):
    """Index files, directories (recursively) or globs: JSONL, HTML pages, RSS/Atom feeds.

    Unchanged articles are skipped; new and changed ones are written. Each bad
    record is reported on stderr as FILE:LINE: reason; the exit code is then 3.
    """
    index_dir = index_dir_from(index_dir)
    if rebuild_if_outdated and index_outdated(index_dir):
        click.echo(f"{index_dir} was built by an older analysis: rebuilding it", err=True)
        rebuild = True
    try:
        files = list(find_inputs(paths))
    except (OSError, ValueError) as e:
        raise click.UsageError(str(e)) from None
    progress = _progress_bar(files)
    size = sum(os.path.getsize(f) for f in files)
    try:
        report = _writing(
            lambda: update_index(
                index_dir,
                _reported(read_inputs(files), progress),
                rebuild=rebuild,
                wait=wait,
                parallel=size >= PARALLEL_BYTES,
                # What `defnews check` names in the command that rebuilds the index.
                meta={"sources": [os.path.abspath(p) for p in paths]},
            )
        )
    finally:
        if progress is not None:
            progress.close()
    click.echo(f"{report.summary()} → {index_dir}", err=True)
    sys.exit(EXIT_PROBLEMS if report.problems else 0)


def _writing(run, note=None):
    """Return what ``run`` (an index-writing step) returns, or exit with a
    message saying how it ended: locked, stopped by a signal, failed."""

    def end(message, code):
        if note:
            note(message)
        click.echo(f"defnews: {message}", err=True)
        sys.exit(code)

    try:
        with stop_on_signals():
            return run()
    except LockedError as e:
        end(str(e), EXIT_LOCKED)
    except Stopped as e:
        end(
            f"stopped by {e.name}; nothing half-written was published "
            f"(the index is as the last finished run left it)",
            e.exit_code,
        )
    except RunFailedError as e:
        end(str(e), EXIT_FAILED)
    except DefnewsError as e:
        end(str(e), EXIT_USAGE)


def _reported(records, progress):
    """Print each problem as it is met; advance the progress bar per record."""
    for record in records:
        if hasattr(record, "reason"):
            click.echo(str(record), err=True)
        elif progress is not None:
            progress.update(1)
        yield record


def _progress_bar(files):
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=" articles", file=sys.stderr, leave=False, dynamic_ncols=True)


@cli.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--company",
    "companies",
    multiple=True,
    metavar="NAME",
    help="Only articles naming this company (id or any alias; repeatable, OR-ed).",
)
@click.option(
    "--system",
    "systems",
    multiple=True,
    metavar="NAME",
    help="Only articles naming this weapon system (id or any alias; repeatable, OR-ed).",
)
@click.option(
    "--class",
    "classes",
    multiple=True,
    metavar="CLASS",
    help='Only articles naming a system of this class ("air defense", mlrs, ППО; repeatable).',
)
@click.option(
    "--lang",
    "langs",
    multiple=True,
    type=click.Choice(["en", "uk"]),
    help="Only articles in this language (repeatable).",
)
@click.option(
    "--source", "sources", multiple=True, metavar="NAME", help="Only this outlet (repeatable)."
)
@click.option("--from", "date_from", metavar="DATE", help="Published on or after (YYYY[-MM[-DD]]).")
@click.option("--to", "date_to", metavar="DATE", help="Published on or before (YYYY[-MM[-DD]]).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option(
    "--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="Hits per page."
)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option(
    "--facet-size",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="Values listed per facet.",
)
@click.option(
    "--ui", "ui_lang", type=click.Choice(["en", "uk"]), default="en", help="Language of labels."
)
@click.option(
    "--recency",
    "recency_days",
    type=click.IntRange(1, 36_500),
    metavar="DAYS",
    help="Favour recent articles in relevance order (half-life in days).",
)
@click.option(
    "--all-words",
    is_flag=True,
    help="Every word must match, however few articles do (no fallback to some words).",
)
@click.option(
    "--no-translate",
    is_flag=True,
    help="Search only the words as typed (no equivalents in the other language).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (--format json).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "jsonl", "csv"]),
    default="text",
    help="text for reading; json the API's object; jsonl or csv one hit a line, for export.",
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every hit, not one page (with --format jsonl or csv; streamed).",
)
@index_option
def search_command(
    words,
    companies,
    systems,
    classes,
    langs,
    sources,
    date_from,
    date_to,
    sort,
    limit,
    page,
    facet_size,
    ui_lang,
    recency_days,
    all_words,
    no_translate,
    as_json,
    output_format,
    every,
    index_dir,
):
    """Search the index. Words are ANDed; "phrases", OR, NOT/-word, title:word,
    word*, company:NAME, system:NAME, class:"air defense" and
    published:[2024-01 TO 2024-06] work too. When
    fewer than 10 articles hold every word, articles holding some of them
    follow (unless --all-words). Words and phrases the glossary knows, names,
    companies and weapon systems also search their equivalents in the other language
    (unless --no-translate). With no words, list the newest articles that
    pass the filters.

    Hits go to stdout; the count and notices (did you mean, fewer words,
    also searched, how a malformed query was read) go to stderr.

    Exit 0 with hits, 1 with none, 2 on a usage error."""
    _refuse_unknown_options(words)
    if as_json:
        output_format = "json"
    if every and output_format not in EXPORT_FORMATS:
        raise click.UsageError("--all streams every hit as --format jsonl or --format csv")
    request = SearchRequest(
        query=" ".join(words),
        companies=companies,
        systems=systems,
        classes=classes,
        langs=langs,
        sources=sources,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=limit,
        facet_size=facet_size,
        ui_lang=ui_lang,
        relax=not all_words,
        recency_days=recency_days,
        translate=not no_translate,
    )
    try:
        ix = open_index(index_dir_from(index_dir))
        if every:
            request = replace(request, page=1, facets=False, snippets=False, collapse=False)
            written = write_hits(every_hit(ix, request), output_format, sys.stdout)
            click.echo(f"{written} results for {request.query!r}", err=True)
            sys.exit(0 if written else EXIT_NO_HITS)
        result = search(ix, request)
    except DefnewsError as e:
        _fail(str(e))
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    elif output_format in EXPORT_FORMATS:
        write_hits(result.hits, output_format, sys.stdout)
        click.echo(f"{len(result.hits)} of {result.total} results (all of them: --all)", err=True)
    else:
        _print_hits(result)
    sys.exit(0 if result.hits else EXIT_NO_HITS)


def _refuse_unknown_options(words):
    """Unknown options reach ``words`` (so ``-word`` can mean NOT word); one
    spelt like a long option (``--compnay``) is a mistake, not a query word."""
    for word in words:
        if word.startswith("--") and len(word) > 2 and word[2].isalpha():
            ctx = click.get_current_context()
            known = [o for p in ctx.command.params for o in p.opts if o.startswith("--")]
            name = word.split("=", 1)[0]
            raise click.NoSuchOption(
                name, possibilities=difflib.get_close_matches(name, known), ctx=ctx
            )


def _print_hits(result):
    # What the search did is said on stderr, with the count: stdout is the hits
    if result.read_as is not None:
        why = "; ".join(REPAIRS[r] for r in result.repairs)
        click.echo(f"Searched as: {result.read_as} ({why})", err=True)
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}", err=True)
    if result.relaxed and result.hits:
        click.echo(
            "Few articles contain every word; these contain some of them, best first.", err=True
        )
    if result.also_searched:
        also = also_searched_text(result.also_searched)
        click.echo(f"Also searched: {also}. Only what you typed: --no-translate", err=True)
    first = (result.page - 1) * result.per_page
    for n, hit in enumerate(result.hits, start=first + 1):
        date = (hit.published or "")[:10] or "undated"
        click.echo(f"{n:>3}. {date}  {hit.source}  [{hit.lang}]")
        click.echo(f"     {hit.title}")
        click.echo(f"     {_one_line(snippet_text(hit.snippet))}")
        if named := _entity_labels(hit):
            click.echo(f"     {named}")
        if hit.url:
            click.echo(f"     {hit.url}")
    for name in ("company", "system", "class", "lang", "year", "source"):
        values = result.facets.get(name) or []
        if values:
            listed = " · ".join(f"{v.label} {v.count}" for v in values[:8])
            click.echo(f"{name:>8}: {listed}")
    shown = f"{first + 1}–{first + len(result.hits)} of " if result.hits else ""
    noun = "result" if result.total == 1 else "results"
    click.echo(f"{shown}{result.total} {noun} for {result.query!r}", err=True)


def _entity_labels(hit) -> str:
    """The hit's companies, then its systems, by name: "Rheinmetall · HIMARS, M777"."""
    from .entities import COMPANIES, SYSTEMS, default_gazetteer

    parts = []
    for kind, ids in ((COMPANIES, hit.companies), (SYSTEMS, hit.systems)):
        if ids:
            gazetteer = default_gazetteer(kind)
            parts.append(", ".join(gazetteer.label(i) for i in ids))
    return " · ".join(parts)


def _one_line(text, width=160):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@index_option
def stats_command(as_json, index_dir):
    """Show what the index holds: documents, languages, date span, size."""
    index_dir = index_dir_from(index_dir)
    try:
        stats = index_stats(index_dir)
    except DefnewsError as e:
        _fail(str(e))
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    langs = ", ".join(f"{k} {v}" for k, v in stats["languages"].items()) or "none"
    click.echo(f"index      {stats['index']}")
    click.echo(f"documents  {stats['documents']} ({langs})")
    click.echo(f"dates      {stats['date_from'] or '–'} … {stats['date_to'] or '–'}")
    click.echo(f"size       {stats['size_bytes'] / 1e6:.1f} MB in {stats['segments']} segments")
    click.echo(f"updated    {stats['updated']}")
    if stats.get("last_run"):
        run = stats["last_run"]
        click.echo(f"last run   {run.get('finished')}: {run.get('summary')}")


@cli.command("reindex")
@click.option(
    "--config",
    "config_file",
    metavar="FILE",
    help="Sources (default: $DEFNEWS_CONFIG, else ./defnews.toml).",
)
@click.option("--keep-deleted", is_flag=True, help="Keep articles whose source file disappeared.")
@click.option(
    "--wait", type=click.FloatRange(0), default=0, help="Wait this long for a running reindex."
)
@click.option(
    "--log", "log_file", metavar="FILE", help="Append details (problems, fetches) to FILE."
)
@click.option("--verbose", is_flag=True, help="Print details on stderr too.")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Build a fresh index from every source and swap it in (after damage or an upgrade).",
)
@index_option
def reindex_command(config_file, keep_deleted, wait, log_file, verbose, rebuild, index_dir):
    """Bring the index up to date with the configured sources (for cron).

    Prints one summary line. Exit 0 ok, 3 records rejected or sources failed,
    75 another run holds the index, 2 usage or configuration error, 1 the
    run failed, 143/130 stopped by SIGTERM/SIGINT (nothing half-written is
    ever published)."""
    from .config import config_path, load_config
    from .reindex import reindex

    try:
        config = load_config(config_path(config_file))
    except DefnewsError as e:
        _fail(str(e))
    index_dir = index_dir or config.index_path or index_dir_from(None)
    log = open(log_file, "a", encoding="utf-8") if log_file else None

    def note(line):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        if log:
            log.write(f"{stamp} {line}\n")
            log.flush()
        if verbose:
            click.echo(line, err=True)

    report = _writing(
        lambda: reindex(
            config, index_dir, keep_deleted=keep_deleted, wait=wait, note=note, rebuild=rebuild
        ),
        note,
    )
    note(report.summary())
    if log:
        log.close()
    click.echo(report.summary())
    sys.exit(0 if report.ok else EXIT_PROBLEMS)


@cli.command("check")
@click.option(
    "--budget",
    type=click.FloatRange(0),
    default=60,
    show_default=True,
    help="Seconds to spend reading postings term by term (checksums are always verified).",
)
@index_option
def check_command(budget, index_dir):
    """Verify the index: every file against its checksum, documents against
    the stored hashes and the generation's count, stored fields, columns and
    postings readable. Exit 0 when sound, 3 with the damage and the command
    that rebuilds the index from its sources."""
    from .check import verify_index

    index_dir = index_dir_from(index_dir)
    result = verify_index(index_dir, budget=budget)
    for problem in result.problems:
        click.echo(f"defnews check: {problem}", err=True)
    if result.problems:
        click.echo(f"rebuild it from the sources: {result.rebuild_command}", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"{index_dir}: ok ({result.summary()})")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: cores)."
)
@index_option
def serve_command(host, port, workers, index_dir):
    """Serve the web UI and JSON API with gunicorn (reads the index only)."""
    from web.server import WORKERS, serve

    index_dir = index_dir_from(index_dir)
    click.echo(f"defnews: serving {index_dir} on http://{host}:{port}", err=True)
    serve(host, port, index_dir, workers or WORKERS)


@cli.command("ship")
@click.argument("replica", type=click.Path(file_okay=False))
@click.option(
    "--wait", type=click.FloatRange(0), default=0, help="Wait this long for another ship."
)
@index_option
def ship_command(replica, wait, index_dir):
    """Copy the live index to a REPLICA directory and make it live there.

    Every file is checked against the index's manifest as it is copied, and
    the replica's CURRENT moves only when the whole generation is there, so a
    `defnews serve --index REPLICA` picks it up without a restart and never
    reads a half-copied index. Files the replica already holds are linked,
    not copied. Safe to run from cron after each reindex."""
    from .ship import ship

    report = _writing(lambda: ship(index_dir_from(index_dir), replica, wait=wait))
    click.echo(f"defnews ship: {report.summary()} → {replica}")


@cli.command("companies")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@index_option
def companies_command(as_json, index_dir):
    """List the company gazetteer: id, names, aliases, articles tagged."""
    from .entities import COMPANIES

    _list_entities(COMPANIES, as_json, index_dir)


@cli.command("systems")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@index_option
def systems_command(as_json, index_dir):
    """List the weapon-system gazetteer: id, names, class, family, makers,
    aliases, articles tagged."""
    from .entities import SYSTEMS

    _list_entities(SYSTEMS, as_json, index_dir)


def _list_entities(kind, as_json, index_dir):
    from .entities import default_gazetteer
    from .facets import facet_columns

    try:
        gazetteer = default_gazetteer(kind)
    except DefnewsError as e:
        _fail(str(e))
    tagged = {}
    try:
        ix = open_index(index_dir_from(index_dir))
        with ix.reader() as reader:
            tagged = facet_columns(ix, reader).facets[kind.name].counts()
    except DefnewsError:
        pass  # no index yet: the list still shows
    rows = []
    for e in sorted(gazetteer.entities.values(), key=lambda e: e.id):
        row = {"id": e.id, "name_en": e.name_en, "name_uk": e.name_uk}
        if e.category:
            row.update(class_=e.category, family=e.family or None, makers=list(e.makers))
        row.update(aliases=len(e.aliases), documents=tagged.get(e.id, 0))
        rows.append({k.rstrip("_"): v for k, v in row.items()})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        what = f"{r['class']:<20} " if "class" in r else ""
        click.echo(
            f"{r['id']:<26} {r['name_en']:<30} {r['name_uk']:<34} {what}"
            f"{r['aliases']:>3} aliases {r['documents']:>6} articles"
        )


def _fail(message):
    click.echo(f"defnews: {message}", err=True)
    sys.exit(EXIT_USAGE)


def main():
    cli()
