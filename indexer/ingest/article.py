"""The article record every reader produces and the indexer consumes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

LANGUAGES = ("en", "uk")

# Lone UTF-16 surrogates: JSON escapes ("\ud800"), character references and
# undecodable command-line bytes produce them, and UTF-8 cannot encode them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    r"""``text`` with each lone surrogate replaced by U+FFFD, so it encodes.

    >>> valid_unicode("a\ud800b") == "a\N{REPLACEMENT CHARACTER}b"
    True
    """
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def has_surrogates(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


@dataclass
class Article:
    """One news article, as read from a source and before analysis."""

    id: str
    title: str
    body: str
    url: str = ""
    published: datetime | None = None  # naive UTC
    lang: str = "en"
    source: str = ""
    companies: list[str] = field(default_factory=list)
    origin: str = ""  # the file or URL it was read from

    def __post_init__(self):
        # Every reader's text must encode as UTF-8 (the index and the hash need it).
        for name in ("id", "title", "body", "url", "lang", "source", "origin"):
            setattr(self, name, valid_unicode(getattr(self, name)))
        self.companies = [valid_unicode(c) for c in self.companies]

    def content_hash(self) -> str:
        """Hash of everything that is indexed: a changed article re-indexes."""
        parts = (
            self.id,
            self.url,
            self.title,
            self.body,
            self.published.isoformat() if self.published else "",
            self.lang,
            self.source,
            "\x1f".join(self.companies),
        )
        return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input record, reported as ``FILE:LINE: reason``."""

    path: str
    line: int
    reason: str
    rejected: bool  # False: the record was indexed anyway (e.g. without a date)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def derive_id(url: str, title: str, body: str) -> str:
    """Make a stable id from the URL, else from the content."""
    if url:
        return "url-" + hashlib.sha1(url.strip().encode("utf-8")).hexdigest()[:16]
    text = f"{title}\x1e{body}".encode()
    return "sha-" + hashlib.sha1(text).hexdigest()[:16]


def detect_language(text: str) -> str:
    """Guess en or uk from the share of Cyrillic letters."""
    cyrillic = latin = 0
    for ch in text[:2000]:
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    return "uk" if cyrillic > latin else "en"
