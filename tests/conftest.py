"""Fixtures: a tiny bilingual corpus indexed on disk, and the shipped sample corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.index import open_index, update_index
from indexer.ingest import find_inputs, read_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"
CORPUS_DIR = ROOT / "data" / "articles"
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"


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
