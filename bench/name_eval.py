"""Names outside the dictionary: do a name's case forms share a term, and do
different names' forms stay apart?

data/eval/name_forms.tsv lists inflected forms of Ukrainian surnames, place
names, foreign people and companies as the press writes them (Умєров,
Умєрова, Умєрову, Умєровим, Умєрові). Two forms are "the same lemma" to the
index when their index terms (what a query word and a text word are matched
by) overlap. Over every pair of forms: recall is the share of pairs of one
name that overlap, precision the share of overlapping pairs that are one
name. Printed per kind of name, then the pairs missed and merged; with
--baseline, beside the terms without the name stems (pymorphy3's guess
alone, as before). Run: python bench/name_eval.py [--baseline] [--details]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from indexer.analysis import token_index_terms
from indexer.morphology import STEM_MARK, is_known_word
from indexer.normalize import normalize_word

FORMS = Path(__file__).resolve().parents[1] / "data" / "eval" / "name_forms.tsv"


def read_forms(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def terms_of(form: str, stems: bool) -> tuple[frozenset[str], ...]:
    """Each word's terms (a name may be two words: Часів Яр, Часового Яру)."""
    words = []
    for word in form.split():
        terms = frozenset(token_index_terms(word, False))
        words.append(terms if stems else frozenset(t for t in terms if not t.startswith(STEM_MARK)))
    return tuple(words)


def shared(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> list[str]:
    """The terms two forms share word by word (none unless every word shares)."""
    if len(a) != len(b) or not all(x & y for x, y in zip(a, b, strict=True)):
        return []
    return sorted(set().union(*(x & y for x, y in zip(a, b, strict=True))))


def scores(rows: list[dict], stems: bool) -> dict:
    """Pair counts overall and per kind (a pair of two kinds counts for both)."""
    terms = [terms_of(r["form"], stems) for r in rows]
    counts = defaultdict(lambda: {"same": 0, "same_found": 0, "merged": 0, "merged_wrong": 0})
    missed, wrong = [], []
    for i, j in combinations(range(len(rows)), 2):
        a, b = rows[i], rows[j]
        same = a["name"] == b["name"]
        common = shared(terms[i], terms[j])
        overlap = bool(common)
        for kind in {"all", a["kind"], b["kind"], a["known"], b["known"]}:
            c = counts[kind]
            c["same"] += same
            c["same_found"] += same and overlap
            c["merged"] += overlap
            c["merged_wrong"] += overlap and not same
        if same and not overlap:
            missed.append((a["form"], b["form"]))
        elif overlap and not same:
            wrong.append((a["form"], b["form"], common))
    return {"counts": counts, "missed": missed, "wrong": wrong}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", action="store_true", help="also without the name stems")
    parser.add_argument("--details", action="store_true", help="list every miss and merge")
    args = parser.parse_args()
    rows = read_forms(FORMS)
    for row in rows:
        row["form"] = normalize_word(row["form"])
    known = sum(is_known_word(r["form"]) for r in rows)
    names = {r["name"] for r in rows}
    in_dictionary = {r["name"] for r in rows if is_known_word(r["form"])}
    for row in rows:  # a name counts as outside when none of its forms is a dictionary word
        inside = row["name"] in in_dictionary
        row["known"] = "(names in the dictionary)" if inside else "(names outside it)"
    print(
        f"{len(rows)} forms of {len(names)} names; {known} forms are dictionary words; "
        f"{len(names - in_dictionary)} names have no dictionary form\n"
    )
    runs = {"with name stems": scores(rows, True)}
    if args.baseline:
        runs["pymorphy3's guess only"] = scores(rows, False)
    print("| kind | " + " | ".join(f"recall, {r} | precision, {r}" for r in runs) + " |")
    print("|---|" + "---|---|" * len(runs))
    kinds = sorted(runs["with name stems"]["counts"], key=lambda k: (k != "all", k[0] != "(", k))
    for kind in kinds:
        cells = []
        for run in runs.values():
            c = run["counts"][kind]
            recall = c["same_found"] / c["same"] if c["same"] else 1.0
            precision = 1 - c["merged_wrong"] / c["merged"] if c["merged"] else 1.0
            cells.append(f"{recall:.3f} ({c['same_found']}/{c['same']}) | {precision:.3f}")
        print(f"| {kind} | " + " | ".join(cells) + " |")
    result = runs["with name stems"]
    limit = None if args.details else 15
    print(f"\nforms of one name with no shared term ({len(result['missed'])} pairs):")
    for a, b in result["missed"][:limit]:
        print(f"  {a} / {b}")
    print(f"\nforms of different names that share a term ({len(result['wrong'])} pairs):")
    for a, b, shared in result["wrong"][:limit]:
        print(f"  {a} / {b}: {', '.join(shared)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
