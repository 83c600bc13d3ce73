"""Errors the engine raises with a message meant for the user."""


class DefnewsError(Exception):
    """Base of every error the CLI and web turn into a clean message."""


class QueryError(DefnewsError):
    """The query text or a search parameter cannot be used."""


class IndexMissingError(DefnewsError):
    """No index exists at the given location."""


class IndexOutdatedError(IndexMissingError):
    """The index was built by an older analysis: it must be rebuilt before
    it can be searched (its fields are not the ones searching reads)."""


class RunFailedError(DefnewsError):
    """An indexing run could not finish (a worker died); nothing it wrote
    was published."""
