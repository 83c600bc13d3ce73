"""The article record every reader produces and the indexer consumes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote_plus, urlsplit, urlunsplit

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


# Query parameters that say how a reader came to a page, not which page it
# is: one story linked from two feeds or a newsletter is one article.
_TRACKING_PREFIXES = ("utm_", "mc_", "_hs", "at_", "pk_", "mtm_")
_TRACKING = {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
             "twclid", "ttclid", "mkt_tok", "oly_anon_id", "oly_enc_id", "rb_clickid"}  # fmt: skip


def clean_url(url: str) -> str:
    """``url`` without tracking parameters or a fragment (``#comments``).

    >>> clean_url("https://x.ua/a?id=7&utm_source=tg&fbclid=Ab#respond")
    'https://x.ua/a?id=7'
    """
    url = url.strip()
    if "?" not in url and "#" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # not a URL we can take apart: kept as given
    # the other parameters are kept as written (re-encoding would change ids)
    query = "&".join(p for p in parts.query.split("&") if p and not _tracking(p))
    # a fragment route (#!/story/7) names the page; any other fragment does not
    fragment = parts.fragment if parts.fragment.startswith(("!", "/")) else ""
    return urlunsplit(parts._replace(query=query, fragment=fragment))


def _tracking(parameter: str) -> bool:
    key = unquote_plus(parameter.partition("=")[0]).lower()
    return key in _TRACKING or key.startswith(_TRACKING_PREFIXES)


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
        self.url = clean_url(self.url)
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
        return "url-" + hashlib.sha1(clean_url(url).encode("utf-8")).hexdigest()[:16]
    text = f"{title}\x1e{body}".encode()
    return "sha-" + hashlib.sha1(text).hexdigest()[:16]


# Fewer letters than this cannot overrule a declared language.
MIN_LETTERS_TO_TELL = 40


def detect_language(text: str) -> str:
    """Guess en or uk from the share of Cyrillic letters."""
    cyrillic, latin = _letters(text)
    return "uk" if cyrillic > latin else "en"


def choose_language(declared: str, text: str) -> str:
    """The text's language; the declared one (a feed's <language>, often a
    CMS default like WordPress's en-US) only when the text is too short to
    tell, since a declared language that disagrees with the text is wrong."""
    cyrillic, latin = _letters(text)
    if cyrillic + latin < MIN_LETTERS_TO_TELL and declared in LANGUAGES:
        return declared
    return "uk" if cyrillic > latin else "en"


def _letters(text: str) -> tuple[int, int]:
    cyrillic = latin = 0
    for ch in text[:2000]:
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    return cyrillic, latin
