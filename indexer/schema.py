"""The Whoosh schema of an article index."""

from __future__ import annotations

from whoosh import fields, formats

from .analysis import news_analyzer, surface_analyzer, term_positions
from .codec import NewsPositions
from .entities.kinds import KINDS

# Title matches weigh this many times a body match (BM25F field boost).
TITLE_BOOST = 2.0

# Fields a plain query word searches, and those a user may name ("title:f-16").
TEXT_FIELDS = ("title", "body")
# The field "did you mean" and prefix expansion read: unstemmed words.
SPELLING_FIELD = "words"
# The stopwords a document holds, each once: what a query made only of
# stopwords ("the who", "якщо") searches.
STOPWORDS_FIELD = "stops"
# Romanized keys of the capitalised Ukrainian words a document holds
# (romanize.name_key): lets a Latin-script name find its Cyrillic spelling
# with one look-up before any walk over spellings.
NAMES_FIELD = "names"


class NewsText(fields.TEXT):
    """A TEXT field that indexes through :func:`term_positions` (the analyzer's
    exact output, computed in one pass with cached per-word terms) instead of
    the analyzer's token pipeline; queries still use the analyzer. The value
    may also be the term → positions map itself, already computed (the text
    then comes as ``_stored_<field>``). Positions are kept as arrays
    (:class:`codec.NewsPositions`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.format = NewsPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        if isinstance(value, dict):
            positions = value
        elif isinstance(value, str):
            positions = term_positions(value)
        else:
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        encode = self.format.encode
        return [
            (term.encode("utf-8"), len(found), len(found) * boost, encode(found))
            for term, found in positions.items()
        ]


class ColumnID(fields.ID):
    """An ID kept as a column (and stored, if asked) but not indexed: for
    values only ever read per document. As terms, a SimHash or content hash
    was one more unique term per article, written and hashed at every flush
    (a sixth of a flush's terms) and never searched."""

    indexed = False


def news_schema() -> fields.Schema:
    """Return the schema: analysed text, facet columns and bookkeeping fields."""
    ana = news_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        url=fields.STORED(),
        title=NewsText(analyzer=ana, stored=True, field_boost=TITLE_BOOST),
        body=NewsText(analyzer=ana, stored=True),
        # Each surface word once per document: no frequencies or lengths,
        # which would cost a third of indexing time for nothing. Given as
        # the list of words (analysis.surface_words), so no analyzer runs.
        words=fields.FieldType(formats.Existence(), analyzer=surface_analyzer(), scorable=False),
        stops=fields.FieldType(formats.Existence(), analyzer=surface_analyzer(), scorable=False),
        names=fields.FieldType(formats.Existence(), analyzer=surface_analyzer(), scorable=False),
        published=fields.DATETIME(stored=True, sortable=True),
        # "1" for articles without a date, so date sorts can put them last
        # (a missing DATETIME column value sorts as the largest).
        undated=fields.ID(sortable=True),
        # 64-bit SimHash of the article's words, hex: near copies of a story
        # are folded under one result (duplicates.py).
        simhash=ColumnID(sortable=True),
        # "2024-06": facets and histograms count months from this column.
        month=fields.ID(sortable=True),
        lang=fields.ID(stored=True, sortable=True),
        source=fields.ID(stored=True, sortable=True),
        # each entity kind's ids (companies, systems: a variant with its
        # family), and the classes of the systems
        **{kind.field: fields.KEYWORD(stored=True, commas=True, sortable=True) for kind in KINDS},
        classes=fields.KEYWORD(stored=True, commas=True, sortable=True),
        # sha256 of the article's content: re-indexing unchanged input is a no-op.
        content_hash=ColumnID(stored=True, sortable=True),
        # The file the article came from, so a vanished file's articles can go.
        origin=fields.ID(stored=True, sortable=True),
    )
