"""Whoosh's postings format with ids and weights readable without unpickling.

Whoosh 3 pickles each block of up to 128 postings as one tuple (ids,
weights, positions): to learn which documents hold a term, a reader has to
decompress and unpickle every position too (~1 µs a posting, most of a broad
query's time). Here a block's data is three plain sections:

    ids       n × uint32 (native byte order, the machine that built the index)
    weights   a kind byte, then nothing (all 1.0), one float32, or n × float32
    values    uint32 lengths + the concatenated bytes, zlib-compressed if large

so ``numpy.frombuffer`` reads a whole posting list's ids and weights
(``read_postings``) and positions are only decoded for phrase matching.
Block headers, term infos, inlined postings, vectors and every other file
are Whoosh's own; segments name this codec, so readers pick it up from the
index's table of contents.
"""

from __future__ import annotations

import heapq
import io
import pickle
import struct
import zlib
from array import array
from hashlib import md5
from itertools import groupby, repeat
from operator import itemgetter

import numpy as np
from whoosh import formats
from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.filetables import _lengths as _ROW
from whoosh.filedb.filetables import md5_hash
from whoosh.util.numeric import _length_byte_cache, length_to_byte

from .position_cache import select as select_positions

_COUNTS = struct.Struct("<IBI")  # ids in block, weight kind, values section size
_ALL_ONE, _CONSTANT, _EACH = 0, 1, 2
# Smallest values section worth compressing (Whoosh measured the same cut-off).
_COMPRESS_FROM = 80
_ID_DTYPE = np.dtype("=u4")
# Kinds of buffered postings: a text field's (ids, counts, positions) arrays,
# a word list's (ids,) alone (Existence: every weight 1), or any other
# field's (ids, weights, values list).
TEXT, SEEN, PLAIN = "text", "seen", "plain"
_TERMINFO = whoosh3.W3TermInfo._struct
_INT = struct.Struct("!i")
_LONG = struct.Struct("!q")
_WEIGHT_DTYPE = np.dtype("=f4")
# Postings in a block from which numpy finds its length and weight range
# faster than a Python loop (a segment's flush did this for every posting).
_NUMPY_FROM = 64
# A term's row value in the terms table: its term info, then its postings'
# offset and size.
_TERM_VALUE = struct.Struct(_TERMINFO.format + "qi")
# The magic and size before a term's first block.
_BLOCK_HEAD = len(whoosh3.WHOOSH3_HEADER_MAGIC) + _INT.size
# zlib's window (2 ** bits) and memory level for a block's values.
_WINDOW_BITS, _MEMORY_LEVEL = 13, 6
# Terms whose bytes ``_write_run`` gathers before writing them.
_BATCH = 4096
# Above any field length: marks a term with no document length.
_NO_LENGTH = np.iinfo(np.int64).max
_LENGTH_BYTES = np.array(_length_byte_cache, np.int64)
# length_to_byte gives 255 from here on.
_LENGTH_BYTE_TOP = 106374


class NewsPositions(formats.Positions):
    """Positions as a uint32 array (native byte order), not Whoosh's pickled
    deltas: a text's buffered postings are written as array slices
    (``writer.py``), and numpy reads a block's positions whole for phrases."""

    def encode(self, poslist) -> bytes:
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions = array("I")
        positions.frombytes(valuestring)
        return positions.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return len(valuestring) // 4 * self.field_boost


# Postings per block. Whole terms are read at once (``read_arrays``), so a
# block costs a header unpickled and a Python step; Whoosh's 128 made a broad
# term hundreds of blocks.
BLOCK_POSTINGS = 1024


class NewsCodec(whoosh3.W3Codec):
    """``fast_postings=False`` writes through Whoosh's generic per-posting
    loop (the tests compare the two)."""

    def __init__(self, *args, fast_postings: bool = True, **kwargs):
        kwargs.setdefault("blocklimit", BLOCK_POSTINGS)
        super().__init__(*args, **kwargs)
        self.fast_postings = fast_postings

    def field_writer(self, storage, segment):
        if getattr(self, "fast_postings", False):
            return _FieldWriter(self, storage, segment)
        return super().field_writer(storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors keep Whoosh's own format
            return super().postings_writer(dbfile, byteids)
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        if isinstance(length, tuple):  # Whoosh's term info reads it as struct.unpack's tuple
            (length,) = length
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class _FieldWriter(whoosh3.W3FieldWriter):
    """Whoosh's field writer fed by ``writer.NewsSegmentWriter``: terms in
    one pass, field lengths looked up from a list made once per field
    instead of through two closures per posting (Whoosh's generic loop was a
    third of indexing)."""

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self._tindex.__class__ = _TermsTable  # its header is written: only closing differs

    def add_buffered(self, schema, lengths, buffered, pooled) -> None:
        """Write a segment's postings from two sorted sources: ``buffered``
        ((fieldname, term bytes), kind, arrays) from the documents added to
        it (``writer.PostingsBuffer``), and ``pooled`` posting tuples from
        the segments merged into it."""
        current = None
        # file offsets tracked here, not asked of the files per term
        at = self._postfile.tell(), self._tindex.dbfile.tell()
        for (fieldname, btext), kind, arrays, postings in _merged_terms(buffered, pooled):
            if fieldname != current:
                if current is not None:
                    self.finish_field()
                fieldobj = schema[fieldname]
                self.start_field(fieldname, fieldobj)
                # only a scored field has lengths (the others' are all 0)
                scored = lengths and fieldobj.scorable
                length_of = _field_lengths(lengths, fieldname) if scored else None
                boost = fieldobj.format.field_boost
                current = fieldname
            if postings is None and len(arrays[0]) <= self._postwriter._blocklimit:
                at = self._write_one_block_term(btext, kind, arrays, boost, length_of, *at)
                continue
            self.start_term(btext)
            if postings is None:
                self._postwriter.add_arrays(kind, arrays, boost, length_of)
            else:
                if arrays is not None:  # the term is in both: rare, per posting
                    mine = _as_tuples(fieldname, btext, kind, arrays, boost)
                    postings = heapq.merge(mine, postings, key=itemgetter(2))
                self._postwriter.add_sorted(postings, length_of)
            self.finish_term()
            at = self._postfile.tell(), self._tindex.dbfile.tell()
        if current is not None:
            self.finish_field()

    def add_runs(self, schema, lengths, buffer) -> None:
        """Write a segment's postings when all of them are in ``buffer``
        (``writer.PostingsBuffer``; no merged segment's among them): a flat
        field's terms come as sorted runs, and their one-block terms (nearly
        all) are written a run at a time (``_write_run``). The bytes are
        those ``add_buffered`` writes."""
        for fieldname in sorted(buffer.text.keys() | buffer.seen.keys() | buffer.plain.keys()):
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            scored = lengths and fieldobj.scorable
            length_of = _field_lengths(lengths, fieldname) if scored else None
            boost = fieldobj.format.field_boost
            for kind, flat in ((TEXT, buffer.text), (SEEN, buffer.seen)):
                if fieldname in flat:
                    for run in flat[fieldname].sorted_runs():
                        self._write_run(kind, run, boost, length_of)
            terms = buffer.plain.get(fieldname, {})
            at = self._postfile.tell(), self._tindex.dbfile.tell()
            for btext in sorted(terms):
                at = self._write_term(btext, PLAIN, terms[btext], boost, length_of, at)
            self.finish_field()

    def _write_term(self, btext, kind, arrays, boost, length_of, at):
        """One term's postings as ``add_buffered`` writes them; returns the
        postings file's and the terms table's offsets after it."""
        if len(arrays[0]) <= self._postwriter._blocklimit:
            return self._write_one_block_term(btext, kind, arrays, boost, length_of, *at)
        self.start_term(btext)
        self._postwriter.add_arrays(kind, arrays, boost, length_of)
        self.finish_term()
        return self._postfile.tell(), self._tindex.dbfile.tell()

    def _write_run(self, kind, run, boost, length_of) -> None:
        """A :class:`~.flat_postings.SortedRun`'s terms: what
        ``_write_one_block_term`` writes for each one-block term, with every
        term's counts, weights and length range found by numpy for the whole
        run and the bytes written in batches; a longer term goes through
        ``_write_term``."""
        names, bounds, docs = run.names, run.bounds, run.docs
        starts = bounds[:-1]
        sizes = np.diff(bounds)
        first, last = docs[starts].tolist(), docs[bounds[1:] - 1].tolist()
        if length_of is None:
            low = high = np.zeros(len(names), np.int64)
        else:
            found = length_of.array[docs]
            low = np.minimum.reduceat(np.where(found > 0, found, _NO_LENGTH), starts)
            high = np.maximum.reduceat(found, starts)
        minlengths = np.where(low == _NO_LENGTH, 0, _length_bytes(low)).tolist()
        maxlengths = _length_bytes(high).tolist()
        if kind == TEXT:
            counts = run.counts
            weights = (counts * boost).astype(_WEIGHT_DTYPE)
            top = np.maximum.reduceat(weights, starts)
            same = np.minimum.reduceat(weights, starts) == top
            kinds = np.where(same, np.where(top == 1.0, _ALL_ONE, _CONSTANT), _EACH).tolist()
            totals = np.add.reduceat(weights.astype(np.float64), starts).tolist()
            maxweights = top.astype(np.float64).tolist()
            weight_bytes = weights.tobytes()
            size_bytes = (counts * 4).astype(_ID_DTYPE).tobytes()
            positions, pos_at = run.positions, run.pos_at
        else:  # a word list: every weight the field's boost, no values
            weight = float(np.float32(boost))
            kinds = [_ALL_ONE if weight == 1.0 else _CONSTANT] * len(names)
            totals = (sizes * weight).tolist()
            maxweights = [weight] * len(names)
            weight_bytes = struct.pack("=f", weight)
        post_at = (4 * bounds).tolist()
        sizes = sizes.tolist()
        doc_bytes = docs.tobytes()
        compression = self._codec._compression
        limit = self._postwriter._blocklimit
        table = self._tindex
        index_append, buckets = table.index.append, table.buckets
        prefix = whoosh3.pack_ushort(self._fieldid)
        dumps, compress = whoosh3.dumps, _compress
        digest_of = _md5_digest if table.hashfn is md5_hash else table.hashfn
        pack_counts, pack_int, pack_value, pack_row = (
            _COUNTS.pack, _INT.pack, _TERM_VALUE.pack, _ROW.pack
        )  # fmt: skip
        magic = whoosh3.WHOOSH3_HEADER_MAGIC
        blocks, rows = [], []
        offset, row_at = self._postfile.tell(), table.dbfile.tell()
        if names and prefix + names[0].encode("utf-8") <= table.lastkey:
            raise ValueError(f"Keys must increase: {table.lastkey!r}..{names[0]!r}")
        for i, name in enumerate(names):
            n = sizes[i]
            p, q = post_at[i], post_at[i + 1]
            key = prefix + name.encode("utf-8")
            if n > limit or len(blocks) >= _BATCH:
                self._postfile.write(b"".join(blocks))
                table.dbfile.write(b"".join(rows))
                blocks, rows = [], []
                if n > limit:
                    if i:
                        table.lastkey = prefix + names[i - 1].encode("utf-8")
                    offset, row_at = self._write_term(
                        key[2:], kind, run.term_arrays(i), boost, length_of, (offset, row_at)
                    )
                    continue
            block_kind = kinds[i]
            if kind == TEXT:
                packed = size_bytes[p:q] + positions[pos_at[i] : pos_at[i + 1]]
                weight_section = (
                    b"" if block_kind == _ALL_ONE
                    else weight_bytes[p : p + 4] if block_kind == _CONSTANT
                    else weight_bytes[p:q]
                )  # fmt: skip
            else:
                packed = b""
                weight_section = b"" if block_kind == _ALL_ONE else weight_bytes
            compressed = 0
            if compression and len(packed) >= _COMPRESS_FROM:
                packed = compress(packed, compression)
                compressed = compression
            shortest, longest, top, end = minlengths[i], maxlengths[i], maxweights[i], last[i]
            data = (
                dumps((n, end, top, compressed, shortest, longest), 2)
                + pack_counts(n, block_kind, len(packed))
                + doc_bytes[p:q]
                + weight_section
                + packed
            )
            blocks += (magic, pack_int(-len(data)), data)
            size = len(data) + _BLOCK_HEAD
            value = pack_value(
                False, totals[i], n, shortest, longest, top, first[i], end, offset, size
            )
            row = pack_row(len(key), len(value)) + key + value
            rows.append(row)
            index_append(row_at)
            digest = digest_of(key)
            buckets[digest & 255].append((digest, row_at))
            offset += size
            row_at += len(row)
        self._postfile.write(b"".join(blocks))
        table.dbfile.write(b"".join(rows))
        if names:
            table.lastkey = prefix + names[-1].encode("utf-8")

    def _write_one_block_term(self, btext, kind, arrays, boost, length_of, offset, row_at):
        """What start_term, add_arrays and finish_term write for a term of
        one block (nearly every term), without their per-term objects; the
        postings file is at ``offset``, the terms table at ``row_at``.
        Returns both offsets after it."""
        ids = arrays[0]
        has_values = self._format.fixed_value_size() != 0
        weights, packed, _ = _block_arrays(kind, arrays, boost, 0, len(ids), 0, has_values)
        minlength, maxlength = _length_range(ids, length_of)
        maxweight = _weight_range(weights)[1]
        block = _block_bytes(
            ids, weights, packed, maxweight, minlength, maxlength, self._codec._compression
        )
        block = whoosh3.WHOOSH3_HEADER_MAGIC + _INT.pack(-len(block)) + block
        self._postfile.write(block)
        info = _TERMINFO.pack(
            False,
            sum(weights),
            len(ids),
            length_to_byte(minlength),
            length_to_byte(maxlength),
            maxweight,
            ids[0],
            ids[-1],
        )
        key = whoosh3.pack_ushort(self._fieldid) + btext
        value = info + _LONG.pack(offset) + _INT.pack(len(block))
        # OrderedHashWriter.add, with the offset known
        table = self._tindex
        if key <= table.lastkey:
            raise ValueError(f"Keys must increase: {table.lastkey!r}..{key!r}")
        table.index.append(row_at)
        row = _ROW.pack(len(key), len(value)) + key + value
        table.dbfile.write(row)
        digest = table.hashfn(key)
        table.buckets[digest & 255].append((digest, row_at))
        table.lastkey = key
        return offset + len(block), row_at + len(row)


def _compress(data: bytes, level: int) -> bytes:
    """zlib with an 8 KB window and small hash tables. zlib.compress's
    default state (~270 KB) is allocated and zeroed anew for every block:
    ~90 µs a call on a 100-byte block, 5 µs this way. A block's values are
    a few KB (positions, mostly small numbers), which the smaller window
    compresses to within 0.5 %. Any zlib.decompress reads it."""
    state = zlib.compressobj(level, zlib.DEFLATED, _WINDOW_BITS, _MEMORY_LEVEL)
    return state.compress(data) + state.flush()


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    """``length_to_byte`` of each length (0 and above)."""
    found = np.searchsorted(_LENGTH_BYTES, lengths, side="left")
    return np.where(lengths >= _LENGTH_BYTE_TOP, 255, found)


def _md5_digest(key: bytes) -> int:
    """``filetables.md5_hash``: the digest's last four bytes, read directly."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")


class _TermsTable(filetables.OrderedHashWriter):
    """Whoosh's terms table, each of its 256 hash tables written at once
    (Whoosh wrote every slot with its own call: ~2 s a segment at 1M)."""

    def _write_hashes(self):
        dbfile, null, pack = self.dbfile, (0, 0), filetables._pointer.pack
        for entries in self.buckets:
            numslots = 2 * len(entries)
            self.directory.append((dbfile.tell(), numslots))
            hashtable = [null] * numslots
            for hashval, position in entries:  # open addressing, as Whoosh does
                slot = (hashval >> 8) % numslots
                while hashtable[slot] != null:
                    slot = (slot + 1) % numslots
                hashtable[slot] = (hashval, position)
            dbfile.write(b"".join([pack(*pointer) for pointer in hashtable]))


def _block_arrays(kind, arrays, boost, start, end, at, has_values):
    """A block's weights array, values section and width in positions, from
    postings ``start:end`` of a term whose block positions start at ``at``."""
    if kind == SEEN:
        return array("f", [boost]) * (end - start), b"", 0
    if kind == PLAIN:
        values = arrays[2][start:end]
        return arrays[1][start:end], _packed_values(values) if has_values else b"", 0
    counts = arrays[1][start:end]
    width = sum(counts)
    if len(counts) >= _NUMPY_FROM:
        many = np.frombuffer(counts, _ID_DTYPE)
        # the product in double, then float32, as array("f") stores c * boost
        weights = array("f", (many * boost).astype(_WEIGHT_DTYPE).tobytes())
        sizes = (many * 4).astype(_ID_DTYPE).tobytes()
    else:
        weights = array("f", counts) if boost == 1 else array("f", [c * boost for c in counts])
        sizes = array("I", [4 * c for c in counts]).tobytes()
    return weights, sizes + arrays[2][at : at + width].tobytes(), width


def _packed_values(values: list[bytes]) -> bytes:
    """A values section: each value's length, then the values (b"" for none)."""
    if not values:
        return b""
    return array("I", map(len, values)).tobytes() + b"".join(values)


def _length_range(ids, length_of):
    if length_of is None:
        return None, 0
    if len(ids) >= _NUMPY_FROM:
        found = length_of.array[np.frombuffer(ids, _ID_DTYPE)]
        found = found[found > 0]
        return (int(found.min()), int(found.max())) if len(found) else (None, 0)
    lengths = [n for n in map(length_of.__getitem__, ids) if n]
    return (min(lengths), max(lengths)) if lengths else (None, 0)


def _weight_range(weights) -> tuple[float, float]:
    if len(weights) >= _NUMPY_FROM:
        many = np.frombuffer(weights, _WEIGHT_DTYPE)
        return float(many.min()), float(many.max())
    return min(weights), max(weights)


def _block_bytes(ids, weights, packed, maxweight, minlength, maxlength, compression) -> bytes:
    """A block's info and data (see the module docstring)."""
    data = [b"", ids.tobytes()]
    low, high = _weight_range(weights)
    if low == high == 1.0:
        kind = _ALL_ONE
    elif low == high:
        kind = _CONSTANT
        data.append(struct.pack("=f", weights[0]))
    else:
        kind = _EACH
        data.append(weights.tobytes())
    compressed = 0
    if packed and compression and len(packed) >= _COMPRESS_FROM:
        packed = _compress(packed, compression)
        compressed = compression
    data[0] = _COUNTS.pack(len(ids), kind, len(packed))
    data.append(packed)
    infobytes = whoosh3.dumps(
        (
            len(ids),
            ids[-1],
            maxweight,
            compressed,
            length_to_byte(minlength),
            length_to_byte(maxlength),
        ),
        2,
    )
    return infobytes + b"".join(data)


def _merged_terms(buffered, pooled):
    """(key, kind, arrays or None, pooled postings or None) in key order."""
    groups = ((key, list(group)) for key, group in groupby(pooled, itemgetter(0, 1)))
    mine, theirs = next(buffered, None), next(groups, None)
    while mine is not None or theirs is not None:
        if theirs is None or (mine is not None and mine[0] < theirs[0]):
            yield (*mine, None)
            mine = next(buffered, None)
        elif mine is None or theirs[0] < mine[0]:
            yield theirs[0], None, None, theirs[1]
            theirs = next(groups, None)
        else:
            yield (*mine, theirs[1])
            mine, theirs = next(buffered, None), next(groups, None)


def _as_tuples(fieldname, btext, kind, arrays, boost):
    """Buffered postings as the pool's (field, term, docnum, weight, value)."""
    if kind == TEXT:
        ids, counts, positions = arrays
        at = 0
        for docnum, count in zip(ids, counts, strict=True):
            yield fieldname, btext, docnum, count * boost, positions[at : at + count].tobytes()
            at += count
    elif kind == SEEN:
        yield from ((fieldname, btext, docnum, boost, b"") for docnum in arrays[0])
    else:
        ids, weights, values = arrays
        yield from zip(repeat(fieldname), repeat(btext), ids, weights, values or repeat(b""))


class _FieldLengths(list):
    """Each document's length in a field: a list, to look one up, and the
    same as ``.array``, to look up a long posting list's at once."""

    def __init__(self, lengths):
        super().__init__(n or 0 for n in lengths)  # None: no such field, as 0
        self.array = np.array(self, dtype=np.int64)


def _field_lengths(lengths, fieldname: str) -> _FieldLengths:
    """Each document's length in ``fieldname`` as the generic loop gets it."""
    reader = getattr(lengths, "doc_field_length_reader", None)
    if reader is None:  # another kind of length source
        count = lengths.doc_count_all()
        return _FieldLengths(lengths.doc_field_length(n, fieldname) for n in range(count))
    length = reader(fieldname)
    return _FieldLengths(length(n) for n in range(lengths.doc_count_all()))


class _PostingsWriter(whoosh3.W3PostingsWriter):
    def add_sorted(self, postings, length_of) -> None:
        """``add_posting`` for a term's (field, term, docnum, weight, value)
        tuples in docnum order, without its per-posting checks."""
        limit = self._blocklimit
        for _, _, docnum, weight, value in postings:
            if len(self._ids) >= limit:
                self._write_block()
            self._ids.append(docnum)
            self._weights.append(weight)
            if weight > self._maxweight:
                self._maxweight = weight
            if value:
                self._values.append(value)
            if length_of is not None:
                length = length_of[docnum]
                if length:
                    if self._minlength is None or length < self._minlength:
                        self._minlength = length
                    if length > self._maxlength:
                        self._maxlength = length

    def add_arrays(self, kind, arrays, boost: float, length_of) -> None:
        """A term's buffered postings, a block's worth of array slices at a
        time (the last block is left for ``finish_postings``)."""
        ids = arrays[0]
        has_values = self._format.fixed_value_size() != 0
        at = 0  # where the block's positions start
        for start in range(0, len(ids), self._blocklimit):
            if start:
                self._write_block()
            end = min(start + self._blocklimit, len(ids))
            self._ids = ids[start:end]
            self._weights, self._packed, width = _block_arrays(
                kind, arrays, boost, start, end, at, has_values
            )
            at += width
            self._maxweight = _weight_range(self._weights)[1]
            self._minlength, self._maxlength = _length_range(self._ids, length_of)

    def _new_block(self):
        super()._new_block()
        self._packed = None  # the values section, when add_arrays made it

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        packed = self._packed
        if packed is None:  # filled by add_sorted
            has_values = self._format.fixed_value_size() != 0
            packed = _packed_values(self._values) if has_values else b""
        block = _block_bytes(
            self._ids,
            self._weights,
            packed,
            self._maxweight,
            self._minlength,
            self._maxlength,
            self._compression,
        )
        self._postfile.write(_INT.pack(-len(block) if last else len(block)) + block)
        self._blockcount += 1
        self._new_block()


def _sections(data: bytes):
    """(count, ids bytes, weight kind, weights bytes, values bytes) of a block."""
    count, kind, values_size = _COUNTS.unpack_from(data)
    start = _COUNTS.size
    ids_end = start + 4 * count
    weights_end = ids_end + (0 if kind == _ALL_ONE else 4 if kind == _CONSTANT else 4 * count)
    return (
        count,
        data[start:ids_end],
        kind,
        data[ids_end:weights_end],
        data[weights_end : weights_end + values_size],
    )


class _LeafMatcher(whoosh3.W3LeafMatcher):
    """Whoosh's matcher over the sections above (phrases, spans, fallbacks)."""

    def _read_data(self):
        size = self._nextoffset - self._dataoffset
        self._data = _sections(self._postfile.get(self._dataoffset, size))

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        ids = array("I")
        ids.frombytes(self._data[1])
        self._ids = ids

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        count, _, kind, raw, _ = self._data
        if kind == _ALL_ONE:
            self._weights = array("f", [1.0]) * count
        elif kind == _CONSTANT:
            self._weights = array("f", raw) * count
        else:
            weights = array("f")
            weights.frombytes(raw)
            self._weights = weights

    def _read_values(self):
        if self._data is None:
            self._read_data()
        count, _, _, _, packed = self._data
        fixedsize = self._fixedsize
        if not packed:
            self._values = (None,) * count if fixedsize == 0 else (b"",) * count
            return
        if self._compression:
            packed = zlib.decompress(packed)
        lengths = array("I")
        lengths.frombytes(packed[: 4 * count])
        values, at = [], 4 * count
        for n in lengths:
            values.append(packed[at : at + n])
            at += n
        self._values = tuple(values)

    def _blocks(self):
        """(block info, data) of every block of the term, from one read of
        its whole extent: walking blocks through the file (a seek, three
        reads and a tell each) was most of a broad term's reading time."""
        raw = self._postfile.get(self._startoffset, self._length)
        view = memoryview(raw)
        stream = io.BytesIO(raw)
        at = len(whoosh3.WHOOSH3_HEADER_MAGIC)
        while at < len(raw):
            length = _INT.unpack_from(raw, at)[0]
            end = at + 4 + abs(length)
            stream.seek(at + 4)
            info = pickle.load(stream)
            yield info, view[stream.tell() : end]
            if length < 0:
                return
            at = end

    def read_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Every posting's (segment docnum, weight)."""
        ids, weights = [], []
        for _, data in self._blocks():
            count, raw_ids, kind, raw_weights, _ = _sections(data)
            ids.append(raw_ids)
            if kind == _EACH:
                weights.append(np.frombuffer(raw_weights, _WEIGHT_DTYPE))
            elif kind == _CONSTANT:
                weights.append(np.full(count, np.frombuffer(raw_weights, _WEIGHT_DTYPE)[0]))
            else:
                weights.append(np.ones(count, _WEIGHT_DTYPE))
        if not ids:
            return np.empty(0, _ID_DTYPE), np.empty(0, _WEIGHT_DTYPE)
        return np.frombuffer(b"".join(ids), _ID_DTYPE), np.concatenate(weights)

    def read_positions(self, wanted: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(segment docnum, position) of every occurrence in the ``wanted``
        documents (sorted segment docnums; None: every document); blocks
        holding none of them are not decoded."""
        ids, counts, positions = [], [], []
        below = -1  # every id of this block is above the last block's max id
        for info, data in self._blocks():
            maxid, compressed = info[1], info[3]
            if wanted is not None:
                first = np.searchsorted(wanted, below, "right")
                below = maxid
                if first == len(wanted) or wanted[first] > maxid:
                    continue
            count, raw_ids, _, _, packed = _sections(data)
            if compressed:
                packed = zlib.decompress(packed)
            ids.append(raw_ids)
            counts.append(packed[: 4 * count])
            positions.append(packed[4 * count :])
        if not ids:
            return np.empty(0, _ID_DTYPE), np.empty(0, _ID_DTYPE)
        ids = np.frombuffer(b"".join(ids), _ID_DTYPE)
        counts = np.frombuffer(b"".join(counts), _ID_DTYPE) // 4
        positions = np.frombuffer(b"".join(positions), _ID_DTYPE)
        docs = np.repeat(ids, counts)
        return (docs, positions) if wanted is None else select_positions(docs, positions, wanted)
