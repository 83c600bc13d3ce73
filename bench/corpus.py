"""Synthetic bilingual news for benchmarks, with real word forms.

Ukrainian words are drawn from BRUK's hand-checked form list and English
words from the Reuters and BBC corpora, each with its real frequency, so the
vocabulary is Zipfian the way news is. Every article gets a date in
2022-2026, an outlet, and with some probability company names (from the
gazetteer, inflected as they come) and designations. The corpora are read
from ../shared/corpora at run time and never copied into the repository.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
WORDS_PER_DOC = 455
SOURCES = {
    "en": [
        "Armament Weekly",
        "Front Line Industry",
        "Allied Procurement Journal",
        "Kyiv Defense Review",
    ],
    "uk": ["Оборонний вісник", "Промисловий фронт", "Київський оглядач", "Арсенал-інфо"],
}
COMPANIES = {
    "en": ["Rheinmetall", "Lockheed Martin's", "BAE Systems", "Boeing", "Saab", "Diehl Defence", "Airbus",
           "Ukroboronprom", "Northrop Grumman", "General Dynamics", "Baykar", "Thales Group", "KNDS"],
    "uk": ["з Райнметаллом", "Укроборонпрому", "компанією Boeing", "Локгід Мартіном", "Сааба", "«Мотор Січ»",
           "АТ «Українська оборонна промисловість»", "Байкару", "концерну Rheinmetall", "Diehl Defence"],
}  # fmt: skip
DESIGNATIONS = [
    "F-16",
    "Су-34",
    "HIMARS",
    "IRIS-T",
    "155-мм",
    "155 mm",
    "Leopard 2A6",
    "Patriot",
    "CV90",
    "M777",
]
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@lru_cache(maxsize=1)
def ukrainian_vocabulary() -> tuple[list[str], list[int]]:
    counts: Counter = Counter()
    with open(CORPORA / "uk-lemmas.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["pos"] not in ("date", "noninfl") and row["form"].isalpha():
                counts[row["form"].lower()] += int(row["count"])
    return _cumulative(counts.most_common())


def _cumulative(pairs) -> tuple[list[str], list[int]]:
    """Words and cumulative weights (random.choices is O(k) with them)."""
    words, weights = zip(*pairs, strict=True)
    return list(words), list(accumulate(weights))


@lru_cache(maxsize=1)
def english_vocabulary() -> tuple[list[str], list[int]]:
    counts: Counter = Counter()
    for name in ("reuters21578.jsonl", "bbc.jsonl"):
        with open(CORPORA / name, encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                text = f"{doc.get('title') or ''} {doc.get('body') or ''}"
                counts.update(w.lower() for w in _WORD.findall(text))
    return _cumulative(counts.most_common(60_000))


def articles(n: int, seed: int = 1):
    """Yield ``n`` article dicts (half English, half Ukrainian)."""
    rng = random.Random(seed)
    vocab = {"uk": ukrainian_vocabulary(), "en": english_vocabulary()}
    for i in range(n):
        lang = "uk" if i % 2 else "en"
        words, cumulative = vocab[lang]
        length = max(60, int(rng.gauss(WORDS_PER_DOC, 150)))
        body = rng.choices(words, cum_weights=cumulative, k=length)
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            body.insert(rng.randrange(len(body)), rng.choice(COMPANIES[lang]))
        for _ in range(rng.choice((0, 1, 2))):
            body.insert(rng.randrange(len(body)), rng.choice(DESIGNATIONS))
        sentences = [" ".join(body[k : k + 15]).capitalize() + "." for k in range(0, len(body), 15)]
        title = " ".join(
            rng.choices(words, cum_weights=cumulative, k=rng.randint(5, 10))
        ).capitalize()
        yield {
            "id": f"bench-{i}",
            "url": f"https://bench.example/{i}",
            "title": title,
            "body": " ".join(sentences),
            "published": f"{rng.randint(2022, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
            "lang": lang,
            "source": rng.choice(SOURCES[lang]),
        }


def write_jsonl(path: Path, n: int, seed: int = 1) -> int:
    """Write ``n`` articles to ``path``; return the bytes written."""
    with open(path, "w", encoding="utf-8") as f:
        for doc in articles(n, seed):
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path.stat().st_size
