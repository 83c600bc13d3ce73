"""Lemma-query recall on BRUK: does a query for a lemma find every document
that holds any inflected form of it?

Gold forms come from ../shared/corpora/uk-lemmas.tsv (BRUK's hand-checked
form → lemma pairs). For each sampled lemma, the gold documents are those whose
words include one of its forms; recall is the share of them the lemma query
returns. Prints a table; run: python bench/lemma_recall.py [--lemmas N]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from indexer.analysis import surface_analyzer
from indexer.index import open_index, update_index
from indexer.ingest import Article, read_inputs
from indexer.search import SearchRequest, search

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
POS = ("noun", "adj", "verb")


def gold_forms(tsv: Path) -> dict[str, set[str]]:
    forms = defaultdict(set)
    with open(tsv, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["pos"] in POS and len(row["lemma"]) > 3:
                forms[row["lemma"].lower().replace("ґ", "г")].add(row["form"].lower())
    return forms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lemmas", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    bruk, tsv = CORPORA / "bruk.jsonl", CORPORA / "uk-lemmas.tsv"
    records = [r for r in read_inputs([str(bruk)]) if isinstance(r, Article)]
    surface = surface_analyzer()
    doc_words = {a.id: {t.text for t in surface(a.title + "\n" + a.body)} for a in records}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        update_index(tmp, iter(records), rebuild=True)
        build = time.monotonic() - started
        ix = open_index(tmp)
        forms = gold_forms(tsv)
        candidates = sorted(
            lemma
            for lemma, fs in forms.items()
            if len(fs) > 1 and sum(1 for w in doc_words.values() if w & fs) >= 3
        )
        random.Random(args.seed).shuffle(candidates)
        found = wanted = perfect = 0
        misses = []
        for lemma in candidates[: args.lemmas]:
            gold = {d for d, words in doc_words.items() if words & forms[lemma]}
            page = search(ix, SearchRequest(lemma, per_page=100, page=1))
            got = {h.id for h in page.hits}
            page_no = 2
            while len(got) < page.total and page_no * 100 <= 10_000:
                got |= {
                    h.id for h in search(ix, SearchRequest(lemma, per_page=100, page=page_no)).hits
                }
                page_no += 1
            found += len(gold & got)
            wanted += len(gold)
            perfect += gold <= got
            if gold - got:
                misses.append((lemma, len(gold - got), len(gold)))
    n = min(args.lemmas, len(candidates))
    print("| BRUK lemma-query recall | value |\n|---|---|")
    print(f"| documents | {len(records)} |")
    print(f"| build seconds | {build:.1f} |")
    print(f"| lemmas sampled (noun/adj/verb, ≥2 forms, ≥3 docs) | {n} |")
    print(f"| document-weighted recall | {found / wanted:.4f} |")
    print(f"| lemmas with full recall | {perfect / n:.3f} |")
    print("\nworst misses (lemma, missed docs, gold docs):")
    for lemma, missed, total in sorted(misses, key=lambda m: -m[1])[:15]:
        print(f"  {lemma}: {missed}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
