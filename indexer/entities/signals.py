"""What the text around a name says about it: a count before it, quotes,
a capitalised neighbour that makes it part of a longer name, a plural, the
start of a sentence, all-capital text. Each is a small test on characters,
used by :mod:`.gazetteer`'s rules.
"""

from __future__ import annotations

import bisect
import re

from ..analysis import STOPWORDS

# A count right before a name: "96 Apaches", "roughly 190 Strykers",
# "десятки «Шахедів»"; not a year ("in 2030 Apache"), a date ("July 31
# Caesars"), a share count ("31,781,461 Caesars") or a heading ("12. Міраж").
_COUNTED = re.compile(
    r"(?:(?<![\d.,])(?!(?:19|20)\d\d\b)\d{1,4}|\b(?:dozens|hundreds|scores|a handful) of|"
    r"\b(?:десятки|десятків|сотні|сотень))\s+[«\"“„']?$",
    re.I,
)
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня".split()
)


def counted(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start]
    m = _COUNTED.search(before)
    if not m:
        return False
    words = before[: m.start()].split()
    return not (words and words[-1].strip(",.").casefold() in _MONTHS)


OPENING_QUOTES = "«\"“„'"
_CLOSING = tuple("»\"”“'")


def quoted(text: str, start: int, end: int) -> bool:
    """Whether the name at ``text[start:end]`` stands in quotes («Гепард»)."""
    return start > 0 and text[start - 1] in OPENING_QUOTES and text[end : end + 1] in _CLOSING


# A capitalised word before or after a name that makes it part of a longer
# one: "Omar Bradley", "Golden State Warriors", "Spike Lee", "Gen. Abrams".
# Nationalities, possessives and the article's own designations stay outside:
# "Polish Leopards", "Ukraine's Bradleys", "HIMARS and Patriot".
_CAPITALISED = re.compile(r"[A-ZА-ЯІЇЄҐ][\w'’.-]*")
_DEMONYM = re.compile(
    r"(?:\w+(?:ian|ean|ish|ese|ic|i|an)|French|Dutch|Czech|Greek|Thai|Swiss|Western|Soviet|"
    r"Allied|Nato|NATO|U\.?S\.?|UK|EU|\w+['’]s)",
)
_QUOTES_AND_BRACKETS = "«»\"'„“”‘’()[],.;:!?"
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve dozens hundreds".split()
)
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")


def position_at(by_start: list[tuple[int, int]], offset: int) -> int:
    """The token position of the word starting at character ``offset``."""
    i = bisect.bisect_left(by_start, (offset, -1))
    return by_start[min(i, len(by_start) - 1)][1]


def sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 4) : start].rstrip(" \u00a0" + OPENING_QUOTES)
    return not before or before[-1] in ".!?\n" or before.endswith(("—", "–", "•"))


def in_longer_name(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    after = text[end : end + 40]
    prev = before.rstrip().rsplit(None, 1)[-1] if before.strip() else ""
    if before[-1:] in (" ", "\u00a0") and prev and not _SENTENCE_END.search(before[:-1] or "."):
        if _is_name_word(prev):
            return True
    nxt = after.split(None, 1)[0] if after[:1] in (" ", "\u00a0") and after.strip() else ""
    return bool(nxt) and _is_name_word(nxt)


def _is_name_word(word: str) -> bool:
    """A capitalised word that is not a nationality, an acronym, a number or
    a function word ("The Bradleys")."""
    word = word.strip(_QUOTES_AND_BRACKETS)
    if not _CAPITALISED.fullmatch(word) or word.isupper() or any(c.isdigit() for c in word):
        return False
    if word.casefold() in STOPWORDS or word.casefold() in _NUMBER_WORDS:
        return False
    return not _DEMONYM.fullmatch(word.rstrip(".,"))


_PLURAL_ENDINGS = ("s", "и", "і", "ів", "їв", "ами", "ями", "ах", "ях", "ам", "ям")


def plural(surface: str, alias: str) -> bool:
    """Whether ``surface`` is a plural of ``alias`` ("Caesars", "Bradleys";
    not a possessive): things come in numbers, people mostly do not."""
    if surface.casefold() == alias.casefold() or surface.endswith(("'s", "’s")):
        return False
    return surface.casefold().endswith(_PLURAL_ENDINGS)


def case_unknown(text: str, start: int, surface: str) -> bool:
    """An all-capitals word in all-capitals text (a wire headline, an old
    magazine): "HAMMER", "WARRIORS" may be the word or the name."""
    if not surface.isupper():
        return False
    around = text[max(0, start - 80) : start + len(surface) + 80]
    return not any(c.islower() for c in around)


def acronym_stemmed(alias: str, surface: str) -> bool:
    """A Latin acronym alias matched through a stem of a longer word."""
    if not (alias.isascii() and alias.isalpha() and alias.isupper() and len(alias) > 1):
        return False
    rest = surface.casefold()[len(alias) :]
    return surface.casefold()[: len(alias)] == alias.casefold() and rest not in (
        "",
        "s",
        "'s",
        "’s",
    )
