"""The company gazetteer: the entity mechanism (indexer/entities/) for the
kind of data/companies.toml, under the names the rest of the code knows."""

from __future__ import annotations

import os

from .entities import BLOCKER, COMPANIES, Entity, Mention, ending_key, joined_text, load, slugify
from .entities import Gazetteer as _Gazetteer
from .entities import default_gazetteer as _default

DEFAULT_PATH = COMPANIES.default_path
PATH_ENV = COMPANIES.path_env
Company = Entity

__all__ = [
    "BLOCKER", "DEFAULT_PATH", "PATH_ENV", "Company", "Gazetteer", "Mention",
    "default_gazetteer", "ending_key", "joined_text", "slugify",
]  # fmt: skip


class Gazetteer(_Gazetteer):
    """Companies by id, with a matcher over analysed token positions."""

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> _Gazetteer:
        return load(COMPANIES, path)


def default_gazetteer() -> _Gazetteer:
    """The gazetteer at $DEFNEWS_COMPANIES or data/companies.toml, loaded once
    per process (and again when the file changes)."""
    return _default(COMPANIES)
