"""Fixtures: a tiny bilingual corpus indexed on disk, and the shipped sample corpus."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from indexer.index import open_index, update_index
from indexer.ingest import find_inputs, read_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"
CORPUS_DIR = ROOT / "data" / "articles"
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture(autouse=True)
def no_default_index(tmp_path_factory, monkeypatch):
    """No test may find the working directory's data/index (which `make run`
    builds) by default: the default index is one that does not exist."""
    monkeypatch.setenv("DEFNEWS_INDEX", str(tmp_path_factory.getbasetemp() / "no-default-index"))


def build_index(index_dir, *paths, rebuild=False):
    """Index ``paths`` into ``index_dir`` through the real pipeline."""
    return update_index(str(index_dir), read_inputs(find_inputs(paths)), rebuild=rebuild)


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("sample-index")
    build_index(index_dir, SAMPLE)
    return str(index_dir)


@pytest.fixture(scope="session")
def sample_ix(sample_index_dir):
    ix = open_index(sample_index_dir)
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("corpus-index")
    build_index(index_dir, CORPUS_DIR)
    return str(index_dir)


@pytest.fixture(scope="session")
def corpus_ix(corpus_index_dir):
    ix = open_index(corpus_index_dir)
    yield ix
    ix.close()


@pytest.fixture
def app(sample_index_dir):
    from web import create_app

    return create_app({"INDEX_DIR": sample_index_dir, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def shared_corpus(name):
    """Path of a real corpus in ../shared/corpora, or skip when it is absent."""
    path = SHARED_CORPORA / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return os.fspath(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(index_dir, log_path, workers=2):
    """Run the real `defnews serve` (gunicorn) on 127.0.0.1; yield its base URL."""
    port = free_port()
    with open(log_path, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "indexer", "serve", "--port", str(port),
             "--workers", str(workers), "--index", str(index_dir)],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"server did not start:\n{Path(log_path).read_text()}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def corpus_server(corpus_index_dir, tmp_path_factory):
    """The production server over the shipped sample corpus."""
    log = tmp_path_factory.mktemp("server") / "serve.log"
    with serving(corpus_index_dir, log) as base:
        yield base
