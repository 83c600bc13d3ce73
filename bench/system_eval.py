"""Precision and recall of weapon-system detection, per language.

On six sets in data/eval/, each written blind by someone who never ran the
matcher on it: texts with the systems they really name, and traps that name
none but use a system's name in another sense (patriots, Neptune the planet,
Julius Caesar, Бук the tree). A text's gold systems count with their
families, as detection tags a variant's family too. Each set was scored once
before the rules saw its errors, and those blind figures are the honest ones
(docs/relevance.md keeps them); sets 1-5 were then tuned on, so their figures
printed here are after tuning. Set 6 has never been tuned on: keep it so,
and look at its errors only when a new blind set replaces it.

Run: python bench/system_eval.py [--details]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from indexer.entities import SYSTEMS, default_gazetteer

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "data" / "eval"
# (file, tuned on after its blind figure was recorded)
SETS = [
    (EVAL / "system_mentions_holdout.jsonl", True),
    (EVAL / "system_mentions_holdout2.jsonl", True),
    (EVAL / "system_mentions_holdout3.jsonl", True),
    (EVAL / "system_mentions_holdout4.jsonl", True),
    (EVAL / "system_mentions_holdout5.jsonl", True),
    (EVAL / "system_mentions_holdout6.jsonl", False),
]


def with_families(gazetteer, ids) -> set[str]:
    out = set(ids)
    for i in ids:
        family = gazetteer.entities[i].family if i in gazetteer.entities else ""
        if family:
            out.add(family)
    return out


def evaluate(gazetteer, path: Path, details: bool, tuned: bool = False) -> dict:
    tally = {lang: Counter() for lang in ("en", "uk", "all")}
    errors = []
    for line in path.read_text("utf-8").splitlines():
        item = json.loads(line)
        gold = with_families(gazetteer, item["systems"])
        found = set(gazetteer.detect(item["text"]))
        for lang in (item["lang"], "all"):
            t = tally[lang]
            t["tp"] += len(gold & found)
            t["fp"] += len(found - gold)
            t["fn"] += len(gold - found)
            t["texts"] += 1
            t["traps"] += not gold
        if gold != found:
            errors.append((item["id"], sorted(gold - found), sorted(found - gold), item["text"]))
    status = "tuned on its errors" if tuned else "never tuned on"
    print(f"## {path.relative_to(ROOT)} ({status})\n")
    print(
        "| language | texts | traps (no system) | (text, system) pairs | precision | recall | F1 |"
    )
    print("|---|---|---|---|---|---|---|")
    for lang, t in tally.items():
        p = t["tp"] / max(1, t["tp"] + t["fp"])
        r = t["tp"] / max(1, t["tp"] + t["fn"])
        f1 = 2 * p * r / max(1e-9, p + r)
        pairs = t["tp"] + t["fn"]
        print(f"| {lang} | {t['texts']} | {t['traps']} | {pairs} | {p:.3f} | {r:.3f} | {f1:.3f} |")
    if details:
        print("\nerrors (id, missed, false, text):")
        for row in errors:
            print("  ", *row)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every error")
    args = parser.parse_args()
    gazetteer = default_gazetteer(SYSTEMS)
    print(f"gazetteer: {len(gazetteer.entities)} systems\n")
    for path, tuned in SETS:
        if path.exists():
            evaluate(gazetteer, path, args.details, tuned)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
