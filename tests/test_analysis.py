"""Table-driven tests of the bilingual analyzer, in index and query mode."""

from __future__ import annotations

import json
import pickle

import pytest
from conftest import CORPUS_DIR

from indexer.analysis import news_analyzer, surface_analyzer

ANALYZER = news_analyzer()
MODES = ("index", "query")


def terms(text, mode="index"):
    return [t.text for t in ANALYZER(text, mode=mode)]


def positions(text, mode="index"):
    return [(t.text, t.pos) for t in ANALYZER(text, positions=True, mode=mode)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # apostrophes of every kind keep the word whole and become one form
        ("п'ять", ["п'ять"]),
        ("п\u2019ять", ["п'ять"]),
        ("п\u02bcять", ["п'ять"]),
        ("п\u2018ять", ["п'ять"]),
        ("п`ять", ["п'ять"]),
        ("п\u00b4ять", ["п'ять"]),
        # stress marks, soft hyphens and zero-width characters vanish
        ("на\u0301голос", ["наголос"]),
        ("на\u0300голос", ["наголос"]),
        ("висо\u00adко\u00adтехнологічних", ["високотехнологічний"]),
        ("ра\u200bкета", ["ракета"]),
        # NFC: decomposed й and ї come back whole, never stripped
        ("баи\u0306рактар", ["байрактар"]),
        ("і\u0308жак", ["їжак"]),
        # look-alike Latin letters inside a Cyrillic word, and the reverse
        ("Укрoборонпром", ["укроборонпром"]),
        ("УКРОБОРОНПРOМ", ["укроборонпром"]),
        ("Bоeing", ["boe"]),
        # lowercase
        ("РАКЕТАМИ", ["ракета"]),
        # ґ and г meet after lemmatising
        ("ґрунту", ["грунт"]),
        ("грунту", ["грунт"]),
    ],
)
def test_normalisation(text, expected, mode):
    assert terms(text, mode) == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Cyrillic → every dictionary lemma, stacked at one position
        ("ракетами", [("ракета", 0)]),
        ("стали", [("стати", 0), ("станути", 0)]),
        # domain override: tanks, not dances
        ("танків", [("танк", 0)]),
        # an unknown word gives itself, the predictor's lemma and its stem
        # without the case ending (tests/test_names.py)
        ("райнметаллом", [("райнметаллом", 0), ("райнметалл", 0), ("~райнметалл", 0)]),
        # Latin → English stem
        ("deliveries", [("deliveri", 0)]),
        ("delivery", [("deliveri", 0)]),
        ("Martin's", [("martin", 0)]),
        # mixed text is routed per token
        ("Bayraktar TB2 для ЗСУ", [("bayraktar", 0), ("tb2", 1), ("зсу", 3)]),
    ],
)
def test_routing_by_script(text, expected, mode):
    assert positions(text, mode) == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the missiles and the shells", ["missil", "shell"]),
        ("ракети та снаряди для армії", ["ракета", "снаряд", "армія"]),
        # inflected stopwords stop too
        ("якими цього їхніх", ["їхній"]),
        ("US Army", ["us", "armi"]),  # "US" is not the pronoun
    ],
)
def test_stopwords_both_languages(text, expected, mode):
    assert terms(text, mode) == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["F-16", "F16", "f\u201116", "F\u201316", "f-16"], "f16"),
        (["155-мм", "155 мм", "155-mm", "155mm", "155\u00a0мм", "155-міліметрові"], "155mm"),
        (["Су-34", "Su-34", "SU34", "су34"], "su34"),
        (["2A6", "2А6"], "2a6"),  # Latin A and Cyrillic А
        (["M777", "М777"], "m777"),
        (["Х-101", "Kh-101"], "kh101"),
        (["PAC-3", "pac3"], "pac3"),
    ],
)
def test_designations_are_one_term(spellings, key, mode):
    for spelling in spellings:
        assert terms(spelling, mode) == [key], spelling


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # whole word first, then its parts, the first part at the same position
        ("дрон-камікадзе", [("дрон-камікадзе", 0), ("дрон", 0), ("камікадзе", 1)]),
        ("дронів-камікадзе", [("дрон-камікадзе", 0), ("дрон", 0), ("камікадзе", 1)]),
        ("anti-aircraft gun", [("anti-aircraft", 0), ("anti", 0), ("aircraft", 1), ("gun", 2)]),
        ("IRIS-T", [("iri-t", 0), ("iri", 0), ("t", 1)]),
        # number ranges split; case endings after numbers drop
        ("2022-2023", [("2022", 0), ("2023", 1)]),
        ("2024-го", [("2024", 0)]),
    ],
)
def test_hyphenated_words(text, expected, mode):
    assert positions(text, mode) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Укрoборонпром на\u0301голос п\u2019ять F\u201116 дрон-камікадзе",
        "Lockheed Martin's 155 мм IRIS-T, висо\u00adко\u00adтехнологічних 2024-го",
    ],
)
def test_offsets_point_at_the_original_text(text):
    for t in ANALYZER(text, chars=True):
        piece = text[t.startchar : t.endchar]
        assert piece.strip() == piece and piece, (t.text, piece)
    spans = {(t.startchar, t.endchar) for t in ANALYZER(text, chars=True)}
    words = {text[a:b] for a, b in spans}
    assert "на\u0301голос" in words or "Lockheed" in words


def test_offsets_of_parts_and_designations():
    text = "нові F‑16 і дрони-камікадзе"
    got = [(t.text, text[t.startchar : t.endchar]) for t in ANALYZER(text, chars=True)]
    assert got == [
        ("новий", "нові"),
        ("f16", "F‑16"),
        ("дрон-камікадзе", "дрони-камікадзе"),
        ("дрон", "дрони"),
        ("камікадзе", "камікадзе"),
    ]


def test_index_and_query_mode_agree_on_a_mixed_text():
    text = "Rheinmetall і «Укроборонпром» постачатимуть 155-мм снаряди для F-16 та Су-34."
    assert positions(text, "index") == positions(text, "query")


def test_surface_analyzer_keeps_word_forms():
    assert [t.text for t in surface_analyzer()("Ракетами та deliveries")] == [
        "ракетами",
        "deliveries",
    ]


def test_analyzers_pickle_and_compare_equal():
    for make in (news_analyzer, surface_analyzer):
        copy = pickle.loads(pickle.dumps(make()))
        assert copy == make()
        assert [t.text for t in copy("ракетами F-16")] == [t.text for t in make()("ракетами F-16")]


def test_spelling_field_gets_surface_forms(sample_ix):
    with sample_ix.reader() as reader:
        words = {w.decode() if isinstance(w, bytes) else w for w in reader.lexicon("words")}
    assert "ракетами" in words
    assert "ракета" not in words  # only the inflected form occurs in the text


def _corpus_texts():
    texts = ["дрон-камікадзе 2024-го F-16 Су-34 155 мм 2022-2023 п'ять на́голос anti-aircraft"]
    for path in sorted(CORPUS_DIR.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            article = json.loads(line)
            texts += [article.get("title", ""), article.get("body", "")]
    return texts


def test_indexing_fast_paths_give_the_analyzers_output():
    """term_positions and surface_words (what indexing runs) equal the
    analyzer pipelines (what queries run) on every sample text."""
    from indexer.analysis import surface_words, term_positions

    ana, surface = news_analyzer(), surface_analyzer()
    for text in _corpus_texts():
        expected: dict[str, list[int]] = {}
        for t in ana(text, positions=True):
            expected.setdefault(t.text, []).append(t.pos)
        assert term_positions(text) == expected, text[:80]
        assert surface_words(text) == sorted({t.text for t in surface(text)}), text[:80]


def test_dictionary_lemmas_read_directly_equal_pymorphy3_parse():
    """The direct dictionary read gives the lemmas of exactly the parses
    pymorphy3's ``parse`` marks as dictionary ones, in its order."""
    from pymorphy3.units import DictionaryAnalyzer

    from indexer.morphology import dictionary_lemmas, morph_analyzer

    def parsed(word):
        return [
            p.normal_form
            for p in morph_analyzer().parse(word)
            if len(p.methods_stack) == 1 and isinstance(p.methods_stack[0][0], DictionaryAnalyzer)
        ]

    words = {
        w.lower()
        for path in CORPUS_DIR.glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
        for w in json.loads(line).get("body", "").split()
        if w.isalpha() and not w.isascii()
    }
    words |= {"атаки", "танків", "ґанок", "їжак", "п'ять", "з'їзд", "ще", "райнметалом", "хаймарс"}
    assert len(words) > 3000
    known = 0
    for word in sorted(words):
        assert dictionary_lemmas(word) == parsed(word), word
        known += bool(parsed(word))
    assert 0 < known < len(words)
