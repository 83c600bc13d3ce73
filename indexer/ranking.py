"""The relevance formula: BM25 with Robertson–Spärck Jones idf.

Whoosh's BM25F uses idf = log(N / (df + 1)) + 1, which keeps a word in most
articles worth two thirds of a rare one: in a long pasted question the
common words drown the telling ones. The classic idf, log((N - df + 0.5) /
(df + 0.5)) floored just above zero (as SQLite FTS5 does), lets rare words
decide. Measured in bench/time_eval.py and make eval (docs/relevance.md).
"""

from __future__ import annotations

import math

from whoosh.scoring import BM25F

# Floor for words in more than half of the articles (the raw idf is <= 0).
MIN_IDF = 1e-6


class NewsBM25(BM25F):
    def idf(self, searcher, fieldname: str, text) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        count = parent.doc_count_all()
        return max(MIN_IDF, math.log((count - df + 0.5) / (df + 0.5)))
