"""JSONL ingest: good records, bad records reported by line, dates of any precision."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from conftest import shared_corpus

from indexer.ingest import Article, Problem, find_inputs, read_inputs
from indexer.ingest import jsonl as jsonl_module
from indexer.ingest.dates import parse_published


def read(tmp_path, *lines, name="in.jsonl"):
    path = tmp_path / name
    path.write_bytes(
        b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines)
    )
    records = list(read_inputs(find_inputs([path])))
    return (
        [r for r in records if isinstance(r, Article)],
        [r for r in records if isinstance(r, Problem)],
    )


def line(**fields):
    return json.dumps(fields, ensure_ascii=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024", datetime(2024, 1, 1)),
        ("2024-06", datetime(2024, 6, 1)),
        ("2024-06-01", datetime(2024, 6, 1)),
        ("2024-06-01T10:00:00+03:00", datetime(2024, 6, 1, 7, 0)),
        ("2024-06-01T10:00:00Z", datetime(2024, 6, 1, 10, 0)),
        ("2024-06-01T10:00:00", datetime(2024, 6, 1, 10, 0)),
        (2016, datetime(2016, 1, 1)),
    ],
)
def test_dates_of_any_precision_are_stored_as_utc(value, expected):
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    "value", ["31-MAR-1987 605:12:19.12", "2024-13", "yesterday", "0001-01-01", [2024]]
)
def test_unusable_dates_raise_value_error(value):
    with pytest.raises(ValueError):
        parse_published(value)


def test_good_and_bad_lines_are_told_apart_by_line_number(tmp_path):
    articles, problems = read(
        tmp_path,
        line(id="a", title="Перша", body="ракети", published="2024-06", lang="uk"),
        "{not json",
        line(id="b", published="2024"),
        line(id="c", title="Bad date", body="text", published="31-MAR-1987 605:12:19.12"),
        "",
        "[1, 2]",
        line(id="d", title=["list"], body="x"),
        b'{"id": "e", "title": "\xff\xfe"}',
        line(id="f", title="Last", body="still read"),
    )
    assert [a.id for a in articles] == ["a", "c", "f"]
    assert articles[1].published is None  # bad date: indexed without a date
    reasons = {p.line: (str(p), p.rejected) for p in problems}
    assert sorted(reasons) == [2, 3, 4, 6, 7, 8]
    assert "not valid JSON" in reasons[2][0] and reasons[2][1]
    assert "neither title nor body" in reasons[3][0]
    assert "unusable date '31-MAR-1987 605:12:19.12'" in reasons[4][0] and not reasons[4][1]
    assert "expected a JSON object" in reasons[6][0]
    assert "'title' must be a string" in reasons[7][0]
    assert "not UTF-8" in reasons[8][0]
    assert reasons[2][0].startswith(str(tmp_path / "in.jsonl") + ":2: ")


def test_ids_come_from_the_record_then_url_then_content(tmp_path):
    articles, _ = read(
        tmp_path,
        line(id=17, title="numeric id", body="x"),
        line(url="https://x.example/a", title="from url", body="x"),
        line(title="from content", body="x"),
    )
    assert articles[0].id == "17"
    assert articles[1].id.startswith("url-")
    assert articles[2].id.startswith("sha-")
    again, _ = read(tmp_path, line(title="from content", body="x"), name="again.jsonl")
    assert again[0].id == articles[2].id  # stable across runs


@pytest.mark.parametrize(
    ("given", "text", "expected"),
    [
        (None, "Ракети для ППО виробляють в Україні", "uk"),
        (None, "Missiles for air defense are produced", "en"),
        ("UA", "Ракети", "uk"),
        ("EN", "Missiles", "en"),
    ],
)
def test_language_is_taken_or_detected(tmp_path, given, text, expected):
    fields = {"title": text, "body": text}
    if given:
        fields["lang"] = given
    articles, problems = read(tmp_path, line(**fields))
    assert articles[0].lang == expected and not problems


def test_unsupported_language_is_reported_and_detected(tmp_path):
    articles, problems = read(tmp_path, line(title="Ракети", body="Текст", lang="de"))
    assert articles[0].lang == "uk"
    assert "unsupported lang 'de'" in problems[0].reason and not problems[0].rejected


def test_oversized_line_is_rejected_without_losing_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl_module, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(jsonl_module, "_CHUNK", 7)
    articles, problems = read(
        tmp_path,
        line(title="x" * 500, body="long"),
        line(id="ok", title="short", body="fine"),
    )
    assert [a.id for a in articles] == ["ok"]
    assert problems[0].line == 1 and "longer than 100 bytes" in problems[0].reason


def test_directories_are_walked_and_unknown_files_refused(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text(line(title="b", body="b"))
    (tmp_path / "a.jsonl").write_text(line(title="a", body="a"))
    (tmp_path / "notes.txt").write_text("ignored in a directory")
    assert [p.rsplit("/", 1)[1] for p in find_inputs([tmp_path])] == ["a.jsonl", "b.jsonl"]
    with pytest.raises(ValueError, match="no reader"):
        list(find_inputs([tmp_path / "notes.txt"]))
    with pytest.raises(FileNotFoundError):
        list(find_inputs([tmp_path / "missing.jsonl"]))


def test_reuters_dirt_is_reported_by_line():
    path = shared_corpus("reuters21578.jsonl")
    records = list(read_inputs([path]))
    articles = [r for r in records if isinstance(r, Article)]
    problems = [r for r in records if isinstance(r, Problem)]
    assert len(articles) == 21577
    assert [(p.line, p.rejected) for p in problems] == [(12793, True), (17192, False)]
    assert "neither title nor body" in problems[0].reason
    assert "unusable date" in problems[1].reason
