"""Character-level normalisation of single tokens (never of whole texts).

The tokenizer keeps character offsets true to the stored text, so everything
here works on one token's text after it has been cut out.
"""

from __future__ import annotations

import unicodedata

# Every apostrophe variant seen in Ukrainian and English text maps to the ASCII
# one: pymorphy3's Ukrainian dictionary spells п'ять with U+0027.
APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4\u02b9\u2032"
APOSTROPHE = "'"

# Dash variants that join the parts of a hyphenated word or designation.
HYPHENS = "-\u2010\u2011\u2012\u2013\u2212"
HYPHEN = "-"

# Stress marks and invisible characters that may sit inside a word.
STRESS_MARKS = "\u0301\u0300"
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

_DROP = {ord(c): None for c in STRESS_MARKS + INVISIBLE}
_UNIFY = {ord(c): APOSTROPHE for c in APOSTROPHES}
_UNIFY.update({ord(c): HYPHEN for c in HYPHENS})
_UNIFY.update(_DROP)

# Latin letters that look like Cyrillic ones, and the reverse. Applied only to
# words whose other letters are all of the other script. A letter whose
# lowercase is listed must be listed in uppercase too (ï and Ï), or a word
# would be repaired only after lowercasing, and normalising twice would differ.
_LATIN = "aceiopxyïABCEHIKMOPTXYÏ"
_CYRILLIC = "асеіорхуїАВСЕНІКМОРТХУЇ"
_LATIN_TO_CYRILLIC = str.maketrans(_LATIN, _CYRILLIC)
_CYRILLIC_TO_LATIN = str.maketrans(_CYRILLIC, _LATIN)
_LATIN_LOOKALIKES = frozenset(_LATIN)
_CYRILLIC_LOOKALIKES = frozenset(_CYRILLIC)

# Cyrillic → Latin for designation keys (Су-34 meets Su-34, Х-101 meets
# Kh-101, Мі-8 meets Mi-8): the spellings used in English defense reporting.
_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e",
        "є": "ye", "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y",
        "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
        "ш": "sh", "щ": "shch", "ь": "", "ю": "yu", "я": "ya", "ы": "y",
        "э": "e", "ё": "yo", "ъ": "", "'": "",
    }
)  # fmt: skip


def is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def clean(text: str) -> str:
    """Unify apostrophes and dashes, drop stress marks and invisible characters.

    >>> clean("на\u0301голос п\u2019ять f\u201116")
    "наголос п'ять f-16"
    """
    if text.isascii():
        return text.replace("`", APOSTROPHE) if "`" in text else text
    if not unicodedata.is_normalized("NFC", text) or any(c in text for c in STRESS_MARKS):
        # NFD first so a stress mark that NFC would fold into a Latin letter
        # (e + U+0301 → é) is still found; й and ї come back whole from NFC.
        text = unicodedata.normalize("NFD", text).translate(_DROP)
        text = unicodedata.normalize("NFC", text)
    return text.translate(_UNIFY)


def repair_script(word: str) -> str:
    """Replace look-alike letters of the minority script inside a word.

    ``Укрoборонпром`` with a Latin "o" becomes all-Cyrillic; ``Bоeing`` with a
    Cyrillic "о" becomes all-Latin. Words mixing letters that have no
    look-alike (a real mixed token) are left as they are.
    """
    cyrillic = latin = 0
    for ch in word:
        if ch.isalpha():
            if is_cyrillic(ch):
                cyrillic += 1
            else:
                latin += 1
    if not (cyrillic and latin):
        return word
    if cyrillic >= latin:
        stray = {c for c in word if c.isalpha() and not is_cyrillic(c)}
        if stray <= _LATIN_LOOKALIKES:
            return word.translate(_LATIN_TO_CYRILLIC)
    else:
        stray = {c for c in word if is_cyrillic(c)}
        if stray <= _CYRILLIC_LOOKALIKES:
            return word.translate(_CYRILLIC_TO_LATIN)
    return word


def transliterate(text: str) -> str:
    """Spell lowercase Cyrillic letters in Latin (for designation keys)."""
    return text.translate(_TRANSLIT)


def normalize_word(raw: str) -> str:
    """Return the search form of one token's text: cleaned, repaired, lowercase.

    >>> normalize_word("П’’ять")
    "п'ять"
    """
    word = clean(raw)
    if APOSTROPHE * 2 in word:  # a doubled apostrophe (п''ять): a typing slip
        word = word.replace(APOSTROPHE * 2, APOSTROPHE)
    return repair_script(word).lower()
