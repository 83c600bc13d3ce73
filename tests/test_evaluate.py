"""The numpy evaluator matches exactly the documents Whoosh's matchers match,
with the same scores, on the judged queries and on operator-heavy ones."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import CORPUS_DIR, ROOT
from whoosh import query as wq

from indexer import codec
from indexer.entities import default_gazetteer
from indexer.evaluate import evaluate, read_postings
from indexer.facets import facet_columns
from indexer.index import open_index, update_index
from indexer.ingest import Problem, find_inputs, read_inputs
from indexer.query import compile_query
from indexer.ranking import NewsBM25

JUDGED = [
    json.loads(line)["query"]
    for line in (ROOT / "data/eval/queries.jsonl").read_text("utf-8").splitlines()
]
OPERATORS = [
    "танків OR Leopard",
    "F-16 -Данія",
    "NOT ракета",
    '"Patriot system"',
    '"поставки снарядів"',
    '"снарядів поставки"',
    '"виробництво снарядів"',
    '"атаки дронів"',
    '"Ministry of Defence"',
    '"міністерство оборони України"',
    '"air defence systems"',
    'title:"F-16"',
    '"155-мм снаряди" OR "155 mm shells"',
    "ракет*",
    "title:Rheinmetall",
    "(Bayraktar OR дрон) AND Туреччина",
    "published:[2024-01 TO 2024-06] HIMARS",
    "company:rheinmetall снаряди",
    "lang:uk ППО",
    # a phrase in a later clause of an AND: checked within the earlier's documents
    'Туреччина ("атаки дронів" OR ракета)',
    'Україна ("атаки дронів" OR "air defence systems") -Rheinmetall',
]


def whoosh_matches(ix, query) -> dict[int, float]:
    with ix.searcher(weighting=NewsBM25()) as searcher:
        results = searcher.search(query, limit=None)
        return {hit.docnum: hit.score for hit in results}


def ours(ix, query, sparse_limit=None) -> dict[int, float]:
    with ix.searcher(weighting=NewsBM25()) as searcher:
        columns = facet_columns(ix, searcher.reader())
        matches = evaluate(searcher, query, columns.live, sparse_limit=sparse_limit)
        return {int(n): float(matches.scores[n]) for n in np.flatnonzero(matches.mask)}


def summed_ties(q):
    """``q`` with each DisjunctionMax as an Or: Whoosh's DisMax matcher mixes
    the scores of different documents, so ties are compared as sums here and
    their max is tested on its own below."""
    if isinstance(q, wq.DisjunctionMax):
        return wq.Or([summed_ties(s) for s in q.subqueries], boost=q.boost)
    if isinstance(q, wq.Sequence):
        steps = [summed_ties(s) for s in q.subqueries]
        return wq.Sequence(steps, slop=q.slop, ordered=q.ordered, boost=q.boost)
    if isinstance(q, wq.CompoundQuery):
        return q.__class__([summed_ties(s) for s in q.subqueries], boost=q.boost)
    if isinstance(q, wq.Not):
        return wq.Not(summed_ties(q.query))
    return q


def assert_same(ix, text):
    with ix.reader() as reader:
        query = summed_ties(compile_query(text, ix.schema, reader, default_gazetteer()).query)
    expected, got = whoosh_matches(ix, query), ours(ix, query)
    assert got.keys() == expected.keys(), text
    for n, score in expected.items():
        assert got[n] == pytest.approx(score, rel=1e-6), (text, n)


def test_lemma_ties_score_as_their_best_lemma(corpus_ix):
    """атаки has two dictionary lemmas (атака, атаки): a document scores as
    the better of the two, not their sum."""
    with corpus_ix.reader() as reader:
        query = compile_query("атаки", corpus_ix.schema, reader, default_gazetteer()).query
    dismax = [q for q in _walk(query) if isinstance(q, wq.DisjunctionMax)]
    assert dismax, "expected a word with several lemmas"
    checked = 0
    for q in dismax:  # one per field
        best = ours(corpus_ix, q)
        parts = [ours(corpus_ix, sub) for sub in q.subqueries]
        assert best.keys() == set().union(*parts)
        for n, score in best.items():
            assert score == pytest.approx(max(p.get(n, 0.0) for p in parts))
            checked += 1
    assert checked


def _walk(q):
    yield q
    for sub in getattr(q, "subqueries", ()):
        yield from _walk(sub)


@pytest.mark.parametrize("text", JUDGED + OPERATORS)
def test_same_documents_and_scores_as_whoosh(corpus_ix, text):
    assert_same(corpus_ix, text)


# Expanded queries nest ORs of phrases in both fields: the shape the sparse
# combinations were made for.
EXPANDED = [
    "air defense",
    "Kyiv drones",
    "Райнметал снаряди",
    '"cruise missile"',
    '"крилата ракета"',
    "контрнаступ",
    "General Staff OR Генштаб",
    "joint venture",
    "спільне підприємство",
    '"виробництво снарядів"',
    '"атаки дронів"',
    '"Ministry of Defence"',
    "F-16 -Данія",
    "NOT ракета",
    "танків OR Leopard",
]


@pytest.mark.parametrize("text", EXPANDED)
def test_sparse_and_dense_combinations_agree(corpus_ix, text):
    """Every OR, AND, best-of and phrase combined densely (limit 0) and
    sparsely (no limit) — the two paths the index size chooses between —
    gives Whoosh's documents and one set of scores. (Whoosh itself drops
    the expansion's boost on phrases and on company tags, so its scores
    are compared on the unexpanded queries above.)"""
    with corpus_ix.reader() as reader:
        compiled = compile_query(
            text, corpus_ix.schema, reader, default_gazetteer(), translate=True
        )
    query = summed_ties(compiled.query)
    dense, sparse = ours(corpus_ix, query, 0), ours(corpus_ix, query, 10**9)
    assert dense, text
    assert dense.keys() == sparse.keys() == whoosh_matches(corpus_ix, query).keys(), text
    for n, score in dense.items():
        assert sparse[n] == pytest.approx(score, rel=1e-9), (text, n)


@pytest.fixture(scope="module")
def segmented_ix(tmp_path_factory):
    """The corpus written in three batches (three segments) with deletions,
    in blocks of 4 postings, so common terms span many blocks."""
    index_dir = str(tmp_path_factory.mktemp("segmented"))
    articles = list(read_inputs(find_inputs([str(CORPUS_DIR)])))
    records = [a for a in articles if not isinstance(a, Problem)]
    third = len(records) // 3
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codec, "BLOCK_POSTINGS", 4)
        for batch in (records[:third], records[third : 2 * third], records[2 * third :]):
            update_index(index_dir, batch)
        doomed = [r.id for r in records[::7]]
        update_index(index_dir, [], delete_ids=doomed)
    ix = open_index(index_dir)
    yield ix, doomed
    ix.close()


@pytest.mark.parametrize(
    "text",
    [
        "ракета",
        "F-16 deliveries",
        "Rheinmetall OR Райнметал",
        "-дрон",
        '"поставки снарядів"',
        '"air defence systems"',
        '"міністерство оборони України"',
    ],
)
def test_same_over_several_segments_with_deletions(segmented_ix, text):
    ix, doomed = segmented_ix
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) >= 2 and reader.has_deletions()
        leaf = reader.leaf_readers()[0][0]
        common = max(leaf.lexicon("body"), key=lambda t: leaf.doc_frequency("body", t))
        postings = leaf._terms.matcher("body", common, ix.schema["body"].format)
        assert len(list(postings._blocks())) > 2
    assert_same(ix, text)


def test_postings_read_whole_equal_whoosh_postings(corpus_ix):
    with corpus_ix.searcher() as searcher:
        reader = searcher.reader()
        leaves = reader.leaf_readers()
        for text in list(reader.lexicon("body"))[::50]:
            docs, weights = read_postings(leaves, corpus_ix.schema, "body", text)
            m = reader.postings("body", text)
            expected = []
            while m.is_active():
                expected.append((m.id(), m.weight()))
                m.next()
            assert list(zip(docs.tolist(), weights.tolist(), strict=True)) == expected


def _every_posting(ix):
    """(field, term) → (term info figures, [(docnum, weight, value)])."""
    out = {}
    with ix.reader() as reader:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            figures = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
            )
            m = reader.postings(fieldname, text)
            postings = []
            while m.is_active():
                postings.append((m.id(), m.weight(), m.value()))
                m.next()
            out[(fieldname, text)] = (figures, postings)
    return out


@pytest.mark.parametrize("blocklimit", [128, 3])
def test_buffered_writer_writes_what_whoosh_writes(tmp_path, blocklimit):
    """The postings buffer, written as array slices, and Whoosh's own writer
    (tuple pool, generic posting loop) give the same postings and term
    statistics for every term: for new documents alone, then with an older
    segment merged in (both sources in one term), in blocks of 128 and of 3."""
    from whoosh import index as whoosh_index
    from whoosh.writing import SegmentWriter

    from indexer.codec import NewsCodec
    from indexer.entities import SYSTEMS
    from indexer.index import _build_document
    from indexer.schema import news_schema
    from indexer.writer import news_writer

    articles = [
        a for a in read_inputs(find_inputs([str(CORPUS_DIR)])) if not isinstance(a, Problem)
    ]
    halves = articles[: len(articles) // 2], articles[len(articles) // 2 :]
    systems = default_gazetteer(SYSTEMS)
    built = {}
    for ours in (True, False):
        folder = tmp_path / ("ours" if ours else "whoosh")
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), news_schema())
        states = []
        for n, half in enumerate(halves):
            codec = NewsCodec(blocklimit=blocklimit, fast_postings=ours)
            if ours:
                writer = news_writer(ix, 256, codec=codec)
            else:
                writer = SegmentWriter(ix, codec=codec, compound=False)
            for article in half:
                writer.add_document(
                    **_build_document(article, "digest", default_gazetteer(), systems)
                )
            writer.commit(optimize=n == 1)
            states.append(_every_posting(ix))
        built[ours] = states
    assert built[True] == built[False]
    assert len(built[True][1]) > 10_000 and len(ix._segments()) == 1


def test_phrases_are_checked_by_position(corpus_ix):
    """A phrase keeps only the documents where its words follow each other
    in order: fewer than hold all its words."""

    def matched(text):
        with corpus_ix.reader() as reader:
            query = compile_query(text, corpus_ix.schema, reader, default_gazetteer()).query
        return set(ours(corpus_ix, query))

    for words in ("виробництво снарядів", "air defence system"):
        phrase, every_word = matched(f'"{words}"'), matched(words)
        assert phrase and phrase < every_word, words
        backwards = " ".join(reversed(words.split()))
        assert matched(f'"{backwards}"') != phrase


def test_terms_scored_once_per_request_give_the_same_matches(corpus_ix):
    """The strict query and its relaxed form share their terms' postings
    through one memo; the relaxed matches equal a fresh run."""
    with corpus_ix.reader() as reader:
        compiled = compile_query(
            "ракета Rheinmetall zzqxw", corpus_ix.schema, reader, default_gazetteer()
        )
    with corpus_ix.searcher(weighting=NewsBM25()) as searcher:
        live = facet_columns(corpus_ix, searcher.reader()).live
        memo: dict = {}
        evaluate(searcher, compiled.query, live, memo)
        terms = {key for key in memo if key[0] == "postings"}
        shared = evaluate(searcher, compiled.relaxed, live, memo)
        fresh = evaluate(searcher, compiled.relaxed, live)
    read = {key for key in memo if key[0] == "postings"}
    assert len(terms) >= 4 and read == terms  # the relaxed query read nothing new
    assert np.array_equal(shared.mask, fresh.mask) and shared.mask.any()
    assert np.allclose(shared.scores[shared.mask], fresh.scores[fresh.mask])


def test_phrases_evaluated_once_per_request_give_the_same_matches(corpus_ix):
    """A cross-language query's phrase equivalents (виробництво дронів for
    drone production) recur in its strict and relaxed forms: the relaxed one
    takes them from the memo, and its matches equal a fresh run."""
    with corpus_ix.reader() as reader:
        compiled = compile_query(
            "drone production", corpus_ix.schema, reader, default_gazetteer(), translate=True
        )
    with corpus_ix.searcher(weighting=NewsBM25()) as searcher:
        live = facet_columns(corpus_ix, searcher.reader()).live
        memo: dict = {}
        evaluate(searcher, compiled.query, live, memo)
        phrases = {key: memo[key] for key in memo if key[0] == "sequence"}
        shared = evaluate(searcher, compiled.relaxed, live, memo)
        fresh = evaluate(searcher, compiled.relaxed, live)
    assert phrases and all(memo[key] is found for key, found in phrases.items())
    assert {key for key in memo if key[0] == "sequence"} == set(phrases)
    assert np.array_equal(shared.mask, fresh.mask) and shared.mask.any()
    assert np.allclose(shared.scores[shared.mask], fresh.scores[fresh.mask])


PHRASES = ['"поставки снарядів"', '"air defence systems"', '"міністерство оборони України"']


@pytest.mark.parametrize("kept_from", [0, 10**12])
def test_phrases_from_kept_positions_equal_whoosh(segmented_ix, monkeypatch, kept_from):
    """Phrases give Whoosh's matches when every term's positions are decoded
    whole and kept (0: the path of broad terms at 1M) and when only the
    blocks of the candidate documents are decoded (never kept), over
    several segments with deletions."""
    from indexer import evaluate as module
    from indexer.position_cache import PositionCache

    cache = PositionCache()
    monkeypatch.setattr(module, "positions_cache", cache)
    monkeypatch.setattr(module, "KEPT_FROM", kept_from)
    ix, _ = segmented_ix
    for text in PHRASES:
        assert_same(ix, text)
    assert bool(cache._entries) == (kept_from == 0)


def test_kept_positions_stay_within_their_budget():
    from indexer.position_cache import PositionCache

    cache = PositionCache(budget=1000)
    arrays = [(np.arange(50, dtype=np.uint32), np.arange(50, dtype=np.uint32)) for _ in range(5)]
    for key, (docs, positions) in enumerate(arrays):  # 400 bytes each
        cache.put(key, docs, positions)
    assert list(cache._entries) == [3, 4] and cache._held == 800
    assert cache.get(3) is not None  # now the most recent: 4 goes first
    cache.put(5, *arrays[0])
    assert list(cache._entries) == [3, 5]
    cache.put(6, np.zeros(200, np.uint32), np.zeros(200, np.uint32))  # larger than the budget
    assert 6 not in cache._entries and cache._held == 800
