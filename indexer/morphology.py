"""Word → index terms: Ukrainian lemmas (pymorphy3) and English stems (Snowball).

Both are pure functions of the normalised word and news vocabulary is Zipfian,
so each is behind a bounded cache: uncached pymorphy3 manages ~20–40k words/s,
a cache hit costs well under a microsecond.
"""

from __future__ import annotations

import threading
from functools import lru_cache

# Distinct words remembered per process (a 100k-article corpus has ~300k).
CACHE_SIZE = 1 << 19

# pymorphy3's parses tie on some domain words where news means one reading:
# "танків" is tanks (танк), never dances (танок); "року" is a year, not fate.
# The frequent adverbs and predicatives below get a lemma of another word
# from the dictionary (уже → уж "grass snake", варто → варта "guard");
# BRUK's hand-checked lemmas (bench/lemma_accuracy.py) list them.
LEMMA_OVERRIDES: dict[str, tuple[str, ...]] = {
    **{form: ("танк",) for form in ("танки", "танків", "танкам", "танками", "танках", "танку")},
    "року": ("рік",),
    **{word: (word,) for word in ("можна", "уже", "варто", "мовляв", "дедалі")},
}

_morph = None
_morph_lock = threading.Lock()


def morph_analyzer():
    """Return the process-wide pymorphy3 analyzer for Ukrainian (loaded once)."""
    global _morph
    if _morph is None:
        with _morph_lock:
            if _morph is None:
                import pymorphy3

                _morph = pymorphy3.MorphAnalyzer(lang="uk")
    return _morph


def ukrainian_lemmas(word: str) -> tuple[str, ...]:
    """Return the distinct lemmas of a lowercase Cyrillic word.

    A dictionary word gives the lemma of every dictionary parse (ties are
    kept: the query side emits the same set, so either reading matches). An
    unknown word gives itself and the predictor's best guess. ґ is folded to
    г afterwards, because the dictionary holds both spellings as lemmas.
    """
    return _analyse(word)[0]


def is_known_word(word: str) -> bool:
    """Whether pymorphy3's Ukrainian dictionary holds this lowercase word."""
    return _analyse(word)[1]


@lru_cache(maxsize=CACHE_SIZE)
def _analyse(word: str) -> tuple[tuple[str, ...], bool]:
    """(lemmas, known) from one dictionary look-up (word_is_known would be a
    second one: a word is known exactly when it has a dictionary parse)."""
    dictionary = dictionary_lemmas(word)
    known = bool(dictionary)
    override = LEMMA_OVERRIDES.get(word)
    if override is not None:
        return override, known
    if known:
        candidates = dictionary
    else:
        parses = morph_analyzer().parse(word)
        candidates = [word, parses[0].normal_form] if parses else [word]
        candidates += combining_form_adjective(word) + name_stems(word)
    lemmas: list[str] = []
    for lemma in candidates:
        lemma = lemma.replace("ґ", "г")
        if lemma not in lemmas:
            lemmas.append(lemma)
    return tuple(lemmas), known


# Case endings of the noun and surname paradigms (and the adjective ones of
# -ський surnames and -ське places), longest first: Умєров, Умєрова,
# Умєрову, Умєровим, Умєрові; Зеленського, Зеленському; Шевченкові.
_CASE_ENDINGS = sorted(
    "ого ому ові еві єві ими ою ею єю ій ий им ім ої ем єм ом а у і ю я о е и ь ї є".split(),
    key=len,
    reverse=True,
)
_SHORTEST_STEM = 3
# Marks a stem among a word's terms: never a lemma, and not the entity
# matcher's "=" of a surface key.
STEM_MARK = "~"
# Before -і (dative and locative of -а nouns) к, г, х become ц, з, с:
# Авдіївка → в Авдіївці.
_SOFTENED = {"ц": "к", "з": "г", "с": "х"}
_VOWELS = set("аеєиіїоуюяь'")


def name_stems(word: str) -> list[str]:
    """Stems that every case form of a name outside the dictionary shares.

    pymorphy3's guess for such a word is its best-scoring paradigm, and the
    forms of one name get different ones (умєрову → умєрів, умєров →
    умєров). A stem with the case ending cut is the same for every form.

    >>> name_stems("умєровим"), name_stems("авдіївці"), name_stems("ірпеня")
    (['~умєров', '~умєрів'], ['~авдіївц', '~авдіївк'], ['~ірпен', '~ірпін'])
    """
    if len(word) <= _SHORTEST_STEM:
        return []
    stem = word
    ending = ""
    for candidate in _CASE_ENDINGS:
        if word.endswith(candidate) and len(word) - len(candidate) >= _SHORTEST_STEM:
            stem, ending = word[: -len(candidate)], candidate
            break
    stems = [stem]
    if ending in ("ові", "еві", "єві"):
        stems.append(word[:-1])  # Умєров + і, not Умєр + ові (Шевченк + ові)
    if ending == "і" and stem[-1] in _SOFTENED:
        stems.append(stem[:-1] + _SOFTENED[stem[-1]])
    if ending not in ("", "ь") and len(stem) > _SHORTEST_STEM and stem[-2] in "ое":
        # і before the last consonant becomes о or е when an ending opens the
        # syllable: Очаків → Очакова, Ірпінь → Ірпеня
        stems.append(stem[:-2] + "і" + stem[-1])
    # only a consonant stem has a paradigm here to undo (радіо, гуруль+ові)
    return [STEM_MARK + s for s in stems if s[-1] not in _VOWELS]


def combining_form_adjective(word: str) -> list[str]:
    """The adjective whose combining form an unknown -о word is: the first
    part of білорусько-українському is білоруський (the dictionary lists
    compounds whole, not their first parts).

    >>> combining_form_adjective("білорусько")
    ['білоруський']
    """
    if len(word) < 5 or word[-1] != "о":
        return []
    return dictionary_lemmas(word[:-1] + "ий")[:1]


def dictionary_lemmas(word: str) -> list[str]:
    """The lemma of each of a word's dictionary parses, as ``parse`` lists
    them, read straight from the dictionary: ``parse`` also builds tags and
    runs the name and prefix analyzers, 3x slower for a known word."""
    morph = morph_analyzer()
    dictionary = morph.dictionary
    return [
        dictionary.build_normal_form(para_id, idx, fixed_word)
        for fixed_word, parses in dictionary.words.similar_items(word, morph.char_substitutes)
        for para_id, idx in parses
    ]


_stemmer = None
# PyStemmer's stemmer objects are not safe to share between threads.
_stemmer_lock = threading.Lock()


@lru_cache(maxsize=CACHE_SIZE)
def english_stem(word: str) -> str:
    """Return the Snowball English stem of a lowercase Latin word."""
    global _stemmer
    with _stemmer_lock:
        if _stemmer is None:
            import snowballstemmer  # uses PyStemmer's C code when installed

            _stemmer = snowballstemmer.stemmer("english")
        return _stemmer.stemWord(word)
