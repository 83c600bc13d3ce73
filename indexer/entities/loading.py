"""Reading a gazetteer file, and the per-process default of each kind."""

from __future__ import annotations

import hashlib
import os
import tomllib
from functools import lru_cache
from pathlib import Path

from ..errors import DefnewsError
from .gazetteer import Entity, Gazetteer
from .kinds import COMPANIES, Kind

_REQUIRED = ("id", "name_en", "name_uk")


def load(kind: Kind = COMPANIES, path: str | os.PathLike | None = None) -> Gazetteer:
    """Read a gazetteer TOML file (default: the kind's $ENV or its data/ file)."""
    path = Path(path or os.environ.get(kind.path_env) or kind.default_path)
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise DefnewsError(f"cannot read the {kind.name} gazetteer {path}: {e}") from None
    entities = [
        _entity(kind, path, n, entry) for n, entry in enumerate(data.get(kind.table, []), 1)
    ]
    cues = data.get("cues", {})
    return Gazetteer(
        kind,
        entities,
        adjacent_cues=cues.get(kind.adjacent_cues, []),
        strong_cues=cues.get(kind.strong_cues, []) if kind.strong_cues else [],
        topic_cues=cues.get(kind.topic_cues, []) if kind.topic_cues else [],
        blockers=data.get("blockers", {}).get("phrases", []),
        classes=data.get("classes", {}),
        digest=hashlib.sha256(raw).hexdigest()[:16],
    )


def _entity(kind: Kind, path: Path, n: int, entry: dict) -> Entity:
    missing = [f for f in _REQUIRED if not entry.get(f)]
    if missing:
        raise DefnewsError(f"{path}: [[{kind.table}]] number {n} has no {', '.join(missing)}")
    aliases = tuple(dict.fromkeys([entry["name_en"], entry["name_uk"], *entry.get("aliases", [])]))
    return Entity(
        id=entry["id"],
        name_en=entry["name_en"],
        name_uk=entry["name_uk"],
        aliases=aliases,
        ambiguous=frozenset(entry.get("ambiguous", [])),
        context=tuple(entry.get("context", [])),
        category=entry.get("class", ""),
        family=entry.get("family", ""),
        makers=tuple(entry.get("makers", [])),
        any_case=_flag(path, entry, "any_case"),
    )


def _flag(path: Path, entry: dict, name: str) -> bool:
    value = entry.get(name, False)
    if not isinstance(value, bool):
        raise DefnewsError(f"{path}: {entry['id']}: {name} must be true or false")
    return value


@lru_cache(maxsize=8)
def _load_cached(kind: Kind, path: str, mtime: float) -> Gazetteer:
    return load(kind, path)


def default_gazetteer(kind: Kind = COMPANIES) -> Gazetteer:
    """The kind's gazetteer at its $ENV path or in data/, loaded once per
    process (and again when the file changes)."""
    path = os.environ.get(kind.path_env) or str(kind.default_path)
    try:
        mtime = os.path.getmtime(path)
    except OSError as e:
        raise DefnewsError(f"cannot read the {kind.name} gazetteer {path}: {e}") from None
    return _load_cached(kind, path, mtime)
