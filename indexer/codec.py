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

import struct
import zlib
from array import array
from itertools import groupby
from operator import itemgetter

import numpy as np
from whoosh.codec import whoosh3
from whoosh.util.numeric import length_to_byte

_COUNTS = struct.Struct("<IBI")  # ids in block, weight kind, values section size
_ALL_ONE, _CONSTANT, _EACH = 0, 1, 2
# Smallest values section worth compressing (Whoosh measured the same cut-off).
_COMPRESS_FROM = 80
_ID_DTYPE = np.dtype("=u4")
_WEIGHT_DTYPE = np.dtype("=f4")


class NewsCodec(whoosh3.W3Codec):
    """``fast_postings=False`` writes through Whoosh's generic per-posting
    loop (the tests compare the two)."""

    def __init__(self, *args, fast_postings: bool = True, **kwargs):
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
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class _FieldWriter(whoosh3.W3FieldWriter):
    """Whoosh's field writer with a tighter loop from the sorted posting pool
    to the blocks: one pass per term, field lengths looked up from a list
    made once per field instead of through two closures per posting (the
    generic loop was a third of indexing)."""

    def add_postings(self, schema, lengths, items):
        for fieldname, field_items in groupby(items, itemgetter(0)):
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            length_of = _field_lengths(lengths, fieldname) if lengths else None
            for btext, postings in groupby(field_items, itemgetter(1)):
                self.start_term(btext)
                self._postwriter.add_sorted(postings, length_of)
                self.finish_term()
            self.finish_field()


def _field_lengths(lengths, fieldname: str) -> list:
    """Each document's length in ``fieldname`` as the generic loop gets it."""
    reader = getattr(lengths, "doc_field_length_reader", None)
    if reader is None:  # another kind of length source
        return [lengths.doc_field_length(n, fieldname) for n in range(lengths.doc_count_all())]
    length = reader(fieldname)
    return [length(n) for n in range(lengths.doc_count_all())]


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

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids, weights, values = self._ids, self._weights, self._values
        data = [b"", ids.tobytes()]
        if all(w == 1.0 for w in weights):
            kind = _ALL_ONE
        elif all(w == weights[0] for w in weights):
            kind = _CONSTANT
            data.append(struct.pack("=f", weights[0]))
        else:
            kind = _EACH
            data.append(weights.tobytes())
        packed = b""
        compressed = 0
        if values and self._format.fixed_value_size() != 0:
            packed = array("I", map(len, values)).tobytes() + b"".join(values)
            if self._compression and len(packed) >= _COMPRESS_FROM:
                packed = zlib.compress(packed, self._compression)
                compressed = self._compression
        data[0] = _COUNTS.pack(len(ids), kind, len(packed))
        data.append(packed)
        databytes = b"".join(data)
        infobytes = whoosh3.dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                compressed,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
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

    def read_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Every posting's (segment docnum, weight) from here to the end."""
        ids, weights = [], []
        postfile = self._postfile
        while not self._atend:
            count, raw_ids, kind, raw_weights, _ = _sections(
                postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
            )
            ids.append(raw_ids)
            if kind == _EACH:
                weights.append(np.frombuffer(raw_weights, _WEIGHT_DTYPE))
            elif kind == _CONSTANT:
                weights.append(np.full(count, np.frombuffer(raw_weights, _WEIGHT_DTYPE)[0]))
            else:
                weights.append(np.ones(count, _WEIGHT_DTYPE))
            self._next_block()
        if not ids:
            return np.empty(0, _ID_DTYPE), np.empty(0, _WEIGHT_DTYPE)
        return np.frombuffer(b"".join(ids), _ID_DTYPE), np.concatenate(weights)
