"""Company detection on analysed tokens: case forms, scripts, ambiguity."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.companies import Gazetteer, default_gazetteer, ending_key

TINY = Path(__file__).parent / "data" / "companies.toml"


@pytest.fixture(scope="module")
def tiny():
    return Gazetteer.load(TINY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Угоду з Райнметаллом підписали", ["rheinmetall"]),
        ("Райнметалу і Укроборонпрому", ["rheinmetall", "ukroboronprom"]),
        ("компанією Rheinmetall AG", ["rheinmetall"]),
        ("в Українській оборонній промисловості", ["ukroboronprom"]),
        ("Lockheed Martin's jets", ["lockheed-martin"]),
        ("Lockheed’s first plant", ["lockheed-martin"]),
        ("з Локхід Мартіном", ["lockheed-martin"]),
        ("літаки Сааба і контракт із Саабом", ["saab"]),
        ("Airbus Defence and Space built it", ["airbus"]),
        ("ракети Yuzhnoye", ["pivdenne"]),
        ("Укрoборонпром з латинською o", ["ukroboronprom"]),
    ],
)
def test_every_case_form_and_script_is_found(tiny, text, expected):
    assert tiny.detect(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ambiguous alone: not tagged
        ("The Oracle of Delphi spoke in riddles", []),
        ("Південне узбережжя Криму", []),
        # a legal-form or company word next to it
        ("Oracle Corp won the tender", ["oracle"]),
        ("компанія Oracle відкрила офіс", ["oracle"]),
        ("КБ «Південне» випробувало ракету", ["pivdenne"]),
        # a context word anywhere
        ("Oracle moved the ministry's database", ["oracle"]),
        # another, unambiguous alias of the same company
        ("Yuzhnoye, known at home as Південне, said", ["pivdenne"]),
    ],
)
def test_ambiguous_aliases_need_a_second_signal(tiny, text, expected):
    assert tiny.detect(text) == expected


def test_a_signal_in_the_body_confirms_an_ambiguous_title(tiny):
    assert tiny.detect("Oracle wins", "The cloud contract runs five years") == ["oracle"]
    assert tiny.detect("Oracle wins", "The priestess spoke") == []


def test_mentions_carry_offsets_into_the_text(tiny):
    text = "Контракт з Райнметаллом"
    (mention,) = tiny.mentions(text)
    assert text[mention.start : mention.end] == "Райнметаллом"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rheinmetall", "rheinmetall"),
        ("Райнметаллом", "rheinmetall"),
        ("Lockheed", "lockheed-martin"),
        ("LOCKHEED MARTIN", "lockheed-martin"),
        ("Укроборонпрому", "ukroboronprom"),
        ("Lockheed Corp", "lockheed-martin"),  # legal-form words may trail
        ("Boeing", None),
        ("Rheinmetall shells", None),  # the alias must cover the whole name
    ],
)
def test_resolve_any_alias_in_any_form(tiny, name, expected):
    assert tiny.resolve(name) == expected


def test_ending_key_strips_case_endings_of_cyrillic_words_only():
    assert ending_key("сааба") == ending_key("саабом") == ending_key("сааб") == "~сааб"
    assert ending_key("saab") is None


def test_shipped_gazetteer_covers_the_required_companies():
    gazetteer = default_gazetteer()
    assert len(gazetteer.companies) >= 60
    required = [
        "BAE Systems", "Lockheed Martin", "Airbus Defence and Space", "Boeing", "Saab", "Google",
        "Oracle Corporation", "Rheinmetall", "PGZ", "Dynamit Nobel Defence", "Ukroboronprom",
        "АТ «Українська оборонна промисловість»", "RTX", "Raytheon", "Northrop Grumman",
        "General Dynamics", "L3Harris", "Thales Group", "Leonardo S.p.A.", "KNDS", "Nexter",
        "Krauss-Maffei Wegmann", "MBDA", "Diehl Defence", "Hensoldt", "Kongsberg Defence & Aerospace",
        "Nammo", "Czechoslovak Group", "Baykar", "Мотор Січ", "Ivchenko-Progress",
        "Luch Design Bureau", "Yuzhnoye", "Malyshev Plant", "Palantir Technologies",
        "Anduril Industries", "Quantum Systems", "AeroVironment", "General Atomics",
        "McDonnell Douglas", "Microsoft", "Amazon Web Services", "SpaceX", "Lockheed", "Northrop",
    ]  # fmt: skip
    missing = [name for name in required if gazetteer.resolve(name) is None]
    assert missing == []
    assert gazetteer.resolve("Raytheon") == gazetteer.resolve("RTX Corporation") == "rtx"
    assert gazetteer.resolve("Nexter") == gazetteer.resolve("KNDS")
    for company in gazetteer.companies.values():
        assert company.ambiguous <= set(company.aliases), company.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a bulleted list: an ambiguous name listed beside a confirmed one
        ("Партнери програми:\n• Google\n• Oracle\n• Palantir", ["google", "oracle", "palantir"]),
        ("Серед партнерів • Google, • Oracle.", ["google", "oracle"]),
        ("Постачальники:\n- Airbus\n- Thales", ["airbus", "thales"]),
        ("1. Saab 2. Kongsberg", ["saab", "kongsberg"]),
        # a brand that is never a word matches in lowercase; a word-like one does not
        ("співпраця з google та spacex", ["google", "spacex"]),
        ("the general dynamics of the market", []),
        # a list item alone confirms nothing
        ("• Oracle\n• Delphi", []),
    ],
)
def test_lists_of_companies_and_brands_in_any_case(text, expected):
    assert default_gazetteer().detect(text) == expected


def test_any_case_must_be_a_flag(tmp_path):
    from indexer.errors import DefnewsError

    bad = tmp_path / "companies.toml"
    bad.write_text(
        '[[company]]\nid = "x"\nname_en = "X"\nname_uk = "Х"\nany_case = "yes"\n', "utf-8"
    )
    with pytest.raises(DefnewsError, match="any_case must be true or false"):
        Gazetteer.load(bad)
