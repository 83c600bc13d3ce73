"""The reindex job: sources, incremental updates, feeds over real HTTP, locks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from indexer.check import check_index
from indexer.config import ConfigError, load_config
from indexer.index import open_index
from indexer.ingest.feeds import read_feed
from indexer.ingest.html import read_html
from indexer.reindex import last_run, reindex
from indexer.search import SearchRequest, search

DATA = Path(__file__).parent / "data"
DEFNEWS = [sys.executable, "-m", "indexer"]


def article(doc_id, title, body="Текст статті про ракети та снаряди.", **extra):
    return json.dumps(
        {"id": doc_id, "title": title, "body": body, "lang": "uk", **extra}, ensure_ascii=False
    )


def write_config(tmp_path, *sources, fetch=None):
    lines = ['[index]\npath = "ix"\n']
    for source in sources:
        lines.append(
            "[[source]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in source.items())
        )
    if fetch:
        lines.append("[fetch]\n" + "".join(f"{k} = {v}\n" for k, v in fetch.items()))
    path = tmp_path / "defnews.toml"
    path.write_text("\n".join(lines), "utf-8")
    return path


def ids(index_dir):
    page = search(open_index(str(index_dir)), SearchRequest(per_page=100))
    return sorted(h.id for h in page.hits)


def run_cli(*args, cwd=None):
    return subprocess.run([*DEFNEWS, *map(str, args)], capture_output=True, text=True, cwd=cwd)


# Readers -------------------------------------------------------------------


def test_html_pages_give_the_article_without_boilerplate():
    (uk,) = read_html(DATA / "pages" / "article-uk.html")
    assert uk.title == "Райнметалл відкрив ремонтний завод в Україні"
    assert uk.url == "https://defense-test.example/news/2024/06/rheinmetall-zavod"
    assert uk.published.isoformat() == "2024-06-11T06:30:00"  # stored as UTC
    assert uk.lang == "uk" and uk.source == "Оборонний тест"
    assert uk.body.startswith("Німецький концерн Rheinmetall") and "155-мм снарядів" in uk.body
    for boilerplate in (
        "cookie",
        "Головна",
        "Останні новини",
        "Фестиваль",
        "Усі права",
        "11 червня 2024",
    ):
        assert boilerplate not in uk.body
    (en,) = read_html(DATA / "pages" / "article-en.html")
    assert en.published.isoformat() == "2025-03-04T08:00:00" and en.lang == "en"
    for boilerplate in ("Subscribe", "cookies", "Latest posts", "Navy tests", "Copyright"):
        assert boilerplate not in en.body


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "no article text"),
        (b"<html><body><nav>Menu</nav></body></html>", "no article text"),
        (b"\xff\xfe\x00<<<", ""),
    ],
)
def test_broken_html_is_a_problem_not_a_crash(tmp_path, content, reason):
    page = tmp_path / "broken.html"
    page.write_bytes(content)
    (problem,) = read_html(page)
    assert problem.rejected and str(problem).startswith(f"{page}:0: ") and reason in problem.reason


RSS = """<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0"><channel><title>{title}</title><language>uk</language>
<item><guid>feed-1</guid><title>Ракети для ППО</title><link>http://127.0.0.1/page/1</link>
<pubDate>Tue, 11 Jun 2024 09:30:00 +0300</pubDate><description>&lt;p&gt;Коротко про ракети.&lt;/p&gt;</description></item>
<item><guid>feed-2</guid><title>Снаряди 155 мм</title><link>http://127.0.0.1/page/2</link>
<description>Підприємство нарощує випуск снарядів.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom test</title><id>urn:t</id><updated>2025-01-01T00:00:00Z</updated>
<entry><id>urn:atom-1</id><title>F-16 deliveries continue</title><link href="https://x.example/1"/>
<updated>2025-01-02T10:00:00Z</updated><content type="html">&lt;p&gt;Another batch of F-16 jets arrived.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_atom_and_windows_1251_feed_files(tmp_path):
    (tmp_path / "a.rss").write_text(RSS.format(encoding="utf-8", title="Тест"), "utf-8")
    (tmp_path / "b.atom").write_text(ATOM, "utf-8")
    (tmp_path / "c.xml").write_bytes(
        RSS.format(encoding="windows-1251", title="Віндоус").encode("cp1251")
    )
    rss = read_feed(tmp_path / "a.rss")
    assert [a.id for a in rss] == ["feed-1", "feed-2"]
    assert (
        rss[0].body == "Коротко про ракети."
        and rss[0].published.isoformat() == "2024-06-11T06:30:00"
    )
    assert rss[0].source == "Тест" and rss[0].lang == "uk" and rss[1].published is None
    (atom,) = read_feed(tmp_path / "b.atom")
    assert atom.id == "urn:atom-1" and atom.lang == "en" and "F-16 jets" in atom.body
    cp1251 = read_feed(tmp_path / "c.xml")
    assert cp1251[0].title == "Ракети для ППО" and cp1251[0].source == "Віндоус"


def test_malformed_feed_is_a_problem(tmp_path):
    (tmp_path / "bad.xml").write_text("<rss><channel><item><title>oops", "utf-8")
    (problem,) = read_feed(tmp_path / "bad.xml")
    assert problem.rejected and "not a readable feed" in problem.reason


# Configuration ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[index\n", "not valid TOML"),
        ("[index]\npath = 'x'\n", "no [[source]] entries"),
        ("[[source]]\npath = 'a'\nurl = 'https://x.example/f'\n", "exactly one of"),
        ("[[source]]\nurl = 'ftp://x.example/f'\n", "http(s) URL"),
        ("[[source]]\npath = 'a'\ncolour = 'red'\n", "unknown keys ['colour']"),
        ("[[source]]\npath = 'a'\n[fetch]\ntimeout = -1\n", "timeout must be"),
        ("[[source]]\npath = 'a'\ntimezone = 'Europe/Kyev'\n", "unknown time zone 'Europe/Kyev'"),
        ("[[source]]\npath = 'a'\ntimezone = 3\n", "timezone must be a string"),
    ],
)
def test_configuration_errors_name_the_problem(tmp_path, text, message):
    path = tmp_path / "defnews.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(str(path))
    done = run_cli("reindex", "--config", path)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_a_sources_timezone_reads_its_zoneless_times(tmp_path):
    """Each path source's zone reaches its files' reader (reindex's file plan)."""
    for folder in ("kyiv", "plain"):
        (tmp_path / folder).mkdir()
        record = {"id": folder, "title": "t", "body": "b", "published": "2024-06-29T10:15:00"}
        (tmp_path / folder / "a.jsonl").write_text(json.dumps(record), "utf-8")
    config = load_config(
        str(write_config(tmp_path, {"path": "kyiv", "timezone": "Europe/Kyiv"}, {"path": "plain"}))
    )
    reindex(config, str(tmp_path / "ix"))
    with open_index(str(tmp_path / "ix")).searcher() as searcher:
        stamps = {d["id"]: d["published"] for d in searcher.documents()}
    assert stamps["kyiv"].isoformat() == "2024-06-29T07:15:00"  # 10:15 in Kyiv, as UTC
    assert stamps["plain"].isoformat() == "2024-06-29T10:15:00"  # no zone set: UTC


def test_shipped_example_configuration_indexes_data(tmp_path):
    config = load_config(str(Path(__file__).parent.parent / "defnews.toml"))
    assert config.index_path.endswith(os.path.join("data", "index"))
    report = reindex(config, str(tmp_path / "ix"))
    assert report.added == 124 and report.ok


# Incremental runs --------------------------------------------------------------


def test_new_changed_removed_and_vanished_articles(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "one.jsonl").write_text(
        "\n".join([article("a", "Перша"), article("b", "Друга")]), "utf-8"
    )
    shutil.copy(DATA / "pages" / "article-en.html", articles / "page.html")
    config = load_config(str(write_config(tmp_path, {"path": "articles"})))
    index_dir = str(tmp_path / "ix")
    first = reindex(config, index_dir)
    assert (first.added, first.removed) == (3, 0)
    page_id = next(i for i in ids(index_dir) if i.startswith("url-"))

    nothing = reindex(config, index_dir)
    assert (nothing.added, nothing.updated, nothing.removed, nothing.unchanged) == (0, 0, 0, 3)

    time.sleep(0.01)
    (articles / "one.jsonl").write_text(
        "\n".join([article("a", "Перша, оновлена"), article("c", "Третя")]), "utf-8"
    )
    (articles / "sub").mkdir()
    (articles / "sub" / "two.jsonl").write_text(article("d", "Четверта"), "utf-8")
    second = reindex(config, index_dir)
    assert (second.added, second.updated, second.removed) == (2, 1, 1)  # b left its file
    assert ids(index_dir) == sorted(["a", "c", "d", page_id])

    (articles / "page.html").unlink()
    third = reindex(config, index_dir, keep_deleted=True)
    assert third.removed == 0 and page_id in ids(index_dir)
    fourth = reindex(config, index_dir)
    assert fourth.removed == 1 and ids(index_dir) == ["a", "c", "d"]


def test_an_article_may_move_between_files(tmp_path):
    src = tmp_path / "articles"
    src.mkdir()
    (src / "a.jsonl").write_text(article("x", "Стаття"), "utf-8")
    config = load_config(str(write_config(tmp_path, {"path": "articles"})))
    reindex(config, str(tmp_path / "ix"))
    (src / "a.jsonl").unlink()
    (src / "b.jsonl").write_text(article("x", "Стаття"), "utf-8")
    report = reindex(config, str(tmp_path / "ix"))
    assert report.removed == 0 and ids(tmp_path / "ix") == ["x"]


def test_a_missing_source_fails_without_emptying_the_index(tmp_path):
    src = tmp_path / "articles"
    src.mkdir()
    (src / "a.jsonl").write_text(article("x", "Стаття"), "utf-8")
    path = write_config(tmp_path, {"path": "articles"})
    assert run_cli("reindex", "--config", path).returncode == 0
    shutil.rmtree(src)  # an unmounted disk, a typo in the config...
    done = run_cli("reindex", "--config", path, "--log", tmp_path / "reindex.log")
    assert done.returncode == 3
    assert done.stdout.count("\n") == 1 and "sources failed 1" in done.stdout and done.stderr == ""
    assert "articles: no such file or directory" in (tmp_path / "reindex.log").read_text()
    assert ids(tmp_path / "ix") == ["x"]


def test_bad_records_are_logged_and_exit_3(tmp_path):
    src = tmp_path / "articles"
    src.mkdir()
    (src / "a.jsonl").write_text(article("x", "Стаття") + "\n{broken\n", "utf-8")
    path = write_config(tmp_path, {"path": "articles"})
    done = run_cli("reindex", "--config", path, "--verbose")
    assert done.returncode == 3 and "rejected 1" in done.stdout
    assert "a.jsonl:2: not valid JSON" in done.stderr
    stats = run_cli("stats", "--json", "--index", tmp_path / "ix")
    assert "rejected 1" in json.loads(stats.stdout)["last_run"]["summary"]


def test_globs_select_files(tmp_path):
    src = tmp_path / "articles"
    src.mkdir()
    (src / "keep-1.jsonl").write_text(article("k", "Так"), "utf-8")
    (src / "skip-1.jsonl").write_text(article("s", "Ні"), "utf-8")
    config = load_config(str(write_config(tmp_path, {"path": "articles/keep-*.jsonl"})))
    reindex(config, str(tmp_path / "ix"))
    assert ids(tmp_path / "ix") == ["k"]


# Feeds over HTTP ---------------------------------------------------------------


class FeedSite:
    """A tiny web site on 127.0.0.1 with the responses a crawler meets."""

    def __init__(self):
        self.hits: dict[str, int] = {}
        self.conditional: list[str] = []
        self.pages: dict[str, tuple[int, str, bytes, dict]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                if self.path == "/slow":
                    time.sleep(3)
                status, ctype, body, headers = site.pages.get(
                    self.path, (404, "text/plain", b"no", {})
                )
                if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                    site.conditional.append(self.path)
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the slow page's timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    site = FeedSite()
    rss = RSS.format(encoding="utf-8", title="Тестова стрічка").replace(
        "http://127.0.0.1", site.base
    )
    site.pages["/feed.xml"] = (200, "application/rss+xml", rss.encode(), {"ETag": '"v1"'})
    page = (DATA / "pages" / "article-uk.html").read_bytes()
    site.pages["/page/1"] = (200, "text/html; charset=utf-8", page, {})
    site.pages["/error"] = (500, "text/plain", b"boom", {})
    site.pages["/bad.xml"] = (200, "application/xml", b"<rss><channel><item>", {})
    cp1251 = RSS.format(encoding="windows-1251", title="Віндоус").replace(
        "http://127.0.0.1", site.base
    )
    site.pages["/cp1251.xml"] = (200, "application/rss+xml", cp1251.encode("cp1251"), {})
    site.pages["/slow"] = (200, "application/rss+xml", rss.encode(), {})
    yield site
    site.close()


FAST = {"timeout": 1, "retries": 1, "host_delay": 0}


def test_feed_url_conditional_get_and_pages(site, tmp_path):
    config = load_config(
        str(
            write_config(
                tmp_path, {"url": site.base + "/feed.xml", "fetch_pages": True}, fetch=FAST
            )
        )
    )
    index_dir = str(tmp_path / "ix")
    first = reindex(config, index_dir)
    assert first.added == 2 and first.ok
    hits = {h.id: h for h in search(open_index(index_dir), SearchRequest(per_page=10)).hits}
    assert (
        "Rheinmetall" in hits["feed-1"].snippet or "Німецький" in hits["feed-1"].snippet
    )  # the page's text
    assert hits["feed-2"].snippet.startswith("Підприємство")  # page 2 is a 404: summary kept
    assert site.hits["/page/1"] == 1
    second = reindex(config, index_dir)
    assert site.conditional == ["/feed.xml"]  # an unchanged feed costs one 304
    assert (second.added, second.updated, second.removed) == (0, 0, 0) and site.hits["/page/1"] == 1


def test_failing_feeds_are_reported_and_the_rest_still_runs(site, tmp_path):
    src = tmp_path / "articles"
    src.mkdir()
    (src / "a.jsonl").write_text(article("x", "Стаття"), "utf-8")
    path = write_config(
        tmp_path,
        {"url": site.base + "/error"},
        {"url": site.base + "/missing.xml"},
        {"url": site.base + "/bad.xml"},
        {"url": site.base + "/slow"},
        {"url": site.base + "/cp1251.xml"},
        {"path": "articles"},
        fetch=FAST,
    )
    done = run_cli("reindex", "--config", path, "--log", tmp_path / "log.txt")
    assert done.returncode == 3 and "sources failed 4" in done.stdout and "added 3" in done.stdout
    log = (tmp_path / "log.txt").read_text()
    assert "/error: HTTP 500" in log and "/missing.xml: HTTP 404" in log
    assert "not a readable feed" in log and "/slow: timed out" in log
    assert site.hits["/error"] == 2  # retried once, with backoff
    found = search(open_index(str(tmp_path / "ix")), SearchRequest("ракета", per_page=10))
    assert {h.source for h in found.hits} == {"Віндоус", ""}


# One writer, crash safety ---------------------------------------------------------


HOLD_LOCK = "import sys, time; from indexer import store\nwith store.writer_lock(sys.argv[1]):\n    print('locked', flush=True); time.sleep(60)"


def test_a_second_run_exits_75_or_waits(tmp_path):
    path = write_config(tmp_path, {"path": str(DATA / "sample.jsonl")})
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path / "ix")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        blocked = run_cli("reindex", "--config", path)
        assert blocked.returncode == 75 and blocked.stdout == ""
        assert blocked.stderr.count("\n") == 1 and f"pid {holder.pid}" in blocked.stderr
        assert run_cli("index", DATA / "sample.jsonl", "--index", tmp_path / "ix").returncode == 75
        threading.Timer(1.0, holder.kill).start()  # a killed holder frees the lock
        waited = run_cli("reindex", "--config", path, "--wait", "20")
        assert waited.returncode == 0 and "added 6" in waited.stdout
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_killing_reindex_at_random_moments_never_breaks_the_index(tmp_path):
    """SIGKILL a real `defnews reindex` mid-run, again and again: the index
    always opens, checks clean, and keeps everything a finished run wrote."""
    import random

    src = tmp_path / "articles"
    src.mkdir()
    path = write_config(tmp_path, {"path": "articles"})
    index_dir = tmp_path / "ix"

    def add_batch(n):
        batch = [
            article(f"r{n}-{i}", f"Стаття {n}-{i}", "Дрони, ракети і снаряди. " * 30)
            for i in range(300)
        ]
        (src / f"batch-{n}.jsonl").write_text("\n".join(batch), "utf-8")

    add_batch(0)
    started = time.monotonic()
    assert run_cli("reindex", "--config", path).returncode == 0
    full_run = time.monotonic() - started  # kill within a run's own span
    committed = set(ids_all(index_dir))
    rng = random.Random(7)
    killed = 0
    for n in range(1, 8):
        add_batch(n)
        process = subprocess.Popen(
            [*DEFNEWS, "reindex", "--config", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 1.1) * full_run)
        process.kill()
        finished = process.wait() == 0
        killed += not finished
        assert check_index(str(index_dir)) == []
        present = set(ids_all(index_dir))
        assert committed <= present
        if finished:
            committed = present
    assert killed >= 3  # most runs really died mid-way
    done = run_cli("reindex", "--config", path)
    assert done.returncode == 0
    assert len(ids_all(index_dir)) == 8 * 300 and check_index(str(index_dir)) == []


def ids_all(index_dir):
    from indexer.columns import column_items

    with open_index(str(index_dir)).reader() as reader:
        return [doc_id for _, doc_id in column_items(reader, "id")]


SEARCH_LOOP = """
import sys, time
from indexer.index import open_index
from indexer.search import SearchRequest, search
end = time.monotonic() + float(sys.argv[2]); n = 0
while time.monotonic() < end:
    page = search(open_index(sys.argv[1]), SearchRequest("ракета OR стаття", per_page=5))
    assert page.total >= 1, page.total
    n += 1
print(n)
"""


def test_searches_keep_working_during_reindex(tmp_path):
    src = tmp_path / "articles"
    src.mkdir()
    (src / "base.jsonl").write_text(article("base", "Стаття-основа"), "utf-8")
    path = write_config(tmp_path, {"path": "articles"})
    assert run_cli("reindex", "--config", path).returncode == 0
    searcher = subprocess.Popen(
        [sys.executable, "-c", SEARCH_LOOP, str(tmp_path / "ix"), "6"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for n in range(4):
        (src / f"more-{n}.jsonl").write_text(
            "\n".join(article(f"m{n}-{i}", f"Стаття {i}") for i in range(60)), "utf-8"
        )
        assert run_cli("reindex", "--config", path).returncode == 0
    out, err = searcher.communicate(timeout=60)
    assert searcher.returncode == 0, err
    assert int(out) > 5


def test_last_run_is_recorded(tmp_path):
    config = load_config(str(write_config(tmp_path, {"path": str(DATA / "sample.jsonl")})))
    reindex(config, str(tmp_path / "ix"))
    run = last_run(str(tmp_path / "ix"))
    assert run["summary"].startswith("added 6,") and run["finished"].endswith("Z")
