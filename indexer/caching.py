"""Small per-process caches of per-generation data, safe under web threads."""

from __future__ import annotations


def remember(cache: dict, key, value, entries: int):
    """Store ``value`` under ``key``, first dropping the oldest entries so at
    most ``entries`` remain. Threads may race here: one dropping an entry
    another just dropped, or the dict changing under the iterator, is fine."""
    while len(cache) >= entries:
        try:
            cache.pop(next(iter(cache)), None)
        except (StopIteration, RuntimeError):
            break
    cache[key] = value
    return value
