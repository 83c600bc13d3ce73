"""Ukrainian romanization (KMU 2010) and its way back, for names across scripts."""

from __future__ import annotations

import pytest

from indexer.romanize import cyrillic_spellings, latin_spellings, name_key, romanize

# Examples from the resolution's own table (Cabinet of Ministers, No. 55 of 2010).
OFFICIAL = {
    "алушта": "alushta", "андрій": "andrii", "борщагівка": "borshchahivka",
    "вінниця": "vinnytsia", "гадяч": "hadiach", "згорани": "zghorany", "ґалаґан": "galagan",
    "рівне": "rivne", "єнакієве": "yenakiieve", "наталія": "nataliia", "житомир": "zhytomyr",
    "закарпаття": "zakarpattia", "медвин": "medvyn", "іршава": "irshava",
    "їжакевич": "yizhakevych", "кадиївка": "kadyivka", "йосипівка": "yosypivka",
    "стрий": "stryi", "олексій": "oleksii", "київ": "kyiv", "ніжин": "nizhyn",
    "одеса": "odesa", "ужгород": "uzhhorod", "харків": "kharkiv", "біла церква": "bila tserkva",
    "чернівці": "chernivtsi", "гоща": "hoshcha", "юрій": "yurii", "корюківка": "koriukivka",
    "яготин": "yahotyn", "костянтин": "kostiantyn", "знам'янка": "znamianka",
    "феодосія": "feodosiia", "львів": "lviv",
}  # fmt: skip


@pytest.mark.parametrize(("ukrainian", "latin"), sorted(OFFICIAL.items()))
def test_romanize_follows_the_official_table(ukrainian, latin):
    assert romanize(ukrainian) == latin


@pytest.mark.parametrize(
    ("name", "english"),
    [
        ("залужний", "zaluzhny"),
        ("зеленський", "zelensky"),
        ("зеленський", "zelenskyy"),
        ("умєров", "umerov"),
        ("юрій", "yuriy"),
        ("гаврилюк", "havryliuk"),
    ],
)
def test_common_english_spellings_are_offered_after_the_official_one(name, english):
    spellings = latin_spellings(name)
    assert spellings[0] == romanize(name) and english in spellings


@pytest.mark.parametrize(
    "name", [*(w for w in OFFICIAL if " " not in w and "'" not in w), "залужний", "умєров"]
)
def test_the_way_back_finds_the_name_when_it_exists(name):
    """Back from the official spelling, keeping only prefixes of the name
    (as the search keeps only prefixes its index holds)."""
    found = cyrillic_spellings(romanize(name), name.startswith)
    assert name in found


def test_the_way_back_goes_no_further_than_the_index_allows():
    seen = []

    def exists(prefix):
        seen.append(prefix)
        return False

    assert cyrillic_spellings("zaluzhnyi", exists) == []
    assert len(seen) < 10


@pytest.mark.parametrize(
    ("english", "ukrainian"),
    [
        ("umerov", "умєров"),
        ("zaluzhny", "залужний"),
        ("kiev", "київ"),
        ("gavrilyuk", "гаврилюк"),
        ("zelenskyy", "зеленський"),
        ("kharkov", "харків"),
        ("chernigov", "чернігів"),
        ("odessa", "одеса"),
    ],
)
def test_a_name_key_is_shared_by_the_spellings_of_one_name(english, ukrainian):
    assert name_key(english) == name_key(romanize(ukrainian))


def test_name_keys_tell_names_apart():
    keys = {
        name_key(romanize(w)) for w in ("умєров", "залужний", "гаврилюк", "буданов", "сирський")
    }
    assert len(keys) == 5
