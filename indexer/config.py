"""The reindex job's configuration: defnews.toml."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from urllib.parse import urlparse

from .errors import DefnewsError
from .ingest.stamps import zone_info

CONFIG_ENV = "DEFNEWS_CONFIG"
DEFAULT_NAME = "defnews.toml"


class ConfigError(DefnewsError):
    """The configuration file is missing or wrong."""


@dataclass(frozen=True)
class Source:
    """A file, directory or glob of files; or a feed URL."""

    path: str | None = None  # absolute, or a glob
    url: str | None = None
    fetch_pages: bool = False  # fetch each new item's page when the feed has a summary only
    # IANA zone of the times the source writes without one (default: Kyiv
    # for Ukrainian articles, UTC for the others; ingest/stamps.py)
    timezone: str | None = None

    @property
    def name(self) -> str:
        return self.url or self.path or "?"


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 15.0  # seconds per request
    retries: int = 2  # after the first try, on network errors and 5xx
    host_delay: float = 1.0  # seconds between two requests to one host
    max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class Config:
    path: str
    index_path: str | None
    sources: list[Source] = field(default_factory=list)
    fetch: FetchSettings = FetchSettings()


def config_path(option: str | None) -> str:
    """--config, else $DEFNEWS_CONFIG, else ./defnews.toml."""
    return option or os.environ.get(CONFIG_ENV) or DEFAULT_NAME


def load_config(path: str) -> Config:
    """Read and check ``path``; relative paths in it are relative to its folder."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such configuration file (see defnews.toml in the repository)"
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    base = os.path.dirname(os.path.abspath(path))
    index = data.get("index", {})
    if not isinstance(index, dict):
        raise ConfigError(f"{path}: [index] must be a table")
    index_path = index.get("path")
    if index_path is not None and not isinstance(index_path, str):
        raise ConfigError(f"{path}: [index] path must be a string")
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{path}: no [[source]] entries; add one with path = ... or url = ...")
    sources = [_source(entry, n, path, base) for n, entry in enumerate(raw_sources, start=1)]
    fetch = _fetch_settings(data.get("fetch", {}), path)
    return Config(
        path=os.path.abspath(path),
        index_path=os.path.join(base, index_path) if index_path else None,
        sources=sources,
        fetch=fetch,
    )


def _source(entry, number: int, path: str, base: str) -> Source:
    where = f"{path}: source #{number}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = set(entry) - {"path", "url", "fetch_pages", "timezone"}
    if unknown:
        raise ConfigError(
            f"{where}: unknown keys {sorted(unknown)}; known: path, url, fetch_pages, timezone"
        )
    has_path, has_url = "path" in entry, "url" in entry
    if has_path == has_url:
        raise ConfigError(f"{where}: give exactly one of path = ... or url = ...")
    fetch_pages = entry.get("fetch_pages", False)
    if not isinstance(fetch_pages, bool):
        raise ConfigError(f"{where}: fetch_pages must be true or false")
    zone = entry.get("timezone")
    if zone is not None:
        if not isinstance(zone, str):
            raise ConfigError(f"{where}: timezone must be a string like 'Europe/Kyiv'")
        try:
            zone_info(zone)
        except ValueError as e:
            raise ConfigError(f"{where}: timezone: {e}") from None
    if has_url:
        url = entry["url"]
        if (
            not isinstance(url, str)
            or urlparse(url).scheme not in ("http", "https")
            or not urlparse(url).netloc
        ):
            raise ConfigError(f"{where}: url must be an http(s) URL, not {url!r}")
        return Source(url=url, fetch_pages=fetch_pages, timezone=zone)
    value = entry["path"]
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: path must be a non-empty string")
    return Source(
        path=os.path.normpath(os.path.join(base, os.path.expanduser(value))),
        fetch_pages=fetch_pages,
        timezone=zone,
    )


def _fetch_settings(raw, path: str) -> FetchSettings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [fetch] must be a table")
    defaults = FetchSettings()
    values = {}
    for key in ("timeout", "retries", "host_delay", "max_bytes"):
        if key in raw:
            value = raw[key]
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{path}: [fetch] {key} must be a number >= 0")
            values[key] = type(getattr(defaults, key))(value)
    return FetchSettings(**values)
