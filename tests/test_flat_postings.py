"""The flat text postings give each term's postings as per-term arrays would."""

import random
from array import array

import pytest

from indexer import flat_postings
from indexer.flat_postings import FlatTextPostings


@pytest.mark.parametrize("gather", [flat_postings._GATHER, 7, 1])
def test_sorted_terms_equal_per_term_arrays(monkeypatch, gather):
    """Random documents: every term in code point order, its documents in
    the order added, each with its count and positions; with the gather
    cut small, terms are spread over many gathers (1: one term each)."""
    monkeypatch.setattr(flat_postings, "_GATHER", gather)
    rng = random.Random(5)
    vocabulary = ["танк", "tank", "ß", "su34", "a", "ґрунт", "z" * 20, "é", "155mm"]
    flat, expected = FlatTextPostings(), {}
    for docnum in range(0, 400, 3):  # document numbers with gaps
        positions = {}
        for pos in range(rng.randrange(0, 30)):
            positions.setdefault(rng.choice(vocabulary), []).append(pos)
        length, _ = flat.add(docnum, positions)
        assert length == sum(map(len, positions.values()))
        for term, found in positions.items():
            ids, counts, where = expected.setdefault(term, (array("I"), array("I"), array("I")))
            ids.append(docnum)
            counts.append(len(found))
            where.extend(found)
    got = list(flat.sorted_terms())
    assert [term for term, _ in got] == sorted(expected)
    assert dict(got) == expected


def test_new_terms_counted():
    flat = FlatTextPostings()
    assert flat.add(0, {"a": [0], "b": [1, 2]}) == (3, 2)
    assert flat.add(1, {"b": [0], "c": [1]}) == (2, 1)
    assert list(FlatTextPostings().sorted_terms()) == []


def test_word_postings_equal_per_word_arrays():
    from indexer.flat_postings import FlatWordPostings

    rng = random.Random(8)
    vocabulary = ["the", "ясно", "z", "ÿ", "ab", "a"]
    flat, expected = FlatWordPostings(), {}
    for docnum in range(0, 300, 2):
        words = set(rng.sample(vocabulary, rng.randrange(0, len(vocabulary))))
        flat.add(docnum, words)
        for word in words:
            expected.setdefault(word, (array("I"),))[0].append(docnum)
    got = list(flat.sorted_terms())
    assert [word for word, _ in got] == sorted(expected)
    assert dict(got) == expected
