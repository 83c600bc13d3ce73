"""Do `defnews search --json` facet counts equal an independent recount of the
input file? Indexes a JSONL corpus (Reuters-21578 by default) into a
temporary index, runs the real CLI, and recounts from the file with plain
json parsing (the gazetteer's detector is the only engine code used).

Run: python bench/facet_recount.py [CORPUS.jsonl]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from indexer.companies import default_gazetteer

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578.jsonl"
DEFNEWS = [sys.executable, "-m", "indexer"]


def month_of(value):
    try:
        if len(value) == 4:
            return value + "-01"
        if len(value) == 7:
            return value
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    if moment.tzinfo:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m")


def recount(path: Path):
    gazetteer = default_gazetteer()
    articles = []
    for line in path.read_text("utf-8").splitlines():
        try:
            a = json.loads(line)
        except ValueError:
            continue
        if not (a.get("title") or "").strip() and not (a.get("body") or "").strip():
            continue
        a["month"] = month_of(a.get("published"))
        a["companies"] = gazetteer.detect(a.get("title") or "", a.get("body") or "")
        articles.append(a)
    return articles


def counts(articles):
    out = {name: Counter() for name in ("company", "lang", "source", "year", "month")}
    for a in articles:
        out["company"].update(a["companies"])
        out["lang"][a.get("lang") or "en"] += 1
        out["source"][a.get("source") or ""] += 1
        if a["month"]:
            out["month"][a["month"]] += 1
            out["year"][a["month"][:4]] += 1
    return out


def engine(index_dir, *args):
    done = subprocess.run(
        [
            *DEFNEWS,
            "search",
            "--json",
            "--facet-size",
            "1000",
            "--limit",
            "1",
            "--index",
            index_dir,
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    data = json.loads(done.stdout)
    return data["total"], {
        k: Counter({v["value"]: v["count"] for v in vs}) for k, vs in data["facets"].items()
    }


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    articles = recount(path)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        subprocess.run(
            [*DEFNEWS, "index", str(path), "--index", tmp], capture_output=True, check=False
        )
        print(f"indexed {path.name} in {time.monotonic() - started:.0f}s\n")
        busiest = Counter(c for a in articles for c in a["companies"]).most_common(3)
        cases = [("(browse: everything)", [], articles)]
        for company, _ in busiest:
            chosen = [a for a in articles if company in a["companies"]]
            cases.append((f"--company {company}", ["--company", company], chosen))
        first = busiest[0][0]
        cases.append(
            (
                f"--company {first} --from 1987-04",
                ["--company", first, "--from", "1987-04"],
                [
                    a
                    for a in articles
                    if first in a["companies"] and (a["month"] or "") >= "1987-04"
                ],
            )
        )
        print("| request | total (engine / recount) | facets equal |\n|---|---|---|")
        ok = True
        for label, args, chosen in cases:
            total, facets = engine(tmp, *args)
            expected = counts(chosen)
            # Disjunctive: the company facet ignores the company filter, the
            # date facets the date filter.
            if "--company" in args:
                expected["company"] = counts([a for a in articles if _passes_dates(a, args)])[
                    "company"
                ]
            if "--from" in args:
                pool = [a for a in articles if first in a["companies"]]
                expected["year"], expected["month"] = counts(pool)["year"], counts(pool)["month"]
            same = all(facets[k] == expected[k] for k in expected)
            ok &= same and total == len(chosen)
            print(f"| {label} | {total} / {len(chosen)} | {'yes' if same else 'NO'} |")
        boeing = sum(1 for a in articles if "boeing" in a["companies"])
        print(f"\nstories tagged boeing: {boeing}")
    return 0 if ok else 1


def _passes_dates(article, args):
    if "--from" not in args:
        return True
    return (article["month"] or "") >= args[args.index("--from") + 1]


if __name__ == "__main__":
    sys.exit(main())
