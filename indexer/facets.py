"""Facet counts from per-document columns, cached per index generation.

Whoosh's ``groupedby`` rebuilds a document → value map on every query and is
slow on large hit sets. A generation is immutable, so its columns are read
once into numpy arrays and reused by every search: documents are boolean
masks over document numbers, and counting a facet is one ``bincount`` over
the (document, value) pairs of the matching documents.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

import numpy as np
from whoosh.util.times import datetime_to_long

from .caching import remember
from .columns import column_items
from .duplicates import read_story_hashes
from .entities.kinds import KINDS

# The columns as read at publish time, saved in the generation: a reader
# unpickles arrays instead of reading every document's columns.
COLUMNS_FILE = "facets.pickle"

# Facets as the API names them, and the field each is read from ("year" is
# derived from "month").
FACET_FIELDS = {
    **{kind.name: kind.field for kind in KINDS},  # company, system
    "class": "classes",  # the systems' classes
    "lang": "lang",
    "source": "source",
    "month": "month",
}
# Facets whose column holds several comma-separated values per document.
MULTI_VALUED = frozenset({*(kind.name for kind in KINDS), "class"})
# Most combinations of single-valued facets counted in one pass (a float64
# tally of this many bins is 8 MB).
JOINT_BINS = 1 << 20
# A facet is counted over the matching documents' own pairs while they are
# fewer than this share of its (document, value) pairs; with more, one pass
# over every pair is cheaper (measured at 1M: docs/performance.md, change 45).
SPARSE_SHARE = 1 / 8
# Values a facet lists unless asked for more.
DEFAULT_FACET_SIZE = 10
# Bumped when the pickled layout changes, so older files are read afresh.
_LAYOUT = 5
# The layout before the lead's SimHash (one hash per document), read still.
_LAYOUT_WHOLE_ONLY = 3


@dataclass(frozen=True, eq=False)
class FacetValues:
    """One facet as (document, value code) pairs; ``labels[code]`` is the value."""

    labels: tuple[str, ...]
    docs: np.ndarray  # int32 document numbers
    codes: np.ndarray  # int32, parallel to docs

    def counts(self, mask: np.ndarray | None = None) -> dict[str, int]:
        """Documents per value, among ``mask`` (all documents when None)."""
        if mask is None:
            return self.named(np.bincount(self.codes, minlength=len(self.labels)))
        return self.named(self._tally(mask, sparse_selection(mask)))

    def _tally(self, mask: np.ndarray, selected: np.ndarray | None) -> np.ndarray:
        """Documents per value code among ``mask``; ``selected`` is
        ``sparse_selection(mask)``."""
        if _few(selected, len(self.docs)):
            # few matches: their own pairs, not a look at every document's
            codes = self.codes[self._pairs_of(selected, len(mask))]
            return np.bincount(codes, minlength=len(self.labels))
        if self._one_per_document and len(mask) == len(self.docs):
            # the mask as weights: selecting the masked codes first costs 3x
            return np.bincount(self.codes, weights=mask, minlength=len(self.labels))
        return np.bincount(self.codes[mask[self.docs]], minlength=len(self.labels))

    def _pairs_of(self, selected: np.ndarray, size: int) -> np.ndarray:
        """Indexes of the (document, value) pairs of the ``selected`` documents."""
        starts = self._starts(size)
        first, lengths = starts[selected], starts[selected + 1] - starts[selected]
        # each document's run of pairs, laid end to end
        runs_at = np.cumsum(lengths) - lengths
        return np.repeat(first - runs_at, lengths) + np.arange(int(lengths.sum()))

    def _starts(self, size: int) -> np.ndarray:
        """Per document number (and one past the last), where its pairs
        begin: ``docs`` is in document order, as the columns are read."""
        cache = self.__dict__.setdefault("_starts_by_size", {})  # frozen: set outside __setattr__
        if size not in cache:
            cache[size] = np.searchsorted(self.docs, np.arange(size + 1))
        return cache[size]

    def named(self, tally: np.ndarray) -> dict[str, int]:
        """{value: count} of a tally per value code, zeros left out."""
        return {self.labels[c]: int(n) for c, n in enumerate(tally[: len(self.labels)]) if n}

    @cached_property
    def _single_valued(self) -> bool:
        """Whether no document has two values (docs strictly increasing)."""
        return bool(np.all(self.docs[1:] > self.docs[:-1]))

    @cached_property
    def _one_per_document(self) -> bool:
        """Whether ``docs`` is every document number once, in order (lang,
        source, month: one value each)."""
        return bool(np.array_equal(self.docs, np.arange(len(self.docs))))


@dataclass(frozen=True, eq=False)
class FacetColumns:
    """Per-document facet values and publication times of one generation."""

    live: np.ndarray  # bool per document number: not deleted
    facets: dict[str, FacetValues]
    date_order: np.ndarray  # dated document numbers, oldest first
    stamps: np.ndarray  # int64 Whoosh sortable times, parallel to date_order
    simhashes: np.ndarray  # uint64 (whole, lead) per document number (0: none)
    layout: int = _LAYOUT

    @property
    def doc_count(self) -> int:
        return int(np.count_nonzero(self.live))

    def docs_between(self, start: datetime | None, end: datetime | None) -> np.ndarray:
        """Mask of documents published in [start, end] (either bound may be None)."""
        lo, hi = 0, len(self.stamps)
        if start:
            lo = np.searchsorted(self.stamps, datetime_to_long(start), "left")
        if end:
            hi = np.searchsorted(self.stamps, datetime_to_long(end), "right")
        # a range of date ranks: two sequential passes, where setting the
        # range's documents in a mask scatters writes over the whole index
        return (self._date_rank >= lo) & (self._date_rank < hi)

    @cached_property
    def _date_rank(self) -> np.ndarray:
        """Per document number, its place in ``date_order``; -1 when undated."""
        rank = np.full(len(self.live), -1, np.int32)
        rank[self.date_order] = np.arange(len(self.date_order), dtype=np.int32)
        return rank

    @cached_property
    def newness(self) -> np.ndarray:
        """Per-document rank by date in [0, 1): newest highest, undated 0."""
        rank = np.zeros(len(self.live))
        order = self.date_order
        rank[order] = np.arange(1, len(order) + 1) / (len(order) + 1)
        return rank

    def counts(self, names, mask: np.ndarray) -> dict[str, dict[str, int]]:
        """{facet: {value: count}} among ``mask`` for each of ``names``.

        The facets with one value a document (language, source, month, year)
        are counted together: each document's values are one code in a
        mixed radix, one weighted ``bincount`` over every document tallies
        their combinations, and each facet's counts are sums over the
        others' axes. At 1M articles that is one 2 ms pass, not four."""
        names = list(names)
        selected = sparse_selection(mask)
        together = [n for n in names if self.facets[n]._single_valued]
        result = {
            n: self.facets[n].named(self.facets[n]._tally(mask, selected))
            for n in names
            if n not in together
        }
        for group in self._packed(tuple(together)):
            joint, shape = self._joint(group)
            bins = int(np.prod(shape))
            if _few(selected, len(joint)):
                tally = np.bincount(joint[selected], minlength=bins)
            else:
                tally = np.rint(np.bincount(joint, weights=mask, minlength=bins)).astype(np.int64)
            tally = tally.reshape(shape)
            for axis, name in enumerate(group):
                others = tuple(a for a in range(len(group)) if a != axis)
                result[name] = self.facets[name].named(tally.sum(axis=others))
        return {n: result[n] for n in names}

    def _packed(self, names: tuple[str, ...]) -> list[tuple[str, ...]]:
        """``names`` in groups whose combinations fit JOINT_BINS."""
        groups, bins = [], []
        for name in sorted(names, key=lambda n: len(self.facets[n].labels)):
            size = len(self.facets[name].labels) + 1  # + "no value"
            for i, group in enumerate(groups):
                if bins[i] * size <= JOINT_BINS:
                    groups[i], bins[i] = (*group, name), bins[i] * size
                    break
            else:
                groups.append((name,))
                bins.append(size)
        return groups

    def _joint(self, group: tuple[str, ...]) -> tuple[np.ndarray, tuple[int, ...]]:
        """Each document's combined code over ``group``, cached: a generation
        never changes."""
        cache = self.__dict__.setdefault("_joints", {})  # frozen: set outside __setattr__
        if group not in cache:
            joint = np.zeros(len(self.live), np.int64)
            shape = []
            for name in group:
                column = self.facets[name]
                none = len(column.labels)
                codes = np.full(len(self.live), none, np.int64)
                codes[column.docs] = column.codes
                joint *= none + 1
                joint += codes
                shape.append(none + 1)
            cache[group] = joint, tuple(shape)
        return cache[group]

    def docs_with(self, facet: str, values) -> np.ndarray:
        """Mask of documents having any of ``values`` in ``facet`` (OR within a facet)."""
        column = self.facets[facet]
        values = set(values)
        wanted = np.array([label in values for label in column.labels], bool)
        holds = wanted[column.codes]  # a gather: numpy's isin sorts every pair
        if column._one_per_document and len(holds) == len(self.live):
            return holds
        return self._mask(column.docs[holds])

    def _mask(self, docs: np.ndarray) -> np.ndarray:
        mask = np.zeros(len(self.live), bool)
        mask[docs] = True
        return mask


def sparse_selection(mask: np.ndarray) -> np.ndarray | None:
    """The document numbers in ``mask`` when they are few enough that a
    facet might be counted over them (SPARSE_SHARE), else None."""
    if not np.count_nonzero(mask) < len(mask) * SPARSE_SHARE:
        return None
    return np.flatnonzero(mask)


def _few(selected: np.ndarray | None, pairs: int) -> bool:
    """Whether a facet of ``pairs`` (document, value) pairs is counted over
    the ``selected`` documents' own pairs (SPARSE_SHARE)."""
    return selected is not None and len(selected) < pairs * SPARSE_SHARE


def facet_columns(ix, reader) -> FacetColumns:
    """The columns of this index generation: read once, then cached."""
    folder = getattr(ix.storage, "folder", None)
    if folder is None:  # an in-memory index: nothing stable to key on
        return _read_columns(reader)
    # A published generation never changes, so its folder names its state;
    # the counts guard against anyone writing into a folder in place.
    key = (folder, reader.doc_count(), reader.doc_count_all())
    columns = _column_cache.get(key)
    if columns is None:
        columns = _load_saved(folder, reader) or _read_columns(reader)
        remember(_column_cache, key, columns, _CACHE_ENTRIES)
    return columns


# Generations whose columns stay in memory (the live one and its predecessor).
_CACHE_ENTRIES = 2
_column_cache: dict = {}


def save_columns(ix, gen_path: str) -> None:
    """Read the columns of a just-committed generation and save them in it."""
    with ix.reader() as reader:
        columns = _read_columns(reader)
    with open(os.path.join(gen_path, COLUMNS_FILE), "wb") as f:
        pickle.dump(columns, f, protocol=pickle.HIGHEST_PROTOCOL)


def _load_saved(folder: str, reader) -> FacetColumns | None:
    try:
        with open(os.path.join(folder, COLUMNS_FILE), "rb") as f:
            columns = pickle.load(f)
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, TypeError, ValueError):
        return None  # not saved (an older index) or from another version of this code
    if isinstance(columns, FacetColumns) and getattr(columns, "layout", None) == _LAYOUT_WHOLE_ONLY:
        # saved before the lead's SimHash: the whole text's alone still folds
        lead = np.zeros_like(columns.simhashes)
        simhashes = np.stack([columns.simhashes, lead], axis=1)
        columns = replace(columns, simhashes=simhashes, layout=_LAYOUT)
    if (
        not isinstance(columns, FacetColumns)
        or getattr(columns, "layout", None) != _LAYOUT
        or len(columns.live) != reader.doc_count_all()
        or columns.doc_count != reader.doc_count()
    ):
        return None
    return columns


def _read_columns(reader) -> FacetColumns:
    size = reader.doc_count_all()
    live = np.zeros(size, bool)
    pairs: dict[str, tuple[list[int], list[str]]] = {name: ([], []) for name in FACET_FIELDS}
    for name, fieldname in FACET_FIELDS.items():
        docs, values = pairs[name]
        for n, raw in column_items(reader, fieldname):
            if name == "lang":
                live[n] = True
            for value in _split(name, raw):
                docs.append(n)
                values.append(value)
    month_docs, months = pairs["month"]
    pairs["year"] = (month_docs, [m[:4] for m in months])
    undated = {n for n, flag in column_items(reader, "undated") if flag == "1"}
    dated = sorted(
        (stamp, n)
        for n, stamp in column_items(reader, "published", translate=False)
        if n not in undated
    )
    simhashes = np.zeros((size, 2), np.uint64)
    for n, value in column_items(reader, "simhash"):
        if value:
            simhashes[n] = read_story_hashes(value)
    return FacetColumns(
        live=live,
        simhashes=simhashes,
        facets={name: _encode(docs, values) for name, (docs, values) in pairs.items()},
        date_order=np.array([n for _, n in dated], np.int32),
        stamps=np.array([stamp for stamp, _ in dated], np.int64),
    )


def _encode(docs: list[int], values: list[str]) -> FacetValues:
    labels = tuple(sorted(set(values)))
    code_of = {label: code for code, label in enumerate(labels)}
    return FacetValues(
        labels,
        np.array(docs, np.int32),
        np.array([code_of[v] for v in values], np.int32),
    )


def _split(facet: str, raw) -> list[str]:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    if not raw:
        return []
    if facet in MULTI_VALUED:
        return [v for v in raw.split(",") if v]
    return [raw]
