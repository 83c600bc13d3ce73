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

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from .caching import remember
from .codec import NewsPositions, _LeafMatcher

_NO_POSTINGS = (np.empty(0, np.int64), np.empty(0))

# Field length as Whoosh decodes each stored length byte.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], np.float64)


@dataclass
class Matches:
    """Which documents match (a mask over document numbers) and their scores."""

    mask: np.ndarray  # bool
    scores: np.ndarray  # float64; meaningful where mask is True


def evaluate(searcher, query: wq.Query, live: np.ndarray, memo: dict | None = None) -> Matches:
    """Every live document ``query`` matches, with the score Whoosh would give.

    ``memo`` (a dict, kept by the caller for one request) remembers each
    term's scored postings, so a second query over the same words — the
    relaxed one after too few matched every word — does not read them again.
    """
    evaluator = _Evaluator(searcher, len(live), memo)
    result = evaluator.run(query)
    return Matches(result.mask & live, result.scores)


class _Evaluator:
    def __init__(self, searcher, size: int, memo: dict | None = None):
        self.searcher = searcher
        self.size = size
        self.memo = {} if memo is None else memo
        self.leaves = searcher.reader().leaf_readers()
        self._lengths: dict[str, np.ndarray] = {}  # per field, for this query
        weighting = searcher.weighting
        self.bm25 = weighting if isinstance(weighting, BM25F) else None

    def run(self, q) -> Matches:
        if isinstance(q, wq.Term) and self.bm25 is not None:
            return self.term(q)
        if isinstance(q, wq.Or) and not q.scale:
            return self.union(q)
        if isinstance(q, wq.And):
            return self.intersection(q)
        if isinstance(q, wq.DisjunctionMax):
            return self.best_of(q)
        if isinstance(q, wq.Sequence) and _step_terms(q, self.searcher.schema) is not None:
            return self.sequence(q)
        if isinstance(q, wq.Not):
            inner = self.run(q.query)
            return Matches(~inner.mask, np.ones(self.size))
        if isinstance(q, wq.Every) and q.fieldname in (None, "", "*"):
            return Matches(np.ones(self.size, bool), np.full(self.size, float(q.boost)))
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return self.empty()
        return self.by_whoosh(q)

    def empty(self) -> Matches:
        return Matches(np.zeros(self.size, bool), np.zeros(self.size))

    def term(self, q: wq.Term) -> Matches:
        scored = self.term_scores(q)
        if scored is None:
            return self.by_whoosh(q)
        result = self.empty()
        docs, scores = scored
        result.mask[docs] = True
        result.scores[docs] = scores
        return result

    def term_scores(self, q: wq.Term) -> tuple[np.ndarray, np.ndarray] | None:
        """(documents, BM25F scores) of a term's postings, sparse; None when
        the field is not scored here."""
        key = (q.fieldname, q.text, q.boost)
        if key not in self.memo:  # the arrays are shared: callers only read them
            self.memo[key] = self._term_scores(q)
        return self.memo[key]

    def _term_scores(self, q: wq.Term) -> tuple[np.ndarray, np.ndarray] | None:
        searcher, fieldname = self.searcher, q.fieldname
        if fieldname not in searcher.schema:
            return None
        try:
            text = searcher.schema[fieldname].to_bytes(q.text)
        except ValueError:
            return _NO_POSTINGS
        docs, weights = read_postings(self.leaves, searcher.schema, fieldname, text)
        if not len(docs):
            return _NO_POSTINGS
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

    def _sparse(self, q) -> tuple[np.ndarray, np.ndarray] | None:
        """A clause's sparse (documents, scores) when it is a scored term."""
        if isinstance(q, wq.Term) and self.bm25 is not None:
            return self.term_scores(q)
        return None

    def union(self, q: wq.Or) -> Matches:
        # Folded one clause at a time: a prefix expands to hundreds of terms,
        # and holding every clause's arrays at once would take gigabytes.
        result = self.empty()
        mask, scores = result.mask, result.scores
        count = np.zeros(self.size, np.int32) if q.minmatch > 1 else None
        for sub in q.subqueries:
            sparse = self._sparse(sub)
            if sparse is not None:  # added in place: no dense arrays per term
                docs, part_scores = sparse
                mask[docs] = True
                scores[docs] += part_scores
                if count is not None:
                    count[docs] += 1
                continue
            part = self.run(sub)
            mask |= part.mask
            np.add(scores, part.scores, out=scores, where=part.mask)
            if count is not None:
                count += part.mask
        if count is not None:  # at least this many must match (Whoosh has no matcher for it)
            result.mask = count >= q.minmatch
        if q.boost != 1.0:
            result.scores *= q.boost
        return result

    def best_of(self, q: wq.DisjunctionMax) -> Matches:
        """Any clause; the best clause's score plus ``tiebreak`` times the
        others' (Whoosh's own matcher mixes scores of different documents)."""
        result = self.empty()
        best, total = result.scores, np.zeros(self.size)
        for sub in q.subqueries:
            part = self.run(sub)
            result.mask |= part.mask
            np.maximum(best, part.scores, out=best, where=part.mask)
            np.add(total, part.scores, out=total, where=part.mask)
        if q.tiebreak:
            best += q.tiebreak * (total - best)
        if q.boost != 1.0:
            best *= q.boost
        return result

    def intersection(self, q: wq.And) -> Matches:
        if not q.subqueries:
            return self.empty()
        result = Matches(np.ones(self.size, bool), np.zeros(self.size))
        for sub in q.subqueries:
            sparse = self._sparse(sub)
            if sparse is not None:
                docs, part_scores = sparse
                holds = np.zeros(self.size, bool)
                holds[docs] = True
                result.mask &= holds
                result.scores[docs] += part_scores
                continue
            part = self.run(sub)
            result.mask &= part.mask
            result.scores += part.scores
        if q.boost != 1.0:
            result.scores *= q.boost
        return result

    def sequence(self, q: wq.Sequence) -> Matches:
        """A phrase: documents holding every step (scored as their sum, as
        Whoosh's span matchers score), kept where the steps occur in order,
        each 1..slop positions after the one before."""
        result = self.intersection(wq.And(q.subqueries))
        found = self.in_order(q, np.flatnonzero(result.mask))
        phrase = np.zeros(self.size, bool)
        phrase[found] = True
        result.mask &= phrase
        if q.boost != 1.0:
            result.scores *= q.boost
        return result

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

    def by_whoosh(self, q) -> Matches:
        """Run ``q`` with Whoosh's own matchers, segment by segment."""
        result = self.empty()
        context = self.searcher.context()
        docs, scores = [], []
        for subsearcher, offset in self.searcher.leaf_searchers():
            m = q.matcher(subsearcher, context)
            while m.is_active():
                docs.append(offset + m.id())
                scores.append(m.score())
                m.next()
        if docs:
            result.mask[docs] = True
            result.scores[docs] = scores
        return result


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
        if isinstance(m, _LeafMatcher):
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
