"""Ukrainian names in Latin letters and back.

Forward is the official national romanization (Cabinet of Ministers
resolution 55 of 27 January 2010): Залужний → zaluzhnyi, Гаврилюк →
havryliuk, Київ → kyiv. English news often writes a name another way
(Zaluzhny, Umerov, Zelensky, Zelenskyy), so ``latin_spellings`` adds the
common variants. Backward has no single answer (i may be і, ї, й or и; the
soft sign is dropped), so ``cyrillic_spellings`` walks the alternatives and
keeps only those the caller's ``exists`` says are worth going on with: the
search asks the index which prefixes its words have, so of the hundreds of
spellings a name could have only the few that occur are looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# KMU 2010: letters whose spelling differs at the start of a word.
_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_KMU = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "",
}  # fmt: skip

# English-press habits beside the official spelling: (official, also written).
_ENGLISH_VARIANTS = (
    ("yi", "y"),  # Zaluzhnyi → Zaluzhny (at the end of a word)
    ("yi", "yy"),  # Zelenskyi → Zelenskyy
    ("ie", "e"),  # Umierov → Umerov
    ("ia", "ya"),  # Maliar → Malyar
    ("iu", "yu"),  # Budanov; Kostiuk → Kostyuk
    ("ii", "iy"),  # Yurii → Yuriy, Yury, Yuri (at the end of a word)
    ("ii", "y"),
    ("ii", "i"),
    ("h", "g"),  # Russian-style: Hlib → Glib (not the h of zh, kh, ch, sh)
)
_LONE_H = re.compile(r"(?<![zkcsg])h")


def romanize(word: str) -> str:
    """The KMU 2010 romanization of a lowercase Ukrainian word."""
    out = []
    for i, ch in enumerate(word):
        if ch == "г" and i and word[i - 1] == "з":
            out.append("gh")  # зг → zgh, not zh (Згурський → Zghurskyi)
        elif i == 0 and ch in _INITIAL:
            out.append(_INITIAL[ch])
        else:
            out.append(_KMU.get(ch, ch))
    return "".join(out)


def name_key(latin: str) -> str:
    """What every Latin spelling of one name shares: its consonants, with
    the letters spellings disagree on made one (kh/h/g, w/v, c/k) and
    doubles made single. Umerov and Umierov → mrv; Zaluzhny and Zaluzhnyi →
    zlzhn; Kyiv and Kiev → kv; Havryliuk and Gavrilyuk → hvrlk."""
    s = latin.lower().replace("kh", "h").replace("ck", "k")
    s = s.translate(_KEY_LETTERS)
    return re.sub(r"(.)\1+", r"\1", s)


_KEY_LETTERS = str.maketrans({"g": "h", "w": "v", "c": "k", "q": "k", "x": "ks",
                              **dict.fromkeys("aeiouyj'", None)})  # fmt: skip


def latin_spellings(word: str, limit: int = 8) -> list[str]:
    """The official romanization of ``word`` and the usual English variants,
    official first: залужний → zaluzhnyi, zaluzhny, zaluzhnyy."""
    spellings = [romanize(word)]
    for official, other in _ENGLISH_VARIANTS:
        for spelling in list(spellings):
            if official in ("yi", "ii"):  # only as endings: -ий, -ій
                if spelling.endswith(official):
                    spellings.append(spelling[:-2] + other)
            elif official == "h":
                spellings.append(_LONE_H.sub("g", spelling))
            elif official in spelling:
                spellings.append(spelling.replace(official, other))
            if len(spellings) >= limit:
                return list(dict.fromkeys(spellings))[:limit]
    return list(dict.fromkeys(spellings))


# Latin → Cyrillic: each Latin spelling with the Cyrillic it may stand for,
# longest first. ь may follow any of the consonants that take it.
_BACK = (
    ("shch", ("щ",)), ("zgh", ("зг",)),
    ("skyi", ("ський",)), ("skyy", ("ський",)), ("sky", ("ський",)),
    ("kh", ("х",)), ("zh", ("ж",)), ("ts", ("ц", "тс")), ("ch", ("ч",)), ("sh", ("ш",)),
    ("ye", ("є", "е")), ("yi", ("ї", "ий", "йі")), ("yu", ("ю",)), ("ya", ("я",)),
    ("yy", ("ий",)), ("iy", ("ій", "ий")), ("ii", ("ії", "ій", "ий")),
    ("ia", ("я", "ія")), ("iu", ("ю", "ію")), ("ie", ("є", "іє")),
    ("a", ("а",)), ("b", ("б",)), ("v", ("в",)), ("w", ("в",)), ("h", ("г", "х")),
    ("g", ("г", "ґ")), ("d", ("д",)), ("e", ("е", "є")), ("z", ("з",)), ("y", ("и", "й", "ий")),
    ("i", ("і", "и", "ї", "й")), ("j", ("й",)), ("k", ("к",)), ("c", ("к", "ц")), ("q", ("к",)),
    ("l", ("л",)), ("m", ("м",)), ("n", ("н",)), ("o", ("о",)), ("p", ("п",)), ("r", ("р",)),
    ("s", ("с",)), ("t", ("т",)), ("u", ("у",)), ("f", ("ф",)), ("x", ("кс",)),
)  # fmt: skip
_SOFTENED = frozenset("дзлнстц")
_VOWELS = frozenset("aeiouy")
MAX_SPELLINGS = 16
# Most prefixes asked about for one word: each is an index look-up, and an
# ordinary English word (deliveries) can keep a few alive for a while.
MAX_CHECKS = 48


def cyrillic_spellings(word: str, exists: Callable[[str], bool]) -> list[str]:
    """Cyrillic words that ``word`` (lowercase Latin) may romanize, each a
    prefix ``exists`` accepts; at most MAX_SPELLINGS of them, found within
    MAX_CHECKS questions to ``exists``."""
    found: list[str] = []
    budget = [MAX_CHECKS]

    def checked(prefix: str) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            raise _OutOfChecks
        return exists(prefix)

    try:
        for spelling in _walk(word, 0, "", checked):
            if spelling in found:
                continue
            found.append(spelling)
            if len(found) >= MAX_SPELLINGS:
                break
    except _OutOfChecks:
        pass
    return found


class _OutOfChecks(Exception):
    pass


def _walk(word: str, i: int, built: str, exists) -> Iterator[str]:
    if i == len(word):
        yield built
        for soft in ("ь",) if built and built[-1] in _SOFTENED else ():
            if exists(built + soft):
                yield built + soft
        return
    for latin, cyrillic in _BACK:
        if not word.startswith(latin, i):
            continue
        for letters in cyrillic:
            if i == 0 and letters in ("ий", "ій"):
                continue
            nxt = built + letters
            if exists(nxt):
                yield from _walk(word, i + len(latin), nxt, exists)
            soft = nxt[-1] in _SOFTENED and word[i + len(latin) : i + len(latin) + 1] not in _VOWELS
            if soft and exists(nxt + "ь"):
                yield from _walk(word, i + len(latin), nxt + "ь", exists)
