"""Near copies of a story (syndication) are shown once, under the best copy."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup
from conftest import CORPUS_DIR, build_index

from indexer.analysis import surface_words
from indexer.duplicates import SIMILAR_BITS, simhash
from indexer.index import open_index
from indexer.search import SearchRequest, search


def sample_articles():
    return [
        json.loads(line)
        for path in sorted(CORPUS_DIR.glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]


def distance(a: int, b: int) -> int:
    return bin(a ^ b).count("1")


def test_an_edited_copy_is_near_and_distinct_articles_are_not():
    articles = sample_articles()
    hashes = [simhash(surface_words(a["title"], a["body"])) for a in articles]
    original = articles[0]
    copy_hash = simhash(
        surface_words(
            "Update: " + original["title"], original["body"] + " Officials declined to comment."
        )
    )
    assert distance(hashes[0], copy_hash) <= SIMILAR_BITS
    assert simhash(surface_words(original["title"], original["body"])) == hashes[0]  # stable
    closest = min(distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :])
    assert closest > SIMILAR_BITS  # the sample corpus has no syndicated copies


def write(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")


def test_copies_fold_under_one_hit_and_unfold_on_request(tmp_path):
    articles = sample_articles()
    story, other = articles[0], articles[1]
    copy = {
        **story,
        "id": story["id"] + "-syndicated",
        "source": "Syndicate Wire",
        "url": "https://wire.example/copy",
        "title": "Update: " + story["title"],
        "body": story["body"] + " Officials declined to comment.",
    }
    src = tmp_path / "in.jsonl"
    write(src, [story, copy, other])
    build_index(tmp_path / "ix", src)
    ix = open_index(str(tmp_path / "ix"))
    page = search(ix, SearchRequest(per_page=10))  # browse: all three, newest first
    assert page.total == 3 and len(page.hits) == 2
    folded = next(h for h in page.hits if h.similar)
    assert {folded.id, folded.similar[0]["id"]} == {story["id"], copy["id"]}
    assert {s["source"] for s in folded.similar} <= {story["source"], "Syndicate Wire"}
    flat = search(ix, SearchRequest(per_page=10, collapse=False))
    assert len(flat.hits) == 3 and not any(h.similar for h in flat.hits)


def test_a_copy_cut_short_at_the_bottom_folds_by_its_lead(tmp_path):
    """Outlets trim syndicated stories from the bottom: the whole text's hash
    drifts past the limit, the lead's does not."""
    articles = sample_articles()
    story = max(articles, key=lambda a: len(a["body"]))
    paragraphs = story["body"].split("\n\n")
    cut = {
        **story,
        "id": story["id"] + "-cut",
        "source": "Syndicate Wire",
        "body": "KYIV — " + "\n\n".join(paragraphs[: len(paragraphs) // 2]),
    }
    whole = [simhash(surface_words(a["title"], a["body"])) for a in (story, cut)]
    assert distance(*whole) > SIMILAR_BITS
    src = tmp_path / "in.jsonl"
    write(src, [story, cut, articles[1] if articles[1] is not story else articles[2]])
    build_index(tmp_path / "ix", src)
    ix = open_index(str(tmp_path / "ix"))
    page = search(ix, SearchRequest(per_page=10))
    assert page.total == 3 and len(page.hits) == 2
    folded = next(h for h in page.hits if h.similar)
    assert {folded.id, folded.similar[0]["id"]} == {story["id"], cut["id"]}


def test_short_bodies_alike_do_not_make_one_story(tmp_path):
    """Feed items often carry the same short boilerplate summary: only a
    long body's lead counts as evidence of one story."""
    boilerplate = "Read the full story on our website. Subscribe for more defence news."
    articles = sample_articles()[:3]
    items = [{**a, "body": boilerplate} for a in articles]
    src = tmp_path / "in.jsonl"
    write(src, items)
    build_index(tmp_path / "ix", src)
    page = search(open_index(str(tmp_path / "ix")), SearchRequest(per_page=10))
    assert page.total == 3 and len(page.hits) == 3


def test_results_page_lists_the_other_outlets(tmp_path):
    from web import create_app

    articles = sample_articles()
    story = articles[0]
    copy = {**story, "id": "copy", "source": "Syndicate Wire", "url": "https://wire.example/c"}
    src = tmp_path / "in.jsonl"
    write(src, [story, copy])
    build_index(tmp_path / "ix", src)
    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    page = BeautifulSoup(client.get("/search?q=&ui=en").data, "html.parser")
    assert len(page.select("li.hit")) == 1
    similar = page.select_one("li.hit p.similar")
    assert similar is not None and "Also reported by" in similar.text
    assert similar.select_one("a")["href"] in {"https://wire.example/c", story.get("url")}


def test_api_collapse_0_lists_every_copy(tmp_path):
    from web import create_app

    story = sample_articles()[0]
    src = tmp_path / "in.jsonl"
    write(src, [story, {**story, "id": "copy", "source": "Syndicate Wire"}])
    build_index(tmp_path / "ix", src)
    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    assert len(client.get("/api/search?q=").get_json()["hits"]) == 1
    assert len(client.get("/api/search?q=&collapse=0").get_json()["hits"]) == 2


def test_grouping_equals_comparing_with_every_shown_article():
    """The band index finds exactly the groups an all-pairs comparison finds."""
    import random

    import numpy as np

    from indexer.duplicates import group_similar

    rng = random.Random(7)
    hashes = [rng.getrandbits(64) for _ in range(600)] + [0, 0]
    for i in range(0, 600, 20):  # plant copies up to and just past the limit
        for k, flips in enumerate((1, SIMILAR_BITS, SIMILAR_BITS + 1), start=1):
            h = hashes[i]
            for bit in rng.sample(range(64), flips):
                h ^= 1 << bit
            hashes[i + k] = h
    docnums = list(range(len(hashes)))
    rng.shuffle(docnums)

    expected: list[tuple[int, list[int]]] = []
    for n in docnums:
        h = hashes[n]
        head = next(
            (
                g
                for g in expected
                if h and hashes[g[0]] and distance(hashes[g[0]], h) <= SIMILAR_BITS
            ),
            None,
        )
        if head is None:
            expected.append((n, []))
        else:
            head[1].append(n)
    got = group_similar(docnums, np.array(hashes, np.uint64))
    assert got == expected and any(copies for _, copies in got)
    # with a second hash per document that never matches, the same groups;
    # with the hashes as the second kind only, the same groups too
    unmatched = [rng.getrandbits(64) for _ in hashes]
    both = np.array(list(zip(hashes, unmatched, strict=True)), np.uint64)
    assert group_similar(docnums, both) == expected
    swapped = np.array(list(zip(unmatched, hashes, strict=True)), np.uint64)
    assert group_similar(docnums, swapped) == expected


def test_hashes_equal_the_simhash_definition():
    """Bit i of the SimHash is set when most words' 64-bit hashes have bit i
    set (written out the slow way here); the stored value is the whole
    text's and the lead's."""
    from indexer.duplicates import read_story_hashes, story_hashes, word_hash

    def by_definition(words):
        hashes = [word_hash(w) for w in set(words)]
        return sum(1 << i for i in range(64) if 2 * sum(h >> i & 1 for h in hashes) > len(hashes))

    for article in sample_articles()[:20]:
        words = surface_words(article["title"], article["body"])
        lead = words[::3]
        assert simhash(words) == by_definition(words) != 0
        assert read_story_hashes(story_hashes(words, lead)) == (
            by_definition(words),
            by_definition(lead),
        )
    assert simhash([]) == 0 and read_story_hashes(story_hashes(["a"], [])) == (
        by_definition(["a"]),
        0,
    )
