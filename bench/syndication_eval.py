"""Near-copy collapse on the judged queries, with syndicated copies added.

The sample corpus has no syndicated stories, so this adds them: every other
article judged 2 for some query gets copies "republished" by other outlets
the way wire stories are — verbatim; with a dateline and a credit line;
with those and the last paragraph cut; with the outlet's name in the
headline. A copy is judged as its original. Printed:

- how many copies fall within ``duplicates.SIMILAR_BITS`` of their original
  (whole-text or lead SimHash, the closer) and how many pairs of different
  stories do (false merges), per threshold;
- per threshold and with collapse off: novelty nDCG@10 (a story's grade
  counts at its first place in the list only: a reader learns nothing from
  a second copy) and the relevant stories in the top 10.

Run: python bench/syndication_eval.py
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import tempfile
from datetime import timedelta
from itertools import combinations

from search_eval import ARTICLES, QUERIES, ranked_ids

from indexer import duplicates
from indexer.facets import facet_columns
from indexer.index import open_index, update_index
from indexer.ingest import Article, find_inputs, read_inputs

THRESHOLDS = (3, 6, 8, 10, 12)

OUTLETS = {
    "en": ["Defence Wire Digest", "Frontline Courier", "Arms Monitor"],
    "uk": ["Оборонний дайджест", "Фронтовий кур'єр", "Огляд озброєнь"],
}
DATELINE = {"en": "KYIV — ", "uk": "КИЇВ — "}
CREDIT = {
    "en": "(Republished from the wire by {outlet}.)",
    "uk": "(Передрук зі стрічки новин, {outlet}.)",
}


def recipes(article: Article, outlet: str):
    """(kind, title, body) of the copies made of ``article``."""
    lang = article.lang if article.lang in DATELINE else "en"
    paragraphs = article.body.split("\n\n")
    credit = CREDIT[lang].format(outlet=outlet)
    dated = DATELINE[lang] + article.body + "\n\n" + credit
    trimmed = DATELINE[lang] + "\n\n".join(paragraphs[:-1] or paragraphs) + "\n\n" + credit
    return [
        ("verbatim", article.title, article.body),
        ("dateline + credit", article.title, dated),
        ("dateline + credit, last paragraph cut", article.title, trimmed),
        ("outlet in the headline", f"{outlet}: {article.title}", article.body),
    ]


def make_copies(articles: list[Article], queries):
    """Copies of every other article judged 2 somewhere, cycling through the
    recipes; copy id → original id; copy id → recipe."""
    judged_two = sorted({d for q in queries for d, g in q["judgments"].items() if g == 2})
    by_id = {a.id: a for a in articles}
    copies, original_of, kind_of = [], {}, {}
    for i, doc_id in enumerate(judged_two[::2]):
        article = by_id[doc_id]
        outlets = OUTLETS.get(article.lang, OUTLETS["en"])
        for j in range(1 + i % 2):  # one or two copies
            outlet = outlets[(i + j) % len(outlets)]
            kind, title, body = recipes(article, outlet)[(i + j) % 4]
            copy = dataclasses.replace(
                article,
                id=f"{doc_id}-copy{j + 1}",
                title=title,
                body=body,
                url=f"{article.url}?copy={j + 1}",
                source=outlet,
                published=article.published + timedelta(hours=3 + j) if article.published else None,
            )
            copies.append(copy)
            original_of[copy.id] = doc_id
            kind_of[copy.id] = kind
    return copies, original_of, kind_of


def novelty_ndcg(ranked, judged, story, k=10):
    seen, dcg = set(), 0.0
    for i, doc in enumerate(ranked[:k]):
        s = story(doc)
        if s not in seen:
            seen.add(s)
            dcg += (2 ** judged.get(s, 0) - 1) / math.log2(i + 2)
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def set_threshold(bits: int) -> None:
    duplicates.SIMILAR_BITS = bits
    duplicates._BANDS = duplicates._bands(bits + 1)


def main() -> int:
    queries = [json.loads(line) for line in QUERIES.read_text("utf-8").splitlines()]
    articles = [r for r in read_inputs(find_inputs([ARTICLES])) if isinstance(r, Article)]
    copies, original_of, kinds = make_copies(articles, queries)

    def story(doc_id):
        return original_of.get(doc_id, doc_id)

    shipped = duplicates.SIMILAR_BITS
    with tempfile.TemporaryDirectory() as tmp:
        update_index(tmp, iter(articles + copies), rebuild=True)
        ix = open_index(tmp)
        with ix.searcher() as searcher:
            reader = searcher.reader()
            hashes = facet_columns(ix, reader).simhashes
            ids = {int(n): fields["id"] for n, fields in reader.iter_docs()}
        by_id = {doc_id: tuple(int(h) for h in hashes[n]) for n, doc_id in ids.items()}
        print(
            f"{len(copies)} copies of {len(set(original_of.values()))} judged articles "
            f"added to {len(articles)}; {len(queries)} judged queries\n"
        )
        distances = {c: _distance(by_id[c], by_id[o]) for c, o in original_of.items()}
        different = [  # distances between articles of different stories
            _distance(by_id[a], by_id[b])
            for a, b in combinations(sorted(by_id), 2)
            if story(a) != story(b)
        ]
        print(
            "| copies found (within bits of their original) / pairs of different stories merged "
            "| " + " | ".join(f"{b} bits" for b in THRESHOLDS) + " |"
        )
        print("|---|" + "---|" * len(THRESHOLDS))
        for kind in sorted(set(kinds.values())):
            row = [c for c in distances if kinds[c] == kind]
            cells = [f"{sum(distances[c] <= b for c in row)} of {len(row)}" for b in THRESHOLDS]
            print(f"| copies: {kind} | " + " | ".join(cells) + " |")
        cells = [str(sum(d <= b for d in different)) for b in THRESHOLDS]
        print(f"| pairs of different stories (of {len(different)}) | " + " | ".join(cells) + " |")
        print()

        print("| top 10 | novelty nDCG@10 | relevant stories in the top 10 |")
        print("|---|---|---|")
        for label, bits, collapse in [("collapse off", shipped, False)] + [
            (f"collapse, {b} bits" + (" (shipped)" if b == shipped else ""), b, True)
            for b in THRESHOLDS
        ]:
            set_threshold(bits)
            nd, stories = [], []
            for q in queries:
                judged = q["judgments"]
                ranked = ranked_ids(ix, q, per_page=10, collapse=collapse)
                nd.append(novelty_ndcg(ranked, judged, story))
                stories.append(len({story(d) for d in ranked[:10] if judged.get(story(d))}))
            print(f"| {label} | {sum(nd) / len(nd):.3f} | {sum(stories) / len(stories):.2f} |")
        set_threshold(shipped)
        ix.close()
    return 0


def _distance(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """Bits apart of the closest pair of same-kind hashes (whole text, lead),
    as the grouping compares them."""
    return min(((x ^ y).bit_count() for x, y in zip(a, b, strict=True) if x and y), default=64)


if __name__ == "__main__":
    sys.exit(main())
