"""Did you mean: a corrected query built from indexed surface words.

The words field holds unstemmed, normalised words, so a suggestion is a word
a reader would write (``Lockheed``, ``ракети``), never a stem or a lemma.
"""

from __future__ import annotations

import re
import struct

import numpy as np
from rapidfuzz.distance import OSA
from whoosh import query as wq
from whoosh.filedb.filetables import _lengths as _RECORD

from .evaluate import evaluate
from .morphology import is_known_word
from .normalize import normalize_word
from .query import compile_query
from .schema import SPELLING_FIELD

# Suggest only when the query found fewer hits than this.
SUGGEST_BELOW = 3
# A neighbour must be this many times more frequent than the typed word.
MIN_RATIO = 5
# Only words in at most this many documents are candidates for correction.
RARE_DOCS = 2
# Indexed words compared with a typed word, at most.
MAX_SCANNED = 3000


def suggest_query(
    searcher, text: str, compiled, total: int, live, gazetteer=None, memo: dict | None = None
) -> str | None:
    """Return ``text`` with rare or unknown words corrected, or None.

    Only offered when the query found little and the corrected one finds more
    (counted among the ``live`` documents, a mask over document numbers).
    ``memo`` is the search's own (evaluate): the words left as typed are
    not read again.
    """
    if total >= SUGGEST_BELOW or not compiled.words:
        return None
    reader = searcher.reader()
    corrected = text
    for word in dict.fromkeys(compiled.words):
        fix = _correct_word(reader, word)
        if fix:
            corrected = re.sub(
                rf"(?<!\w){re.escape(word)}(?!\w)", _match_case(word, fix), corrected, count=1
            )
    if corrected == text:
        return None
    # Counted without the other language's equivalents first: they only add
    # articles to a query without NOT, so more found without them is more
    # found with them, and their terms (six for "done production") go unread.
    # With a NOT that count decides nothing, and is not made.
    plain = compile_query(corrected, searcher.schema, reader, gazetteer)
    if not compiled.translate or not _negates(plain.query):
        found = int(np.count_nonzero(evaluate(searcher, plain.query, live, memo).mask))
        if found > total:
            return corrected
        if not compiled.translate:
            return None
    better = compile_query(corrected, searcher.schema, reader, gazetteer, translate=True)
    found = int(np.count_nonzero(evaluate(searcher, better.query, live, memo).mask))
    return corrected if found > total else None


def _negates(q) -> bool:
    """Whether ``q`` excludes anything (a NOT anywhere in it)."""
    if isinstance(q, (wq.Not, wq.AndNot)):
        return True
    return any(_negates(child) for child in q.children())


def _correct_word(reader, word: str) -> str | None:
    """The closest indexed word (fewest edits, then most documents) that is
    clearly more common than ``word``."""
    norm = normalize_word(word)
    if len(norm) < 3 or not norm.replace("'", "").isalpha():
        return None  # numbers and designations are not misspelt words
    own = reader.doc_frequency(SPELLING_FIELD, norm)
    if own > RARE_DOCS:
        return None  # a word this common is not a typo
    if own and not norm.isascii() and is_known_word(norm):
        # an indexed dictionary word is rare, not misspelt (хтиво is not a
        # typo of хто); an absent one may still be a slip (ракита, ракета)
        return None
    need = max(1, MIN_RATIO * own)
    maxdist = 1 if len(norm) <= 4 else 2
    # Typos rarely touch the first letters; scanning only words that share
    # them (and have a near length) keeps this to milliseconds. Whoosh's
    # terms_within computes a distance for every word with the first letter.
    prefix = norm[: 2 if len(norm) >= 6 else 1]
    letters = set(norm)
    ranked = []
    for candidate, df in _words_from(reader, prefix).items():
        if candidate == norm or abs(len(candidate) - len(norm)) > maxdist:
            continue
        if len(letters.symmetric_difference(candidate)) > 2 * maxdist:
            continue  # more letters differ than the edits allowed could change
        distance = edit_distance(norm, candidate, maxdist)
        if distance <= maxdist and df >= need:
            ranked.append((distance, -df, candidate))
    return min(ranked)[2] if ranked else None


def _words_from(reader, prefix: str) -> dict[str, int]:
    """Up to MAX_SCANNED distinct indexed words starting with ``prefix``, read
    segment by segment (the multi-segment reader's merged term walk cost more
    than the distances), each with the documents holding it in the segments
    read: the count the terms file keeps beside each word, where a lookup
    per word cost 130 µs over ten segments. Segments hold like samples of
    the news, so a count from the first few ranks words as the whole would."""
    found: dict[str, int] = {}
    for leaf, _ in reader.leaf_readers():
        if len(found) >= MAX_SCANNED:
            break
        for i, (word, df) in enumerate(_segment_words(leaf, prefix)):
            if i >= MAX_SCANNED:
                break
            if word in found:
                found[word] += df
            elif len(found) < MAX_SCANNED:
                found[word] = df
    return found


# A terms file record is key length, value length (``_RECORD``, Whoosh's
# filetables), key, value; a key is the field's number (2 bytes) and the term;
# a value (W3TermInfo) starts with flags, weight and the document frequency.
_CHUNK = 1 << 16
_DOC_FREQUENCY = struct.Struct("!I")
_DOC_FREQUENCY_AT = 5


def _segment_words(leaf, prefix: str):
    """One segment's spelling words starting with ``prefix``, in order, each
    with the number of documents holding it.

    Whoosh's ``expand_prefix`` reads each term with three file reads (2.7
    µs a word; 3,000 words a typed word made rare queries slow); the records
    are contiguous, so they are read here in chunks and parsed from memory
    (1.1 µs a word).
    """
    terms = getattr(leaf, "_terms", None)
    tindex = getattr(terms, "_tindex", None)
    if tindex is None or not hasattr(terms, "_keycoder"):  # another codec
        for word in leaf.expand_prefix(SPELLING_FIELD, prefix):
            yield (
                word.decode("utf-8") if isinstance(word, bytes) else word,
                leaf.doc_frequency(SPELLING_FIELD, word),
            )
        return
    start = terms._keycoder(SPELLING_FIELD, prefix.encode("utf-8"))
    pos = tindex.closest_key_pos(start)
    if pos is None:
        return
    end, dbfile = tindex.endofdata, tindex.dbfile
    chunk, base = b"", pos
    while pos < end:
        at = pos - base
        if at + _RECORD.size > len(chunk):
            chunk, base, at = dbfile.get(pos, min(_CHUNK, end - pos)), pos, 0
        keylen, valuelen = _RECORD.unpack_from(chunk, at)
        if at + _RECORD.size + keylen + valuelen > len(chunk):
            size = max(_CHUNK, _RECORD.size + keylen + valuelen)
            chunk, base, at = dbfile.get(pos, min(size, end - pos)), pos, 0
        key = chunk[at + _RECORD.size : at + _RECORD.size + keylen]
        if not key.startswith(start):
            return
        value_at = at + _RECORD.size + keylen
        yield (
            key[2:].decode("utf-8"),
            _DOC_FREQUENCY.unpack_from(chunk, value_at + _DOC_FREQUENCY_AT)[0],
        )
        pos += _RECORD.size + keylen + valuelen


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance, an adjacent transposition counting as one edit
    (optimal string alignment); past ``limit`` it returns limit + 1.
    RapidFuzz computes it in C: 40x the pure-Python loop, which was most of
    a suggestion's time at 1M articles (3,000 words compared per typo).

    >>> edit_distance("ракти", "ракети"), edit_distance("boieng", "boeing")
    (1, 1)
    """
    return OSA.distance(a, b, score_cutoff=limit)


def _match_case(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
