"""A segment's flush writes a run of terms at a time (``add_runs``): the
bytes must be those the per-term writer (``add_buffered``) writes."""

from pathlib import Path

import pytest
from conftest import CORPUS_DIR
from whoosh import index as whoosh_index

from indexer import codec, flat_postings
from indexer.entities import SYSTEMS, default_gazetteer
from indexer.index import _build_document
from indexer.ingest import Problem, find_inputs, read_inputs
from indexer.schema import news_schema
from indexer.writer import news_writer


def _per_term(self, schema, lengths, buffer):
    self.add_buffered(schema, lengths, buffer.sorted_terms(), iter(()))


def _segment_files(folder: Path) -> dict[str, bytes]:
    """The postings and terms files by extension (segment names are random)."""
    found = {path.suffix: path.read_bytes() for path in folder.iterdir()}
    return {ext: found[ext] for ext in (".pst", ".trm")}


@pytest.mark.parametrize(
    "blocklimit, gather",
    [(codec.BLOCK_POSTINGS, flat_postings._GATHER), (3, 500)],
    ids=["as-built", "many-blocks-and-runs"],
)
def test_runs_write_the_bytes_per_term_writing_writes(tmp_path, monkeypatch, blocklimit, gather):
    """The sample corpus in one segment, both ways. With blocks of 3
    postings and gathers of 500 positions, a text field comes in many runs
    and many terms take the multi-block path between one-block terms."""
    monkeypatch.setattr(flat_postings, "_GATHER", gather)
    articles = [
        a for a in read_inputs(find_inputs([str(CORPUS_DIR)])) if not isinstance(a, Problem)
    ]
    gazetteers = default_gazetteer(), default_gazetteer(SYSTEMS)
    written, runs = {}, []
    for by_runs in (True, False):
        if not by_runs:
            monkeypatch.setattr(codec._FieldWriter, "add_runs", _per_term)
        else:  # count the runs, to show the path taken is the one claimed
            original = flat_postings.FlatTextPostings.sorted_runs

            def counted(self, original=original):
                for run in original(self):
                    runs.append(len(run.names))
                    yield run

            monkeypatch.setattr(flat_postings.FlatTextPostings, "sorted_runs", counted)
        folder = tmp_path / ("runs" if by_runs else "terms")
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), news_schema())
        writer = news_writer(ix, 256, codec=codec.NewsCodec(blocklimit=blocklimit))
        for article in articles:
            writer.add_document(**_build_document(article, "digest", *gazetteers))
        writer.commit()
        written[by_runs] = _segment_files(folder)
        monkeypatch.undo()
        monkeypatch.setattr(flat_postings, "_GATHER", gather)
    assert written[True] == written[False]
    assert len(written[True][".trm"]) > 100_000
    assert len(runs) >= (2 if gather == flat_postings._GATHER else 50)


def test_terms_table_writes_the_bytes_whoosh_writes(tmp_path):
    """The terms table's hash tables, written a bucket at a time, are the
    bytes Whoosh's own writer gives, and Whoosh reads every key back."""
    import random

    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    from indexer.codec import _TermsTable

    rng = random.Random(3)
    keys = sorted({rng.randbytes(rng.randrange(1, 12)) for _ in range(5000)})
    storage = FileStorage(str(tmp_path))
    for name, table_class in (("ours", _TermsTable), ("whoosh", OrderedHashWriter)):
        table = table_class(storage.create_file(name))
        for key in keys:
            table.add(key, key[::-1])
        table.close()
    assert (tmp_path / "ours").read_bytes() == (tmp_path / "whoosh").read_bytes()
    reader = OrderedHashReader(storage.open_file("ours"), storage.file_length("ours"))
    try:
        assert all(reader[key] == key[::-1] for key in keys)
    finally:
        reader.close()
