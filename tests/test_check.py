"""`defnews check`: damage to any file of a real index is found, named, and
answered with the exact command that rebuilds the index from its sources;
running that command gives a sound index again."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

from indexer import store
from indexer.check import verify_index
from indexer.cli import cli
from indexer.index import open_index
from indexer.search import SearchRequest, search

DEFNEWS = [sys.executable, "-m", "indexer"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """An index of the sample built by `defnews index`, in two generations."""
    folder = tmp_path_factory.mktemp("pristine")
    extra = folder / "extra.jsonl"
    extra.write_text(json.dumps({"id": "x1", "title": "Ракета", "body": "текст"}), "utf-8")
    assert run("index", SAMPLE, "--index", folder / "ix").exit_code == 0
    assert run("index", extra, "--index", folder / "ix").exit_code == 0
    return folder


@pytest.fixture
def index_copy(pristine, tmp_path):
    shutil.copytree(pristine, tmp_path, dirs_exist_ok=True)
    return tmp_path / "ix"


def live(index_dir):
    return store.current_generation(str(index_dir))


def data_file(index_dir, suffix):
    gen = live(index_dir)
    return os.path.join(gen, next(n for n in sorted(os.listdir(gen)) if n.endswith(suffix)))


def flip_byte(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))


def overwrite(path, data: bytes):
    with open(path, "wb") as f:
        f.write(data)


def truncate(path):
    os.truncate(path, os.path.getsize(path) // 2)


def edit_meta(index_dir, **changes):
    path = os.path.join(live(index_dir), store.META)
    with open(path, encoding="utf-8") as f:
        meta = json.load(f)
    meta.update(changes)
    meta = {k: v for k, v in meta.items() if v is not None}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(meta, f)


def test_a_sound_index_checks_clean_and_says_what_it_read(index_copy):
    result = run("check", "--index", index_copy)
    assert result.exit_code == 0, result.stderr
    assert "7 documents" in result.stdout and "files match their checksums" in result.stdout
    report = verify_index(str(index_copy))
    assert report.files_verified >= 10 and report.terms_read > 100 and report.postings_complete


def test_unchanged_files_keep_their_checksums_across_generations(pristine):
    """The second generation hard-links the first one's segment and reuses
    its checksums rather than re-reading it."""
    first, second = sorted(p for p in (pristine / "ix").iterdir() if p.name.startswith("gen-"))
    if not first.exists():
        pytest.skip("the first generation was collected")
    old = store.read_meta(str(first))["manifest"]
    new = store.read_meta(str(second))["manifest"]
    shared = [n for n in old if n in new and n.endswith(".pst")]
    assert shared and all(old[n] == new[n] for n in shared)


DAMAGE = {
    "postings byte flipped": (lambda ix: flip_byte(data_file(ix, ".pst"), 200), ".pst: damaged"),
    "terms truncated": (lambda ix: truncate(data_file(ix, ".trm")), ".trm: damaged ("),
    "column deleted": (lambda ix: os.remove(data_file(ix, ".companies.col")), ".companies.col: missing"),
    "stored fields flipped": (lambda ix: flip_byte(data_file(ix, "_stored.col"), 10), "_stored.col: damaged"),
    "table of contents garbage": (
        lambda ix: overwrite(data_file(ix, ".toc"), b"garbage"), ".toc: damaged"),
    "facet cache truncated": (lambda ix: truncate(data_file(ix, "facets.pickle")), "facets.pickle: damaged"),
    "meta not JSON": (
        lambda ix: overwrite(os.path.join(live(ix), store.META), b"{"), "defnews.json: damaged"),
    "count disagrees": (lambda ix: edit_meta(ix, documents=8), "7 documents, but 8 when published"),
    "no manifest, postings truncated": (
        lambda ix: (edit_meta(ix, manifest=None), truncate(data_file(ix, ".pst"))),
        ": segment MAIN_"),
    "pointer deleted": (lambda ix: os.remove(os.path.join(ix, store.POINTER)), "no live index at"),
}  # fmt: skip


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damage_is_named_with_the_command_that_rebuilds(index_copy, damage):
    harm, message = DAMAGE[damage]
    harm(str(index_copy))
    result = run("check", "--index", index_copy)
    assert result.exit_code == 3
    problems, command = result.stderr.strip().rsplit("\n", 1)
    assert message in problems and problems.startswith("defnews check: ")
    if damage == "no manifest, postings truncated":  # found by reading: names the segment's files
        assert "does not read (" in problems and ".pst" in problems
    sources = sorted([str(SAMPLE), str(index_copy.parent.parent / "pristine0" / "extra.jsonl")])
    expected = ["defnews", "index", "--rebuild", *sources, "--index", str(index_copy)]
    if damage == "meta not JSON":  # the sources were recorded there
        expected[3:5] = ["PATH..."]
    assert command == "rebuild it from the sources: " + shlex.join(expected)


def test_the_printed_command_rebuilds_a_sound_index(index_copy):
    truncate(data_file(index_copy, ".pst"))
    check = subprocess.run(
        [*DEFNEWS, "check", "--index", index_copy], capture_output=True, text=True
    )
    assert check.returncode == 3 and ".pst: damaged" in check.stderr
    command = shlex.split(check.stderr.strip().rsplit("\n", 1)[1].split(": ", 1)[1])
    assert command[0] == "defnews"
    rebuilt = subprocess.run([*DEFNEWS, *command[1:]], capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert run("check", "--index", index_copy).exit_code == 0
    assert search(open_index(str(index_copy)), SearchRequest("ракета", translate=False)).total == 3


def test_a_reindexed_index_names_reindex_rebuild_and_it_works(tmp_path):
    src = tmp_path / "articles"
    src.mkdir()
    shutil.copy(SAMPLE, src / "sample.jsonl")
    config = tmp_path / "defnews.toml"
    config.write_text('[index]\npath = "ix"\n[[source]]\npath = "articles"\n', "utf-8")
    assert run("reindex", "--config", config).exit_code == 0
    flip_byte(data_file(tmp_path / "ix", ".trm"), 100)
    result = run("check", "--index", tmp_path / "ix")
    assert result.exit_code == 3 and ".trm: damaged" in result.stderr
    command = result.stderr.strip().rsplit("\n", 1)[1].split(": ", 1)[1]
    assert command == shlex.join(
        [
            "defnews",
            "reindex",
            "--rebuild",
            "--config",
            str(config),
            "--index",
            str(tmp_path / "ix"),
        ]
    )
    rebuilt = run(*shlex.split(command)[1:])
    assert rebuilt.exit_code == 0 and "added 6" in rebuilt.stdout
    assert run("check", "--index", tmp_path / "ix").exit_code == 0


def test_the_postings_walk_stops_at_its_budget(index_copy):
    result = run("check", "--budget", "0", "--index", index_copy)
    assert result.exit_code == 0 and "the budget ran out" in result.stdout
