"""Read per-document column values across segments.

Whoosh's MultiReader.column_reader skips segments that have no column file
for a field (a segment where no document had a value) but keeps counting
document numbers as if they were there, so values land on the wrong documents
or the lookup fails. Reading each segment on its own avoids that.
"""

from __future__ import annotations

from collections.abc import Iterator


def column_items(reader, fieldname: str, translate: bool = True) -> Iterator[tuple[int, object]]:
    """Yield (docnum, value) for every live document, in docnum order.

    With ``translate=False`` values are the column's sortable form (a DATETIME
    is an int then, and a missing one does not raise).
    """
    if reader.doc_count_all() == 0:
        return  # an empty index's reader has no segments at all
    if fieldname not in reader.schema:
        return  # an index built before the field existed: no values
    for leaf, offset in reader.leaf_readers():
        column = leaf.column_reader(fieldname, translate=translate)
        if leaf.has_deletions():
            for n in leaf.all_doc_ids():
                yield offset + n, column[n]
        else:
            for n, value in enumerate(column):
                yield offset + n, value
