"""Lemma accuracy of the Ukrainian analyzer on BRUK's hand-checked forms.

For every (form, lemma, pos, count) row of ../shared/corpora/uk-lemmas.tsv,
is the gold lemma among the terms the analyzer emits for the form? Counted
per token (weighted by ``count``), per part of speech, with the largest
error classes and the most frequent misses. Stopwords (dropped from the
index, so they have no lemma) are reported apart.

Run: python bench/lemma_accuracy.py [--misses 25]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

from indexer.analysis import STOPWORDS, news_analyzer
from indexer.morphology import is_known_word
from indexer.normalize import is_cyrillic, normalize_word

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def classify(form: str, lemma: str, terms: tuple[str, ...]) -> str:
    """Why the gold lemma is not among ``terms``."""
    if not is_known_word(form):
        return "form not in the dictionary (guessed)"
    if not terms:
        return "no term (a part dropped as a stopword)"
    if len(terms) > 1:
        return "dictionary ties, gold lemma not among them"
    if lemma.endswith("ся") != terms[0].endswith("ся"):
        return "reflexive verb lemma (-ся) differs"
    return "dictionary parse picks another lemma"


_ANALYZER = news_analyzer()


def analyse(form: str) -> tuple[str, ...]:
    """The terms the index holds for ``form``: tokenizer, normalisation and
    morphology, as for any indexed text."""
    return tuple(dict.fromkeys(t.text for t in _ANALYZER(form)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", type=int, default=25, help="most frequent misses to list")
    args = parser.parse_args()
    tsv = CORPORA / "uk-lemmas.tsv"
    if not tsv.exists():
        print(f"{tsv} is not available", file=sys.stderr)
        return 1
    right, total = Counter(), Counter()
    stopped = skipped = 0
    reasons, misses = Counter(), Counter()
    examples = defaultdict(list)
    with open(tsv, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            count = int(row["count"])
            # ґ is folded to г in lemmas on purpose (the dictionary has both)
            form = normalize_word(row["form"])
            # and tokens never hold an abbreviation's period ("р." is р)
            lemma = normalize_word(row["lemma"]).replace("ґ", "г").rstrip(".")
            if (
                not form
                or not any(is_cyrillic(ch) for ch in form)
                or any(c.isdigit() for c in form)
            ):
                skipped += count
                continue
            if form in STOPWORDS:
                stopped += count
                continue
            terms = analyse(row["form"])
            pos = row["pos"]
            total[pos] += count
            total["all"] += count
            if lemma in terms:
                right[pos] += count
                right["all"] += count
                continue
            reason = classify(form, lemma, terms)
            reasons[reason] += count
            misses[(form, lemma, "|".join(terms), pos)] += count
            if len(examples[reason]) < 4:
                examples[reason].append(f"{form}→{'|'.join(terms)} (gold {lemma})")
    print("| part of speech | tokens | lemma accuracy |")
    print("|---|---|---|")
    for pos, n in total.most_common():
        print(f"| {pos} | {n:,} | {right[pos] / n:.4f} |")
    print(f"\nStopwords (not indexed): {stopped:,} tokens; skipped (digits, Latin): {skipped:,}.")
    wrong = total["all"] - right["all"]
    print("\n| error class | tokens | share of errors | examples |")
    print("|---|---|---|---|")
    for reason, n in reasons.most_common():
        print(f"| {reason} | {n:,} | {n / wrong:.1%} | {'; '.join(examples[reason])} |")
    print(f"\n{args.misses} most frequent misses (form → our terms, gold lemma, pos, tokens):")
    for (form, lemma, terms, pos), n in misses.most_common(args.misses):
        print(f"  {form} → {terms}  gold {lemma}  {pos}  {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
