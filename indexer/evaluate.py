"""Evaluate a query over the whole index at once with numpy.

Whoosh's matchers walk postings one document at a time in Python (~5 µs a
posting with scoring); a broad query on 100k articles takes hundreds of
milliseconds. Totals and facets need every match anyway, so terms are read
whole (``NewsCodec`` keeps ids and weights as plain arrays), scored with
BM25F in one vector expression, and combined as dense per-document arrays:
OR adds, AND intersects, NOT subtracts. Scores equal Whoosh's own (same
formula, idf and field lengths; the tests compare them). Queries this module
does not know (phrases, prefixes, ranges) are run by Whoosh's matcher and
their (document, score) pairs joined in.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from .caching import remember
from .codec import NewsPositions, _LeafMatcher
from .position_cache import KEPT_FROM, positions_cache
from .position_cache import select as select_positions

# Field length as Whoosh decodes each stored length byte.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], np.float64)


@dataclass
class Matches:
    """Which documents match (a mask over document numbers) and their scores,
    0 wherever the mask is False: combining them needs no masked arithmetic,
    which costs numpy several times a plain pass over 1M documents."""

    mask: np.ndarray  # bool
    scores: np.ndarray  # float64


@dataclass
class _Sparse:
    """A clause's matches as sorted, distinct document numbers and their
    scores. The arrays may be a memo's: never written in place."""

    docs: np.ndarray  # int64
    scores: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.docs)


# A combination of clauses stays sparse while it holds at most this share of
# the index: sorting a few thousand postings costs less than the dense arrays
# over every document that each nested OR, AND and phrase would otherwise
# allocate (an expanded query has dozens of them). Broad clauses go dense.
SPARSE_SHARE = 1 / 8
# An AND's clauses after the first are evaluated only within the documents
# the ones before it left, when those are fewer than this share of the index.
WITHIN_SHARE = 1 / 2


def evaluate(
    searcher,
    query: wq.Query,
    live: np.ndarray,
    memo: dict | None = None,
    sparse_limit: int | None = None,
) -> Matches:
    """Every live document ``query`` matches, with the score Whoosh would give.

    ``memo`` (a dict, kept by the caller for one request) remembers each
    term's postings and scores, so a second query over the same words — the
    relaxed one after too few matched every word — does not read them again.
    ``sparse_limit`` (most postings a combination keeps sparse; tests set it
    to force one path) defaults to SPARSE_SHARE of the index.
    """
    if sparse_limit is None:
        sparse_limit = int(len(live) * SPARSE_SHARE)
    evaluator = _Evaluator(searcher, len(live), memo, sparse_limit)
    result = evaluator.dense(evaluator.run(query))
    return Matches(result.mask & live, result.scores)


class _Evaluator:
    def __init__(self, searcher, size: int, memo: dict | None = None, sparse_limit: int = 0):
        self.searcher = searcher
        self.size = size
        self.memo = {} if memo is None else memo
        self.sparse_limit = sparse_limit
        self.leaves = searcher.reader().leaf_readers()
        self._lengths: dict[str, np.ndarray] = {}  # per field, for this query
        weighting = searcher.weighting
        self.bm25 = weighting if isinstance(weighting, BM25F) else None

    def run(self, q, within: np.ndarray | None = None) -> Matches | _Sparse:
        """``q``'s matches. With ``within`` (a mask over documents) they are
        right at least for the documents in it: an AND passes the documents
        its earlier clauses left, so a phrase in a later clause checks the
        positions of those alone, not of every document holding its words."""
        if isinstance(q, wq.Term) and self.bm25 is not None:
            scored = self.term_scores(q, within)
            return _Sparse(*scored) if scored is not None else self.by_whoosh(q)
        if isinstance(q, wq.Or) and not q.scale:
            return self.union(q, within)
        if isinstance(q, wq.And):
            return self.intersection(q.subqueries, q.boost, within)
        if isinstance(q, wq.DisjunctionMax):
            return self.best_of(q, within)
        if isinstance(q, wq.Sequence) and _step_terms(q, self.searcher.schema) is not None:
            return self.sequence(q, within)
        if isinstance(q, wq.Not):
            outside = ~self.dense(self.run(q.query, within)).mask
            return Matches(outside, outside.astype(np.float64))
        if isinstance(q, wq.Every) and q.fieldname in (None, "", "*"):
            return Matches(np.ones(self.size, bool), np.full(self.size, float(q.boost)))
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return _Sparse(*_NO_SCORES)
        return self.by_whoosh(q)

    def empty(self) -> Matches:
        return Matches(np.zeros(self.size, bool), np.zeros(self.size))

    def dense(self, part: Matches | _Sparse) -> Matches:
        if isinstance(part, Matches):
            return part
        result = self.empty()
        result.mask[part.docs] = True
        result.scores[part.docs] = part.scores
        return result

    def term_scores(self, q: wq.Term, within=None) -> tuple[np.ndarray, np.ndarray] | None:
        """(documents, BM25F scores) of a term's postings, sparse; None when
        the field is not scored here. Within a few documents, only theirs
        are scored."""
        key = (q.fieldname, q.text, q.boost)
        scored = self.memo.get(key)  # the arrays are shared: callers only read them
        if scored is None and within is None:
            scored = self.memo[key] = self._term_scores(q)
        if scored is None:
            return self._term_scores(q, within)
        return scored if within is None else _kept(scored, within)

    def _term_scores(self, q: wq.Term, within=None) -> tuple[np.ndarray, np.ndarray] | None:
        searcher, fieldname = self.searcher, q.fieldname
        if fieldname not in searcher.schema:
            return None
        try:
            text = searcher.schema[fieldname].to_bytes(q.text)
        except ValueError:
            return _NO_SCORES
        docs, weights = self.postings(fieldname, text)
        if within is not None:
            docs, weights = _kept((docs, weights), within)
        if not len(docs):
            return _NO_SCORES
        if not searcher.schema[fieldname].scorable:
            # presence only (filters, stopwords): the posting's weight, as
            # Whoosh's WeightScorer gives it, without a Python step per document
            return docs, weights.astype(np.float64) * q.boost
        b = self.bm25._field_B.get(fieldname, self.bm25.B)
        k1 = self.bm25.K1
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        lengths = self._lengths.get(fieldname)
        if lengths is None:  # the cache key walks every segment: once a field
            lengths = self._lengths[fieldname] = field_lengths(self.leaves, fieldname, self.size)
        # idf * tf (k1 + 1) / (tf + k1 ((1 - b) + b len / avgfl)), in place
        norm = lengths[docs]
        norm *= k1 * b / avgfl
        norm += k1 * (1 - b)
        tf = weights.astype(np.float64)
        norm += tf
        tf *= idf * (k1 + 1) * q.boost
        tf /= norm
        return docs, tf

    def postings(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
        key = ("postings", fieldname, text)
        if key not in self.memo:
            self.memo[key] = read_postings(self.leaves, self.searcher.schema, fieldname, text)
        return self.memo[key]

    def estimate(self, q) -> int:
        """About how many documents ``q`` matches, from term statistics."""
        if isinstance(q, wq.Term):
            return _doc_frequency(self.searcher, q.fieldname, q.text)
        if isinstance(q, (wq.Or, wq.DisjunctionMax)):
            return min(self.size, sum(self.estimate(s) for s in q.subqueries))
        if isinstance(q, (wq.And, wq.Sequence)):
            return min((self.estimate(s) for s in q.subqueries), default=0)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return 0
        return self.size

    def union(self, q: wq.Or, within=None) -> Matches | _Sparse:
        """Nested ORs (a word's fields, its translations) are added up as one:
        one dense pair of arrays for the whole sum, not one per level."""
        # Folded one clause at a time once dense: a prefix expands to hundreds
        # of terms, and holding every clause's arrays would take gigabytes.
        pending, held, result, count = [], 0, None, None
        for sub, boost in _summands(q):
            part = _scaled(self.run(sub, within), boost)
            if result is None and isinstance(part, _Sparse):
                pending.append(part)
                held += len(part)
                if held <= self.sparse_limit:
                    continue
                part = None  # too many to keep sparse: fold what is held
            if result is None:
                result = self.empty()
                count = np.zeros(self.size, np.int32) if q.minmatch > 1 else None
                for held_part in pending:
                    _add_into(result, held_part, count)
                pending = []
            if part is not None:
                _add_into(result, part, count)
        if result is None:
            return _scaled(_sparse_union(pending, q.minmatch), q.boost)
        if count is not None:  # at least this many must match (Whoosh has no matcher for it)
            result.mask = count >= q.minmatch
            result.scores *= result.mask
        return _scaled(result, q.boost)

    def best_of(self, q: wq.DisjunctionMax, within=None) -> Matches | _Sparse:
        """Any clause; the best clause's score plus ``tiebreak`` times the
        others' (Whoosh's own matcher mixes scores of different documents)."""
        parts = [self.run(sub, within) for sub in q.subqueries]  # a word's few lemmas
        if all(isinstance(p, _Sparse) for p in parts) and (
            sum(map(len, parts)) <= self.sparse_limit
        ):
            docs, scores, starts = _merged(parts)
            best = np.maximum.reduceat(scores, starts) if len(docs) else scores
            if q.tiebreak:
                best = best + q.tiebreak * (np.add.reduceat(scores, starts) - best)
            return _scaled(_Sparse(docs[starts], best), q.boost)
        # Broad lemmas (те, той: a million postings) are maxed into one
        # dense array in place; merging them sorted cost twice as much.
        result = self.empty()
        best, total = result.scores, np.zeros(self.size) if q.tiebreak else None
        for part in parts:
            if isinstance(part, _Sparse):
                at, scores = part.docs, part.scores
            else:
                at = np.flatnonzero(part.mask)
                scores = part.scores[at]
            result.mask[at] = True
            np.maximum.at(best, at, scores)  # numpy 2's ufunc.at: half a gather and scatter
            if total is not None:
                np.add.at(total, at, scores)
        if total is not None:
            best += q.tiebreak * (total - best)
        return _scaled(result, q.boost)

    def intersection(self, clauses, boost: float = 1.0, within=None) -> _Sparse:
        """Documents every clause matches, their scores summed in clause order.

        The clauses run cheapest first — plain words by how few documents
        hold them, then phrases and the rest, NOT last — each within what
        the ones before it left, so "rare word AND (common phrase OR …)"
        reads the phrase's positions in the rare word's documents only."""
        if not clauses:
            return _Sparse(*_NO_SCORES)
        parts: list = [None] * len(clauses)
        docs = None
        for i in sorted(range(len(clauses)), key=lambda i: self._cost(clauses[i])):
            if docs is not None and len(docs) < self.size * WITHIN_SHARE:
                within = np.zeros(self.size, bool)
                within[docs] = True
            part = parts[i] = self.run(clauses[i], within)
            if docs is None:
                docs = part.docs if isinstance(part, _Sparse) else np.flatnonzero(part.mask)
                if within is not None:
                    docs = docs[within[docs]]
            else:
                docs = docs[self._holds(part, docs)]
        scores = np.zeros(len(docs))
        for part in parts:
            scores += self._scores_at(part, docs)
        return _scaled(_Sparse(docs, scores), boost)

    def _cost(self, q) -> tuple[int, int]:
        if isinstance(q, wq.Not):
            return 2, 0
        return (0 if _terms_only(q) else 1), self.estimate(q)

    def _holds(self, part, docs: np.ndarray) -> np.ndarray:
        if isinstance(part, Matches):
            return part.mask[docs]
        if len(docs) < self.size * _LOOKUP_SHARE:
            return _contains(part.docs, docs)
        present = np.zeros(self.size, bool)  # many: a mask beats a binary search each
        present[part.docs] = True
        return present[docs]

    def _scores_at(self, part, docs: np.ndarray) -> np.ndarray:
        """``part``'s scores at ``docs``, every one of which it matches."""
        if isinstance(part, Matches):
            return part.scores[docs]
        if len(docs) < self.size * _LOOKUP_SHARE:
            return part.scores[np.searchsorted(part.docs, docs)]
        return self.dense(part).scores[docs]

    def sequence(self, q: wq.Sequence, within=None) -> _Sparse:
        """A phrase: documents holding every step (scored as their sum, as
        Whoosh's span matchers score), kept where the steps occur in order,
        each 1..slop positions after the one before."""
        # a cross-language query's phrase equivalents recur in its strict and
        # relaxed forms and its coverage parts: their positions are read once
        key = ("sequence", tuple(q.subqueries), q.slop, q.ordered, q.boost)
        if within is None and key in self.memo:
            return self.memo[key]
        every = self.intersection(q.subqueries, 1.0, within)
        keep = _contains(self.in_order(q, every.docs), every.docs)
        found = _scaled(_Sparse(every.docs[keep], every.scores[keep]), q.boost)
        if within is None:
            self.memo[key] = found
        return found

    def in_order(self, q: wq.Sequence, candidates: np.ndarray) -> np.ndarray:
        """Which of ``candidates`` (sorted document numbers) hold the steps
        of ``q`` in order, each 1..slop positions after the one before."""
        schema = self.searcher.schema
        fieldname, steps = _step_terms(q, schema)
        chain = None  # (document << 32 | position) where the steps so far end
        for alternatives in steps:
            if not len(candidates):
                break
            found = np.concatenate(
                [occurrences(self.leaves, schema, fieldname, t, candidates) for t in alternatives]
            )
            if chain is not None:
                follows = np.zeros(len(found), bool)
                for gap in range(1, q.slop + 1):
                    follows |= _contains(chain, found - gap)
                found = found[follows]
            chain = np.sort(found)
            candidates = _distinct(chain >> 32)
        return candidates

    def by_whoosh(self, q) -> _Sparse:
        """Run ``q`` with Whoosh's own matchers, segment by segment (in
        document order, so the result is sorted)."""
        context = self.searcher.context()
        docs, scores = [], []
        for subsearcher, offset in self.searcher.leaf_searchers():
            m = q.matcher(subsearcher, context)
            while m.is_active():
                docs.append(offset + m.id())
                scores.append(m.score())
                m.next()
        return _Sparse(np.array(docs, np.int64), np.array(scores, np.float64))


_NO_SCORES = (np.empty(0, np.int64), np.empty(0))
# Fewer documents than this share of the index are looked up in a clause by
# binary search; more, through a mask or dense scores over every document.
_LOOKUP_SHARE = 1 / 64


def _summands(q: wq.Or, boost: float = 1.0):
    """(clause, boost) of an OR, with the clauses of plain ORs nested in it
    in their place: a sum of sums is one sum."""
    for sub in q.subqueries:
        if isinstance(sub, wq.Or) and not sub.scale and max(q.minmatch, sub.minmatch) <= 1:
            yield from _summands(sub, boost * sub.boost)
        else:
            yield sub, boost


def _terms_only(q) -> bool:
    if isinstance(q, wq.Term):
        return True
    if isinstance(q, (wq.Or, wq.And, wq.DisjunctionMax)):
        return all(_terms_only(s) for s in q.subqueries)
    return False


def _kept(scored, within: np.ndarray):
    docs, values = scored
    keep = within[docs]
    return docs[keep], values[keep]


# Term document frequencies per searcher (one index generation): Whoosh's
# lookup walks every segment's term index, ~130 µs at 1M articles.
_frequencies: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _doc_frequency(searcher, fieldname: str, text) -> int:
    known = _frequencies.setdefault(searcher, {})
    key = (fieldname, text)
    if key not in known:
        try:
            known[key] = searcher.doc_frequency(fieldname, text)
        except (KeyError, ValueError, TypeError):
            known[key] = 0
    return known[key]


def _scaled(part, boost: float):
    if boost == 1.0:
        return part
    if isinstance(part, _Sparse):  # a memo's arrays: scaled into new ones
        return _Sparse(part.docs, part.scores * boost)
    part.scores *= boost
    return part


def _add_into(result: Matches, part, count) -> None:
    if isinstance(part, _Sparse):  # added in place: no dense arrays per term
        result.mask[part.docs] = True
        np.add.at(result.scores, part.docs, part.scores)
        if count is not None:
            np.add.at(count, part.docs, 1)
    else:
        result.mask |= part.mask
        result.scores += part.scores  # 0 outside the mask
        if count is not None:
            count += part.mask


def _merged(parts: list[_Sparse]):
    """The clauses' postings in document order (clause order within a
    document) and where each document's run starts. The stable sort is a
    merge of the clauses' sorted runs."""
    docs = np.concatenate([p.docs for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    order = np.argsort(docs, kind="stable")
    docs, scores = docs[order], scores[order]
    starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1]))) if len(docs) else order
    return docs, scores, starts


def _sparse_union(parts: list[_Sparse], minmatch: int = 0) -> _Sparse:
    if not parts:
        return _Sparse(*_NO_SCORES)
    if len(parts) == 1 and minmatch <= 1:
        return parts[0]
    docs, scores, starts = _merged(parts)
    if not len(docs):
        return _Sparse(*_NO_SCORES)
    docs, summed = docs[starts], np.add.reduceat(scores, starts)
    if minmatch > 1:  # at least this many clauses: the length of each document's run
        keep = np.diff(np.append(starts, len(scores))) >= minmatch
        docs, summed = docs[keep], summed[keep]
    return _Sparse(docs, summed)


# numpy's own unique/isin hash or re-sort their input: ~20 ms for a phrase of
# two common words at 100k articles, where these take ~1 ms.
def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _contains(ordered: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which ``values`` occur in the sorted array ``ordered``."""
    if not len(ordered):
        return np.zeros(len(values), bool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


def _step_terms(q: wq.Sequence, schema):
    """(field, [[term bytes] per step]) when the steps, in order, are each a
    term or an OR / best-of of terms in one field with array positions;
    else None."""
    if not q.ordered:
        return None
    fieldname, steps = None, []
    for step in q.subqueries:
        terms = step.subqueries if isinstance(step, (wq.Or, wq.DisjunctionMax)) else [step]
        if not terms or not all(isinstance(t, wq.Term) for t in terms):
            return None
        for term in terms:
            if fieldname not in (None, term.fieldname):
                return None
            fieldname = term.fieldname
        steps.append(terms)
    if fieldname not in schema or not isinstance(schema[fieldname].format, NewsPositions):
        return None
    to_bytes = schema[fieldname].to_bytes
    return fieldname, [[to_bytes(t.text) for t in terms] for terms in steps]


def occurrences(leaves, schema, fieldname: str, text: bytes, docs: np.ndarray) -> np.ndarray:
    """Where ``text`` occurs in ``docs`` (sorted global document numbers), as
    ``document << 32 | position`` keys."""
    keys = []
    for leaf, offset in leaves:
        segment_docs = docs[(docs >= offset) & (docs < offset + leaf.doc_count_all())] - offset
        if not len(segment_docs):
            continue
        try:
            m = leaf._terms.matcher(fieldname, text, schema[fieldname].format)
        except TermNotFound:
            continue
        if isinstance(m, _LeafMatcher) and m._length >= KEPT_FROM:
            key = (_storage_key(leaf), leaf.segment().segment_id(), fieldname, text)
            whole = positions_cache.get(key)
            if whole is None:
                whole = m.read_positions(None)
                positions_cache.put(key, *whole)
            found, positions = select_positions(*whole, segment_docs)
        elif isinstance(m, _LeafMatcher):
            found, positions = m.read_positions(segment_docs)
        else:  # inlined postings or another codec: one posting at a time
            pairs = []
            while m.is_active():
                if m.id() in segment_docs:
                    pairs += [(m.id(), p) for p in m.value_as("positions")]
                m.next()
            found = np.array([d for d, _ in pairs], np.int64)
            positions = np.array([p for _, p in pairs], np.int64)
        keys.append(((found.astype(np.int64) + offset) << 32) | positions)
    return np.concatenate(keys) if keys else np.empty(0, np.int64)


def read_postings(leaves, schema, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Global document numbers and weights of one term's postings (deleted
    documents included: callers mask them out)."""
    all_docs, all_weights = [], []
    field_format = schema[fieldname].format
    for leaf, offset in leaves:
        try:
            m = leaf._terms.matcher(fieldname, text, field_format)
        except TermNotFound:
            continue
        if isinstance(m, _LeafMatcher):
            docs, weights = m.read_arrays()
        else:  # inlined postings (a term in one document) or another codec
            pairs = []
            while m.is_active():
                pairs.append((m.id(), m.weight()))
                m.next()
            docs = np.array([d for d, _ in pairs], np.int64)
            weights = np.array([w for _, w in pairs], np.float32)
        all_docs.append(docs.astype(np.int64) + offset)
        all_weights.append(weights)
    if not all_docs:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    if len(all_docs) == 1:
        return all_docs[0], all_weights[0]
    return np.concatenate(all_docs), np.concatenate(all_weights)


def field_lengths(leaves, fieldname: str, size: int) -> np.ndarray:
    """Every document's length in ``fieldname`` as Whoosh's scorer sees it.

    Segments are immutable (deletions do not change lengths), so the array is
    cached by the segments' ids and reused by every later searcher.
    """
    key = (
        fieldname,
        tuple((_storage_key(leaf), leaf.segment().segment_id()) for leaf, _ in leaves),
    )
    lengths = _lengths_cache.get(key)
    if lengths is None:
        parts = [_segment_lengths(leaf, fieldname) for leaf, _ in leaves]
        lengths = parts[0] if len(parts) == 1 else np.concatenate(parts)
        remember(_lengths_cache, key, lengths, _LENGTHS_ENTRIES)
    return lengths


# (field, segments) → lengths: two fields of the live generation and the last.
_LENGTHS_ENTRIES = 4
_lengths_cache: dict = {}


def _storage_key(leaf):
    storage = leaf.storage()
    return getattr(storage, "folder", None) or id(storage)


def _segment_lengths(leaf, fieldname: str) -> np.ndarray:
    count = leaf.doc_count_all()
    column = leaf._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    raw = np.zeros(count, np.uint8)
    if column is not None and column._count:
        stored = np.frombuffer(column._dbfile.get(column._basepos, column._count), np.uint8)
        raw[: len(stored)] = stored
    return _LENGTH_OF_BYTE[raw]
