"""Which segments a commit merges: by size tier, with a cap.

Every reindex adds a segment or two. Merging them all once there are many
(Whoosh's OPTIMIZE) rewrites the whole index inside one cron run: at a
million articles, minutes. As Lucene's TieredMergePolicy does, segments are
grouped in tiers of similar size (live documents within a factor of
MERGE_FACTOR); a tier holding MERGE_FACTOR segments merges into one of the
next tier. A document is then rewritten about log(N / FLOOR) / log(FACTOR)
times in its life, the segment count stays logarithmic, and a run merges
big segments only when a tier below them fills. A segment of MAX_MERGED_DOCS
or more is never merged again (that would rewrite most of the index in one
run), unless deletions (updated articles) took a quarter of it.
"""

from __future__ import annotations

import math

from whoosh.reading import SegmentReader

MERGE_FACTOR = 4
FLOOR = 1000  # live documents: every segment below this is one tier
MAX_MERGED_DOCS = 200_000
DELETED_SHARE = 0.25  # of a segment's documents: rewrite it to reclaim them


def tier(live_docs: int) -> int:
    if live_docs < FLOOR:
        return 0
    return 1 + int(math.log(live_docs / FLOOR, MERGE_FACTOR))


def choose(sizes: list[tuple[int, int]]) -> list[int]:
    """Which segments one commit merges, given each one's (live, total)
    document counts: in each tier that holds MERGE_FACTOR, a group of them
    (smallest first, as many as fit MAX_MERGED_DOCS), the smaller tiers
    first, up to MAX_MERGED_DOCS documents rewritten in one run; a segment
    that deletions wore down is rewritten alone."""
    tiers: dict[int, list[int]] = {}
    groups = []
    for n, (live, total) in enumerate(sizes):
        if total and total - live >= DELETED_SHARE * total:
            groups.append([n])  # mostly replaced: rewrite what is left
        elif live < MAX_MERGED_DOCS:
            tiers.setdefault(tier(live), []).append(n)
    for level in sorted(tiers):
        members = sorted(tiers[level], key=lambda n: sizes[n][0])
        while len(members) >= MERGE_FACTOR:
            group, size = [], 0
            for n in members[:MERGE_FACTOR]:  # as many as the cap allows
                if size + sizes[n][0] > MAX_MERGED_DOCS:
                    break
                group.append(n)
                size += sizes[n][0]
            if len(group) < 2:
                break
            groups.append(group)
            members = members[len(group) :]
    chosen, budget = [], MAX_MERGED_DOCS
    for group in groups:
        size = sum(sizes[n][0] for n in group)
        if size > budget:
            continue  # too big for this run
        chosen.extend(group)
        budget -= size
    return chosen


def merge_tiers(writer, segments):
    """A Whoosh ``mergetype``: merge the chosen segments, keep the rest."""
    chosen = set(choose([(s.doc_count(), s.doc_count_all()) for s in segments]))
    for n in sorted(chosen):
        reader = SegmentReader(writer.storage, writer.schema, segments[n])
        writer.add_reader(reader)
        reader.close()
    return [s for n, s in enumerate(segments) if n not in chosen]
