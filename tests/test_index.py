"""The on-disk index: idempotent updates, atomic rebuilds, generations."""

from __future__ import annotations

import json
import os

import pytest
from conftest import SAMPLE, build_index

from indexer import store
from indexer.errors import DefnewsError, IndexMissingError
from indexer.index import open_index, update_index
from indexer.ingest import find_inputs, read_inputs
from indexer.search import SearchRequest, search


def hits(ix, text, **kw):
    return [h.id for h in search(ix, SearchRequest(text, per_page=50, **kw)).hits]


def write_jsonl(path, *records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    return path


def test_reindexing_the_same_input_changes_nothing(tmp_path):
    first = build_index(tmp_path, SAMPLE)
    assert (first.added, first.unchanged) == (6, 0)
    second = build_index(tmp_path, SAMPLE)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 6)
    assert second.generation == first.generation  # nothing new was published
    assert open_index(str(tmp_path)).doc_count() == 6


def test_a_changed_article_is_updated_in_place(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", {"id": "x", "title": "Ракети", "body": "перша версія"})
    build_index(tmp_path / "ix", src)
    write_jsonl(src, {"id": "x", "title": "Снаряди", "body": "друга версія"})
    report = build_index(tmp_path / "ix", src)
    assert (report.added, report.updated) == (0, 1)
    ix = open_index(str(tmp_path / "ix"))
    assert ix.doc_count() == 1
    assert hits(ix, "снаряд") == ["x"] and hits(ix, "ракета") == []


def test_rebuild_swaps_in_a_fresh_index_while_readers_keep_the_old(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", {"id": "old", "title": "Ракети", "body": "стара"})
    build_index(tmp_path / "ix", src)
    reader_ix = open_index(str(tmp_path / "ix"))
    write_jsonl(src, {"id": "new", "title": "Ракети", "body": "нова"})
    build_index(tmp_path / "ix", src, rebuild=True)
    assert hits(reader_ix, "ракета") == ["old"]  # an open reader still sees its state
    assert hits(open_index(str(tmp_path / "ix")), "ракета") == ["new"]


def test_a_failed_run_leaves_the_live_index_untouched(tmp_path):
    build_index(tmp_path, SAMPLE)
    live = store.current_generation(str(tmp_path))

    def records_then_crash():
        yield from read_inputs(find_inputs([SAMPLE]))
        raise RuntimeError("disk on fire")

    for rebuild in (False, True):
        with pytest.raises(RuntimeError):
            update_index(str(tmp_path), records_then_crash(), rebuild=rebuild)
        assert store.current_generation(str(tmp_path)) == live
        assert sorted(g for g in os.listdir(tmp_path) if g.startswith("gen-")) == [
            os.path.basename(live)
        ]
    ix = open_index(str(tmp_path))
    assert ix.doc_count() == 6
    assert sorted(hits(ix, "F-16")) == ["t-en-1", "t-uk-2"]


def test_retired_generations_are_collected_unless_a_reader_holds_them(tmp_path):
    src = tmp_path / "a.jsonl"
    index_dir = str(tmp_path / "ix")
    for n in range(4):
        write_jsonl(src, {"id": "x", "title": "Ракети", "body": f"версія {n}"})
        build_index(index_dir, src)
    gens = sorted(g for g in os.listdir(index_dir) if g.startswith("gen-"))
    assert len(gens) == 4  # just retired: kept for readers that resolved CURRENT
    lease = store.ReaderLease(os.path.join(index_dir, "gen-000002"))
    try:
        removed = store.collect_garbage(index_dir, now=float("inf"))
    finally:
        lease.release()
    kept = sorted(g for g in os.listdir(index_dir) if g.startswith("gen-"))
    assert kept == ["gen-000002", "gen-000004"] and len(removed) == 2
    assert store.collect_garbage(index_dir, now=float("inf")) == [
        os.path.join(index_dir, "gen-000002")
    ]
    assert open_index(index_dir).doc_count() == 1


def test_a_crashed_writers_leftover_generation_is_collected(tmp_path):
    build_index(tmp_path, SAMPLE)
    leftover = store.new_generation(str(tmp_path), store.current_generation(str(tmp_path)))
    assert os.path.isdir(leftover)
    build_index(tmp_path, SAMPLE, rebuild=True)
    assert not os.path.exists(leftover)


def test_writers_exclude_each_other(tmp_path):
    with store.writer_lock(str(tmp_path)):
        with pytest.raises(store.LockedError, match="another defnews run"):
            build_index(tmp_path, SAMPLE)
        with pytest.raises(store.LockedError):
            update_index(str(tmp_path), iter(()), wait=0.3)
    assert build_index(tmp_path, SAMPLE).added == 6


def test_deletions_and_metadata(tmp_path):
    build_index(tmp_path, SAMPLE)
    report = update_index(
        str(tmp_path), iter(()), delete_ids=["t-uk-1", "no-such-id"], meta={"files": {"a": 1}}
    )
    assert report.removed == 1
    gen = store.current_generation(str(tmp_path))
    assert store.read_meta(gen)["files"] == {"a": 1}
    assert open_index(str(tmp_path)).doc_count() == 5
    # a metadata change alone publishes; nothing at all does not
    same = update_index(str(tmp_path), iter(()), meta={"files": {"a": 1}})
    assert same.generation == gen


def test_missing_index_and_old_versions_give_clear_errors(tmp_path):
    with pytest.raises(IndexMissingError, match="no index at"):
        open_index(str(tmp_path / "nothing"))
    build_index(tmp_path, SAMPLE)
    gen = store.current_generation(str(tmp_path))
    with open(os.path.join(gen, store.META), "w") as f:
        json.dump({"analysis_version": 0}, f)
    with pytest.raises(DefnewsError, match="--rebuild"):
        build_index(tmp_path, SAMPLE)
    # searching it says so too (its fields are not the ones search reads),
    # on the CLI, the page and the API alike; stats still describe it
    from click.testing import CliRunner

    from indexer.cli import cli
    from web import create_app

    result = CliRunner().invoke(cli, ["search", "ракета", "--index", str(tmp_path)])
    assert result.exit_code == 2 and "analysis version 0" in result.output
    client = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True}).test_client()
    for url in ("/", "/search?q=ракета", "/api/search?q=ракета", "/system/himars"):
        assert client.get(url).status_code == 503, url
    assert "--rebuild" in client.get("/api/search?q=ракета").get_json()["error"]
    assert CliRunner().invoke(cli, ["stats", "--index", str(tmp_path)]).exit_code == 0
    assert build_index(tmp_path, SAMPLE, rebuild=True).added == 6


def test_segments_are_not_compound_files(sample_index_dir):
    files = os.listdir(store.current_generation(sample_index_dir))
    assert not any(f.endswith(".seg") for f in files)  # searchers would copy them to RAM


def test_an_open_index_keeps_its_generation_until_dropped(tmp_path):
    src = tmp_path / "a.jsonl"
    write_jsonl(src, {"id": "x", "title": "Ракети", "body": "перша"})
    build_index(tmp_path / "ix", src)
    reader_ix = open_index(str(tmp_path / "ix"))
    held = reader_ix.storage.folder
    for n in range(2):
        write_jsonl(src, {"id": "x", "title": "Ракети", "body": f"версія {n}"})
        build_index(tmp_path / "ix", src)
    store.collect_garbage(str(tmp_path / "ix"), now=float("inf"))
    assert os.path.isdir(held) and hits(reader_ix, "перший") == ["x"]
    del reader_ix
    store.collect_garbage(str(tmp_path / "ix"), now=float("inf"))
    assert not os.path.exists(held)


def test_small_segments_merge_by_tier_and_stay_few(tmp_path):
    """Each run adds a segment; a tier of MERGE_FACTOR merges into one, so
    fourteen runs never leave more than MERGE_FACTOR segments, all documents kept."""
    from indexer.merging import MERGE_FACTOR

    src = tmp_path / "a.jsonl"
    counts = []
    for n in range(14):
        write_jsonl(
            src, *({"id": f"d{n}-{i}", "title": "Ракети", "body": f"партія {n}"} for i in range(3))
        )
        build_index(tmp_path / "ix", src)
        counts.append(len(open_index(str(tmp_path / "ix"))._segments()))
    ix = open_index(str(tmp_path / "ix"))
    assert max(counts) <= MERGE_FACTOR and ix.doc_count() == 3 * 14
    assert hits(ix, "ракета")


@pytest.mark.parametrize(
    ("sizes", "merged"),
    [
        # four of a tier merge; three wait for a fourth
        ([(3, 3)] * 4, [0, 1, 2, 3]),
        ([(3, 3)] * 3, []),
        # tiers are of similar size: small ones do not drag a big one along
        ([(3, 3)] * 4 + [(150_000, 150_000)], [0, 1, 2, 3]),
        # a first parallel build's many equal segments: one group per run,
        # within the per-run budget, never the whole index at once
        ([(50_000, 50_000)] * 20, [0, 1, 2, 3]),
        ([(60_000, 60_000)] * 20, [0, 1, 2]),
        # a segment past the cap stays; one worn by deletions is rewritten
        ([(300_000, 300_000)] * 4, []),
        ([(100, 100), (90_000, 150_000)], [1]),
    ],
)
def test_the_merge_policy_chooses_tiers_within_a_budget(sizes, merged):
    from indexer.merging import choose

    assert sorted(choose(sizes)) == merged


def test_parallel_writers_give_the_same_index(tmp_path):
    one = build_index(tmp_path / "one", SAMPLE)
    two = update_index(str(tmp_path / "two"), read_inputs(find_inputs([SAMPLE])), parallel=True)
    assert one.added == two.added == 6
    for query in ("ракета", "F16", "Су-34", '"ремонт танків"'):
        assert sorted(hits(open_index(str(tmp_path / "one")), query)) == sorted(
            hits(open_index(str(tmp_path / "two")), query)
        )
    changed = update_index(
        str(tmp_path / "two"),
        read_inputs(find_inputs([SAMPLE])),
        delete_ids=["t-uk-1"],
        parallel=True,
    )
    assert changed.removed == 1 and open_index(str(tmp_path / "two")).doc_count() == 5


def test_a_worker_with_a_full_buffer_writes_another_segment(tmp_path, monkeypatch):
    import indexer.index

    one = build_index(tmp_path / "one", SAMPLE)
    monkeypatch.setattr(indexer.index, "WRITER_LIMIT_MB", 0)  # full after every article
    many = update_index(str(tmp_path / "many"), read_inputs(find_inputs([SAMPLE])), parallel=True)
    assert one.added == many.added == 6
    assert len(open_index(str(tmp_path / "many"))._segments()) == 6
    for query in ("ракета", "F16", "Су-34", '"ремонт танків"', "Rheinmetall"):
        assert sorted(hits(open_index(str(tmp_path / "one")), query)) == sorted(
            hits(open_index(str(tmp_path / "many")), query)
        )


def test_a_failing_worker_fails_the_run_and_publishes_nothing(tmp_path):
    from indexer.companies import default_gazetteer

    class Exploding:
        """The real gazetteer, except that detecting companies raises."""

        digest = "exploding"

        def resolve(self, name):
            return default_gazetteer().resolve(name)

        def detect(self, *texts, **kw):
            raise RuntimeError("gazetteer exploded")

        detect_in = vocabulary_keys = detect

    index_dir = str(tmp_path / "ix")
    build_index(index_dir, SAMPLE)
    before = store.current_generation(index_dir)
    with pytest.raises(DefnewsError, match="gazetteer exploded"):
        update_index(
            index_dir, read_inputs(find_inputs([SAMPLE])), gazetteer=Exploding(), parallel=True
        )
    assert store.current_generation(index_dir) == before
    assert sorted(os.listdir(index_dir)) == sorted(os.listdir(os.path.dirname(before)))
    assert open_index(index_dir).doc_count() == 6


def test_one_token_pass_gives_what_separate_passes_give():
    """An article's terms, words, hashes and companies come from one pass
    over its joined title and body's tokens, each word looked up once
    (article_analysis): the same as analysing each text alone, with each
    step's own function."""
    from dataclasses import replace

    from conftest import CORPUS_DIR

    from indexer.analysis import (
        STOPWORDS,
        name_keys_of,
        normalized,
        raw_tokens,
        surface_words,
        term_positions,
    )
    from indexer.duplicates import LEAD_TOKENS, story_hashes
    from indexer.entities import COMPANIES, SYSTEMS, default_gazetteer
    from indexer.index import _build_document
    from indexer.ingest import Problem

    gazetteer, systems = default_gazetteer(COMPANIES), default_gazetteer(SYSTEMS)
    articles = [a for a in read_inputs(find_inputs([CORPUS_DIR])) if not isinstance(a, Problem)]
    first = articles[0]
    articles += [
        replace(first, title=""),
        replace(first, body=""),
        replace(first, title="Rheinmetall і дрон-камікадзе", body="155-мм снаряди"),
    ]
    for article in articles:
        doc = _build_document(article, "digest", gazetteer, systems)
        assert doc["title"] == term_positions(article.title)
        assert doc["body"] == term_positions(article.body)
        assert sorted(doc["words"]) == surface_words(article.title, article.body)
        raw = {w for text in (article.title, article.body) for w, *_ in raw_tokens(text)}
        stops = {normalized(w) for w in raw} & STOPWORDS
        assert sorted(doc["stops"]) == sorted(stops)
        assert sorted(doc["names"]) == sorted(name_keys_of(raw))
        body = list(raw_tokens(article.body))
        lead = {normalized(t[0]) for t in body[:LEAD_TOKENS]} if len(body) > LEAD_TOKENS else ()
        assert doc["simhash"] == story_hashes(doc["words"], set(lead) - STOPWORDS)
        detected = gazetteer.detect(article.title, article.body)
        assert [c for c in doc["companies"].split(",") if c in detected] == detected
        assert doc["systems"] == ",".join(systems.detect(article.title, article.body))
