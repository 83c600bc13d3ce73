"""Near-duplicate articles: the same story syndicated by several outlets.

Each article gets a 64-bit SimHash of its distinct words (title and body,
normalised, stopwords out) when it is indexed. A result list is then grouped
greedily in its own order: an article whose SimHash is within SIMILAR_BITS
bits of a group's first article joins that group and is shown under it as
"N similar" instead of as a hit of its own. Copies with a changed headline or
a sentence more stay within a few bits; different stories on the same
subject, sharing much of their vocabulary, are tens of bits apart. A second
SimHash of the body's lead catches copies cut short at the bottom.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from hashlib import blake2b

import numpy as np

# Most differing bits for two articles to count as one story. Measured on the
# BBC corpus (2,225 articles): every pair within 8 bits shares >= 79% of its
# words (Jaccard; 160 pairs, most exact re-publications); from 9 bits on,
# different stories appear (Jaccard 0.40). The sample corpus's closest two
# articles are 15 bits apart.
SIMILAR_BITS = 6
# Body tokens hashed as the lead, of bodies longer than that. Outlets cut
# syndicated stories from the bottom and add datelines and credits; the lead
# survives (on the BBC corpus the lead's hash finds 10 more same-story pairs
# within 6 bits, among them updates with 44-85% of words in common, and no
# different stories).
LEAD_TOKENS = 100


def word_hash(word: str) -> int:
    """A word's 64-bit hash: stable, as Python's own is salted per process.
    Indexing keeps each word's (``article_analysis.WordFacts``)."""
    return int.from_bytes(blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def story_hashes(words: Iterable[str], lead_words: Iterable[str]) -> str:
    """The stored value: the SimHash of all of an article's words and of its
    lead's (the first LEAD_TOKENS tokens of the body), 16 hex digits each."""
    return format(simhash(words), "016x") + format(simhash(lead_words), "016x")


def story_hashes_of(word_hashes: Collection[int], lead_hashes: Collection[int]) -> str:
    """:func:`story_hashes` from the distinct words' hashes."""
    return format(simhash_of(word_hashes), "016x") + format(simhash_of(lead_hashes), "016x")


def read_story_hashes(value: str) -> tuple[int, int]:
    """(whole, lead) from the stored value; an index written before the lead
    was hashed has the whole only (lead 0: never matches)."""
    return int(value[:16] or "0", 16), int(value[16:32] or "0", 16)


def simhash(words: Iterable[str]) -> int:
    """The SimHash of a set of words: bit i is set when most words' hashes
    have it set. 0 for no words."""
    distinct = words if isinstance(words, (set, frozenset)) else set(words)
    return simhash_of([word_hash(w) for w in distinct])


def simhash_of(word_hashes: Collection[int]) -> int:
    """:func:`simhash` from the distinct words' hashes."""
    hashes = np.fromiter(word_hashes, np.uint64, len(word_hashes))
    return _majority(_bits(hashes))


def _bits(hashes: np.ndarray) -> np.ndarray:
    """A row of 64 0/1 bytes per hash, bit i of the hash in column i."""
    little_endian = hashes.astype("<u8", copy=False).view(np.uint8)
    return np.unpackbits(little_endian, bitorder="little").reshape(-1, 64)


def _majority(bits: np.ndarray) -> int:
    """The hash whose bit i is set when most rows have bit i set; 0 for none."""
    if not len(bits):
        return 0
    ones = bits.sum(axis=0, dtype=np.int64)
    return int(np.packbits(2 * ones > len(bits), bitorder="little").view("<u8")[0])


def group_similar(docnums: list[int], hashes: np.ndarray) -> list[tuple[int, list[int]]]:
    """Group ``docnums`` (best first) into (shown article, its near copies):
    each joins the first shown article within SIMILAR_BITS, if any.

    ``hashes`` holds one SimHash per document, or several per document (a
    row each: the whole text's and the lead's); two articles are one story
    when any pair of same-kind hashes is within SIMILAR_BITS.

    Two hashes within SIMILAR_BITS differ in at most that many of
    SIMILAR_BITS + 1 bands, so they agree on a whole band: shown articles
    are indexed by band value and only those sharing one are compared.
    A hash of 0 (no words) never matches.
    """
    rows = hashes if hashes.ndim == 2 else hashes[:, None]
    groups: list[tuple[int, list[int]]] = []
    heads: list[tuple[int, ...]] = []
    by_band: dict[tuple[int, int, int], list[int]] = {}
    for n in docnums:
        own = tuple(int(h) for h in rows[n])
        keys = [
            (kind, band, (h >> lo) & mask)
            for kind, h in enumerate(own)
            if h
            for band, (lo, mask) in enumerate(_BANDS)
        ]
        near = [
            g
            for key in keys
            for g in by_band.get(key, ())
            if (heads[g][key[0]] ^ own[key[0]]).bit_count() <= SIMILAR_BITS
        ]
        if near:
            groups[min(near)][1].append(n)
            continue
        for key in keys:
            by_band.setdefault(key, []).append(len(groups))
        heads.append(own)
        groups.append((n, []))
    return groups


def near_copies(hashes: np.ndarray, live: np.ndarray, docnum: int) -> list[int]:
    """Live documents within SIMILAR_BITS of ``docnum`` by either of its
    hashes (the rule ``group_similar`` folds by), nearest first."""
    rows = hashes if hashes.ndim == 2 else hashes[:, None]
    own = rows[docnum]
    far = 64 + 1
    distance = np.full(len(rows), far, np.int64)
    for kind in range(rows.shape[1]):
        if own[kind]:
            bits = np.bitwise_count(rows[:, kind] ^ own[kind]).astype(np.int64)
            bits[rows[:, kind] == 0] = far  # no words: never a copy
            distance = np.minimum(distance, bits)
    near = np.flatnonzero((distance <= SIMILAR_BITS) & live)
    near = near[near != docnum]
    return [int(n) for n in near[np.lexsort((near, distance[near]))]]


def _bands(count: int) -> list[tuple[int, int]]:
    """(shift, mask) of ``count`` bands covering the 64 bits."""
    edges = [64 * i // count for i in range(count + 1)]
    return [(lo, (1 << (hi - lo)) - 1) for lo, hi in zip(edges, edges[1:], strict=False)]


_BANDS = _bands(SIMILAR_BITS + 1)
