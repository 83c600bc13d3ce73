"""defnews: full-text search over defense-industry news in English and Ukrainian."""

from .index import open_index, update_index
from .search import SearchRequest, search

__version__ = "0.1.0"
__all__ = ["SearchRequest", "open_index", "search", "update_index"]
