"""The defnews command line: exit codes, messages, the --json contract."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

from indexer.cli import cli
from indexer.export import CSV_COLUMNS

HIT_KEYS = {
    "id",
    "url",
    "title",
    "published",
    "lang",
    "source",
    "companies",
    "systems",
    "score",
    "snippet",
    "title_html",
    "similar",
}
FACETS = {"company", "system", "class", "lang", "year", "month", "source"}


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_index_reports_bad_records_by_line_and_exits_3(tmp_path, run):
    src = tmp_path / "dirty.jsonl"
    src.write_text(
        '{"id": "a", "title": "Ракети", "body": "текст"}\n'
        "not json\n"
        '{"id": "b", "title": "Date", "body": "x", "published": "soon"}\n',
        "utf-8",
    )
    result = run("index", src, "--index", tmp_path / "ix")
    assert result.exit_code == 3
    assert f"{src}:2: not valid JSON" in result.stderr
    assert f"{src}:3: unusable date 'soon'" in result.stderr
    assert "2 articles indexed (2 new" in result.stderr and "1 rejected" in result.stderr


def test_clean_input_exits_0_and_search_finds_it(tmp_path, run):
    assert run("index", SAMPLE, "--index", tmp_path).exit_code == 0
    result = run("search", "ракета", "--no-translate", "--index", tmp_path)
    assert result.exit_code == 0
    assert "Винищувачі F-16 і збитий Су-34" in result.stdout
    assert "<mark>" not in result.stdout  # plain text in the terminal
    assert "2 of 2 results" in result.stderr


def test_search_exit_codes(tmp_path, run, monkeypatch):
    run("index", SAMPLE, "--index", tmp_path)
    assert run("search", "nonexistentword", "--index", tmp_path).exit_code == 1
    bad_date = run("search", "ракета", "--from", "garbage", "--index", tmp_path)
    assert bad_date.exit_code == 2 and "bad date 'garbage'" in bad_date.stderr
    assert run("search", "ракета", "--sort", "random", "--index", tmp_path).exit_code == 2
    empty = run("search", "OR", "--index", tmp_path)
    assert empty.exit_code == 2 and "no words to search" in empty.stderr
    missing = run("search", "ракета", "--index", tmp_path / "none")
    assert missing.exit_code == 2 and "no index at" in missing.stderr
    # the index directory can come from the environment
    monkeypatch.setenv("DEFNEWS_INDEX", str(tmp_path))
    assert run("search", "ракета").exit_code == 0


def test_leading_minus_is_a_negation_not_an_option(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    result = run("search", "--json", "--index", tmp_path, "ракета", "-завод")
    assert result.exit_code == 0
    assert [h["id"] for h in json.loads(result.stdout)["hits"]] == ["t-uk-2"]


def test_json_output_matches_the_contract(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    result = run("search", "F16", "--json", "--limit", "1", "--page", "2", "--index", tmp_path)
    data = json.loads(result.stdout)
    assert set(data) == {
        "query",
        "total",
        "page",
        "per_page",
        "hits",
        "facets",
        "suggestion",
        "relaxed",
        "also_searched",
        "read_as",
        "repairs",
    }
    assert (data["query"], data["total"], data["page"], data["per_page"]) == ("F16", 2, 2, 1)
    (hit,) = data["hits"]
    assert set(hit) == HIT_KEYS
    assert hit["published"] is None or hit["published"].endswith("Z")
    assert "<mark>F" in hit["snippet"] and isinstance(hit["companies"], list)
    assert set(data["facets"]) == FACETS


def test_stats(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    data = json.loads(run("stats", "--json", "--index", tmp_path).stdout)
    assert data["documents"] == 6
    assert data["languages"] == {"en": 3, "uk": 3}
    assert data["date_from"] == "2022-10-13T00:00:00Z"
    assert data["date_to"] == "2025-01-15T07:30:00Z"
    assert data["size_bytes"] > 0
    assert "documents  6 (en 3, uk 3)" in run("stats", "--index", tmp_path).stdout


def test_usage_errors_exit_2(tmp_path, run):
    assert run("index", tmp_path / "missing.jsonl", "--index", tmp_path).exit_code == 2
    missing = run("search")  # the default index (conftest: one that does not exist)
    assert missing.exit_code == 2 and "no index at" in missing.stderr


def test_a_misspelt_long_option_is_a_usage_error(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    typo = run("search", "--compnay", "boeing", "--index", tmp_path)
    assert typo.exit_code == 2 and typo.stdout == ""
    assert "No such option '--compnay'" in typo.stderr and "'--company'" in typo.stderr
    assert (
        "No such option '--nope'" in run("search", "ракета", "--nope=1", "--index", tmp_path).stderr
    )
    # a leading minus is NOT, as is the word NOT; -- alone ends the options
    for query in (["-завод", "ракета"], ["NOT", "завод", "ракета"], ["--", "ракета"]):
        result = run("search", "--json", "--index", tmp_path, *query)
        assert result.exit_code == 0, result.stderr
        assert [h["id"] for h in json.loads(result.stdout)["hits"]] != []


@pytest.mark.parametrize("query", ["the who", "through", "якщо", "і"])
def test_a_query_of_stopwords_is_a_search_not_a_usage_error(tmp_path, run, query):
    run("index", SAMPLE, "--index", tmp_path)
    result = run("search", query, "--all-words", "--index", tmp_path)
    assert result.exit_code in (0, 1) and "no words" not in result.stderr
    assert (result.exit_code == 0) == (query == "і")  # only "і" is in the sample


def test_console_script_runs_end_to_end(tmp_path):
    """The installed `defnews` entry point, in a real process."""
    exe = os.path.join(os.path.dirname(sys.executable), "defnews")
    env = {**os.environ, "DEFNEWS_INDEX": str(tmp_path)}
    done = subprocess.run([exe, "index", str(SAMPLE)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    found = subprocess.run(
        [exe, "search", "Су-34", "--json"], capture_output=True, text=True, env=env
    )
    assert found.returncode == 0
    assert sorted(h["id"] for h in json.loads(found.stdout)["hits"]) == ["t-en-1", "t-uk-2"]


def test_filters_facets_and_browse_from_the_command_line(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    result = run("search", "--json", "--company", "Райнметаллом", "--index", tmp_path)
    data = json.loads(result.stdout)
    assert [h["id"] for h in data["hits"]] == ["t-uk-1"]
    companies = {f["value"]: f["count"] for f in data["facets"]["company"]}
    assert companies["rheinmetall"] == 1 and companies["lockheed-martin"] == 1  # disjunctive
    browse = json.loads(run("search", "--json", "--lang", "en", "--index", tmp_path).stdout)
    assert [h["id"] for h in browse["hits"]] == ["t-en-1", "t-en-2", "t-en-3"]
    assert {f["value"]: f["count"] for f in browse["facets"]["lang"]} == {"en": 3, "uk": 3}
    capped = json.loads(run("search", "--json", "--facet-size", "1", "--index", tmp_path).stdout)
    assert len(capped["facets"]["company"]) == 1
    sourced = run(
        "search", "--json", "--source", "Test Weekly", "--lang", "uk", "--index", tmp_path
    )
    assert json.loads(sourced.stdout)["total"] == 0 and sourced.exit_code == 1
    unknown = run("search", "ракета", "--company", "Nosuch Corp", "--index", tmp_path)
    assert unknown.exit_code == 2 and "unknown company 'Nosuch Corp'" in unknown.stderr


def test_human_output_shows_facets_and_did_you_mean(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    result = run("search", "ракета", "--no-translate", "--index", tmp_path)
    assert "company: Rheinmetall 1" in result.stdout
    typo = run("search", "Lockhed", "--index", tmp_path)
    assert typo.exit_code == 1 and "Did you mean: Lockheed" in typo.stderr


def test_companies_command_lists_the_gazetteer(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    rows = json.loads(run("companies", "--json", "--index", tmp_path).stdout)
    by_id = {r["id"]: r for r in rows}
    assert len(rows) >= 60
    assert by_id["rheinmetall"]["documents"] == 1 and by_id["rheinmetall"]["aliases"] >= 3
    assert by_id["boeing"]["name_uk"]
    text = run("companies", "--index", tmp_path).stdout
    assert "rheinmetall" in text and "articles" in text


def test_all_words_turns_the_fallback_off(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    relaxed = run("search", "ракета", "zzqxw", "--json", "--index", tmp_path)
    data = json.loads(relaxed.stdout)
    assert data["relaxed"] and data["total"] > 0
    strict = run("search", "ракета", "zzqxw", "--all-words", "--no-translate", "--index", tmp_path)
    assert strict.exit_code == 1 and "ракет" not in strict.stdout


@pytest.fixture(scope="module")
def wide_index(tmp_path_factory):
    """250 articles holding one word: more than the 100 a page may hold, so
    --all has to go past the page limit (and does not fold near copies)."""
    folder = tmp_path_factory.mktemp("wide")
    lines = [
        json.dumps(
            {
                "id": f"w{n:03}",
                "title": f"Постачання ракет {n}",
                "lang": "uk",
                "body": f"Партія {n} ракет для ППО" + " ракета" * (n % 7),
                "published": f"2024-{n % 12 + 1:02}-01",
                "companies": ["Boeing"] if n % 5 else [],
            },
            ensure_ascii=False,
        )  # fmt: skip
        for n in range(250)
    ]
    (folder / "wide.jsonl").write_text("\n".join(lines), "utf-8")
    CliRunner().invoke(cli, ["index", str(folder / "wide.jsonl"), "--index", str(folder / "ix")])
    return folder / "ix"


def test_all_exports_every_hit_in_the_pages_order(wide_index, run):
    from indexer.index import open_index
    from indexer.search import SearchRequest, search

    exported = run("search", "ракета", "--all", "--format", "jsonl", "--index", wide_index)
    assert exported.exit_code == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 250 and "250 results" in exported.stderr
    assert set(rows[0]) == HIT_KEYS - {"snippet", "title_html", "similar"}
    ix = open_index(str(wide_index))
    pages = [
        h.id
        for page in (1, 2, 3)
        for h in search(ix, SearchRequest("ракета", page=page, per_page=100, collapse=False)).hits
    ]
    assert [r["id"] for r in rows] == pages
    newest = run("search", "ракета", "--all", "--format", "csv", "--sort", "newest",
                 "--index", wide_index)  # fmt: skip
    table = list(csv.DictReader(io.StringIO(newest.stdout)))
    assert len(table) == 250 and list(table[0]) == list(CSV_COLUMNS)
    dates = [r["published"] for r in table]
    assert dates == sorted(dates, reverse=True)
    assert {r["companies"] for r in table} == {"boeing", ""}


def test_a_page_exports_as_jsonl_or_csv(wide_index, run):
    page = run("search", "ракета", "--format", "csv", "--limit", "20", "--index", wide_index)
    assert len(list(csv.DictReader(io.StringIO(page.stdout)))) == 20
    assert "20 of 250 results" in page.stderr
    refused = run("search", "ракета", "--all", "--index", wide_index)
    assert refused.exit_code == 2 and "--format jsonl or --format csv" in refused.stderr
    none = run("search", "нісенітниця", "--all", "--format", "csv", "--index", wide_index)
    assert none.exit_code == 1 and none.stdout.splitlines() == [",".join(CSV_COLUMNS)]


def test_a_lenient_reading_is_told_on_stderr(tmp_path, run):
    run("index", SAMPLE, "--index", tmp_path)
    result = run("search", '"ракета', "--index", tmp_path)
    assert 'Searched as: "ракета" (a quote was not closed' in result.stderr
    assert "Searched as" not in result.stdout
