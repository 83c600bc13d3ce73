"""Precision and recall of company detection, per language.

1. On data/eval/company_mentions.jsonl (our labelled set: texts with the
   companies they really mention, and tricky texts that mention none; the
   gazetteer was tuned on its errors) and on company_mentions_holdout.jsonl
   (written blind afterwards, never tuned on).
2. On ../shared/corpora/ner-uk.jsonl (gold ORG spans of a real Ukrainian
   corpus that is not defense news): which gold organisations the matcher
   tags, and which of its tags fall outside every gold span, to find false
   hits and missed case forms.

Run: python bench/company_eval.py [--details]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from indexer.companies import default_gazetteer

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "data" / "eval" / "company_mentions.jsonl"
# Written blind, after the gazetteer was tuned on LABELLED: the honest figure.
HOLDOUT = ROOT / "data" / "eval" / "company_mentions_holdout.jsonl"
NER_UK = ROOT.parent / "shared" / "corpora" / "ner-uk.jsonl"


def labelled_set(gazetteer, path: Path, details: bool) -> None:
    tally = {lang: Counter() for lang in ("en", "uk", "all")}
    errors = []
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    # The set was labelled for these companies; others the gazetteer knows
    # (Nvidia, say) are neither right nor wrong here.
    vocabulary = {c for item in items for c in item["companies"]}
    for item in items:
        gold = set(item["companies"])
        found = set(gazetteer.detect(item["text"])) & vocabulary
        for lang in (item["lang"], "all"):
            tally[lang]["tp"] += len(gold & found)
            tally[lang]["fp"] += len(found - gold)
            tally[lang]["fn"] += len(gold - found)
            tally[lang]["texts"] += 1
            tally[lang]["negatives"] += not gold
        if gold != found:
            errors.append((item["id"], sorted(gold - found), sorted(found - gold), item["text"]))
    print(f"## Labelled set {path.relative_to(ROOT)}\n")
    print("| language | texts | without company | mentions | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|")
    for lang, t in tally.items():
        p = t["tp"] / max(1, t["tp"] + t["fp"])
        r = t["tp"] / max(1, t["tp"] + t["fn"])
        f1 = 2 * p * r / max(1e-9, p + r)
        mentions = t["tp"] + t["fn"]
        print(
            f"| {lang} | {t['texts']} | {t['negatives']} | {mentions} | {p:.3f} | {r:.3f} | {f1:.3f} |"
        )
    if details:
        print("\nerrors (id, missed, false, text):")
        for row in errors:
            print("  ", *row)


def ner_uk(gazetteer, details: bool) -> None:
    if not NER_UK.exists():
        print(f"\n{NER_UK} not found; skipped")
        return
    inside = outside = gold_hit = gold_total = 0
    false_hits = Counter()
    tagged_orgs = Counter()
    for line in NER_UK.read_text("utf-8").splitlines():
        doc = json.loads(line)
        body, orgs = doc["body"], doc.get("orgs", [])
        gold_total += len(orgs)
        mentions = [m for m in gazetteer.mentions(body) if m.confirmed]
        for m in mentions:
            span = next((o for o in orgs if o["start"] <= m.start and m.end <= o["end"]), None)
            if span:
                inside += 1
                tagged_orgs[(m.company, span["text"])] += 1
            else:
                outside += 1
                false_hits[(m.company, body[m.start : m.end])] += 1
        gold_hit += sum(
            1 for o in orgs if any(o["start"] <= m.start and m.end <= o["end"] for m in mentions)
        )
    print("\n## ner-uk.jsonl (real Ukrainian news, gold ORG spans)\n")
    print("| figure | value |\n|---|---|")
    print(f"| gold ORG mentions | {gold_total} |")
    print(f"| gold ORG mentions the gazetteer tags | {gold_hit} |")
    print(f"| tags inside a gold ORG span | {inside} |")
    print(f"| tags outside every ORG span (false hits or non-ORG uses) | {outside} |")
    print("\ntags outside ORG spans (company, text, count):")
    for (company, text), n in false_hits.most_common(20):
        print(f"  {company}: {text!r} ×{n}")
    if details:
        print("\ntags inside ORG spans:")
        for (company, text), n in tagged_orgs.most_common(40):
            print(f"  {company}: {text!r} ×{n}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every error")
    args = parser.parse_args()
    gazetteer = default_gazetteer()
    print(f"gazetteer: {len(gazetteer.companies)} companies\n")
    labelled_set(gazetteer, LABELLED, args.details)
    print()
    labelled_set(gazetteer, HOLDOUT, args.details)
    ner_uk(gazetteer, args.details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
