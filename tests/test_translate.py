"""Cross-language search through the real index, search API, CLI and web:
a query also finds the other language's articles on the same thing, ranked
below those in its own words, inside the query's own structure."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import build_index

from indexer.cli import cli
from indexer.index import open_index
from indexer.search import SearchRequest, search

ARTICLES = [
    ("en-ad", "en", "Air defense shield over the capital",
     "Kyiv asked partners for more air defense after a night of missile strikes on the city."),
    ("uk-ad", "uk", "Нові системи ППО для столиці",
     "Союзники передали Україні ще дві системи протиповітряної оборони, щоб захистити Київ від ракет."),
    ("uk-ad2", "uk", "Як працює оборона неба",
     "Протиповітряна оборона збила більшість ракет над Києвом цієї ночі."),
    ("en-air", "en", "Air cargo and defense budgets",
     "The air cargo firm said defense spending was rising; shipments grew."),
    ("en-pow", "en", "Prisoner exchange returns 90 soldiers",
     "A prisoner exchange mediated by the UAE returned ninety Ukrainian soldiers home."),
    ("uk-pow", "uk", "Обмін полоненими: додому повернулися 90 захисників",
     "Після обміну полоненими додому повернулися дев'яносто українських військових."),
    ("uk-umerov", "uk", "Умєров обговорив постачання",
     "Міністр оборони Рустем Умєров обговорив постачання снарядів. Заява Умєрова з'явилася ввечері."),
    ("en-umerov", "en", "Umerov meets industry",
     "Defense minister Rustem Umerov met arms makers to discuss drone production."),
    ("uk-zal", "uk", "Залужного призначили послом",
     "Валерія Залужного призначили послом у Великій Британії."),
    ("uk-havr", "uk", "Гаврилюк про нову техніку",
     "Заступник міністра Іван Гаврилюк розповів про випробування нової техніки."),
    ("uk-rh", "uk", "Райнметалл будує завод снарядів",
     "Концерн Rheinmetall разом з Укроборонпромом будує завод артилерійських снарядів."),
    ("en-rh", "en", "Rheinmetall opens a repair hub",
     "Rheinmetall opened a hub to repair Lynx vehicles for Ukraine's army."),
    ("uk-himars", "uk", "Хаймарси на півдні",
     "Розрахунки Хаймарсів уразили склади боєприпасів."),
    ("en-himars", "en", "Rocket launchers hit depots",
     "M142 launchers struck ammunition depots in the south."),
    ("uk-drones", "uk", "Дрони над Києвом",
     "Над Києвом уночі збили два десятки дронів-камікадзе."),
    ("en-city", "en", "The defense of the city held",
     "Brigades kept the defense of the city going through the winter."),
]  # fmt: skip


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("translate")
    src = root / "articles.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for id_, lang, title, body in ARTICLES:
            row = {"id": id_, "lang": lang, "title": title, "body": body,
                   "url": f"https://x.example/{id_}", "published": "2025-05-01", "source": "X"}  # fmt: skip
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    build_index(root / "ix", src)
    return str(root / "ix")


@pytest.fixture(scope="module")
def ix(index_dir):
    index = open_index(index_dir)
    yield index
    index.close()


def ids(ix, query, **kw):
    return [h.id for h in search(ix, SearchRequest(query, per_page=50, relax=False, **kw)).hits]


@pytest.mark.parametrize(
    ("query", "own", "other"),
    [
        ("air defense", ["en-ad", "en-air"], {"uk-ad", "uk-ad2"}),
        ("протиповітряна оборона", ["uk-ad", "uk-ad2"], {"en-ad"}),
        ("обмін полоненими", ["uk-pow"], {"en-pow"}),
        ("prisoner exchange", ["en-pow"], {"uk-pow"}),
    ],
)
def test_a_concept_finds_the_other_language_below_its_own(ix, query, own, other):
    found = ids(ix, query)
    assert found[0] in own and set(found) == set(own) | other
    assert set(ids(ix, query, translate=False)) == set(own)


def test_the_page_says_what_was_added(ix):
    page = search(ix, SearchRequest("air defense"))
    (also,) = page.also_searched
    assert also["typed"] == "air defense" and not also["negated"]
    assert {"ППО", "протиповітряна оборона"} <= set(also["added"])
    assert search(ix, SearchRequest("air defense", translate=False)).also_searched == []


def test_an_equivalent_holding_a_shorter_one_is_not_searched_again(ix):
    """захист (the glossary's event-defense) means defense, defence, "defense
    of the city" and "defensive operation"; every article with one of the
    phrases holds "defense", so the phrases are neither searched nor shown,
    and the query finds just what all four would."""
    page = search(ix, SearchRequest("захист"))
    (also,) = page.also_searched
    assert {"defense", "defence"} <= set(also["added"])
    assert not {"defense of the city", "defensive operation"} & set(also["added"])
    every = 'defense OR defence OR "defense of the city" OR "defensive operation"'
    found = set(ids(ix, "захист"))
    assert "en-city" in found
    assert found == set(ids(ix, "захист", translate=False)) | set(ids(ix, every, translate=False))


def test_snippets_mark_the_equivalents_found(ix):
    hits = {h.id: h for h in search(ix, SearchRequest("air defense")).hits}
    assert "<mark>протиповітряної</mark> <mark>оборони</mark>" in hits["uk-ad"].snippet
    assert "<mark>Протиповітряна</mark> <mark>оборона</mark>" in hits["uk-ad2"].snippet


def test_a_phrase_stays_a_phrase(ix):
    """ "air defense" as a phrase: en-air holds both words apart and stays out;
    the equivalents are phrases too (оборона alone, in uk-ad2's title, is not)."""
    assert set(ids(ix, '"air defense"')) == {"en-ad", "uk-ad", "uk-ad2"}
    assert "en-air" in ids(ix, "air defense")
    assert ids(ix, '"air defense" столиці') == ["uk-ad"]


def test_not_excludes_the_equivalents_too(ix):
    assert "uk-drones" in ids(ix, "Києвом")
    found = ids(ix, "Києвом -drones")
    assert "uk-drones" not in found and found
    page = search(ix, SearchRequest("Києвом -drones"))
    assert any(e["negated"] and e["typed"] == "drones" for e in page.also_searched)


def test_filters_stay_filters(ix):
    assert set(ids(ix, "air defense lang:uk")) == {"uk-ad", "uk-ad2"}
    assert set(ids(ix, "air defense", langs=("en",))) == {"en-ad", "en-air"}


def test_the_same_report_ranks_first_in_the_language_typed(ix):
    """en-pow and uk-pow tell one story in two languages."""
    assert ids(ix, "prisoner exchange") == ["en-pow", "uk-pow"]
    assert ids(ix, "обмін полоненими") == ["uk-pow", "en-pow"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Umerov", {"en-umerov", "uk-umerov"}),
        ("Умєрова", {"uk-umerov", "en-umerov"}),
        ("Zaluzhny", {"uk-zal"}),
        ("Zaluzhnyi", {"uk-zal"}),
        ("Havryliuk", {"uk-havr"}),
    ],
)
def test_names_are_found_in_the_other_script_in_any_case_form(ix, typed, expected):
    assert set(ids(ix, typed)) == expected
    page = search(ix, SearchRequest(typed))
    assert page.also_searched and page.also_searched[0]["typed"] == typed


def test_a_spelling_no_article_holds_adds_nothing(ix):
    page = search(ix, SearchRequest("Zaporozhets"))
    assert page.total == 0 and page.also_searched == []


def test_a_company_in_any_spelling_matches_its_tag(ix):
    """Райнметал (one л, as often written) is not a word of any article, but
    the gazetteer knows it: both Rheinmetall articles match, and снаряди
    brings the other one's words in."""
    page = search(ix, SearchRequest("Райнметал", relax=False))
    assert {h.id for h in page.hits} == {"uk-rh", "en-rh"}
    assert any("company Rheinmetall" in e["added"] for e in page.also_searched)
    assert ids(ix, "Райнметал", translate=False) == []
    assert ids(ix, "Райнметаллом снаряди")[0] == "uk-rh"


def test_a_system_in_any_script_matches_its_tag(ix):
    """Хаймарс shares no word with "M142 launchers", but both articles are
    tagged himars: the Ukrainian one ranks first, in the words typed."""
    page = search(ix, SearchRequest("Хаймарс", relax=False))
    assert [h.id for h in page.hits] == ["uk-himars", "en-himars"]
    assert any("system HIMARS" in e["added"] for e in page.also_searched)
    assert ids(ix, "Хаймарс", translate=False) == ["uk-himars"]


def test_cli_says_what_was_added_and_no_translate_turns_it_off(index_dir):
    def run(*args):
        return CliRunner().invoke(cli, ["search", *args, "--index", index_dir])

    on = run("prisoner", "exchange")
    assert on.exit_code == 0 and "Also searched: обмін полоненими" in on.stderr
    assert "Обмін полоненими: додому" in on.stdout
    off = json.loads(run("prisoner", "exchange", "--no-translate", "--json").stdout)
    assert off["also_searched"] == [] and [h["id"] for h in off["hits"]] == ["en-pow"]


def test_the_page_shows_what_was_added_and_drops_it_in_one_click(index_dir):
    from bs4 import BeautifulSoup

    from web import create_app

    client = create_app({"INDEX_DIR": index_dir, "TESTING": True}).test_client()

    def page(url):
        response = client.get(url)
        assert response.status_code == 200
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")

    on = page("/search?q=prisoner+exchange&ui=en")
    note = on.select_one(".also-searched")
    assert "Also searched" in note.text and "обмін полоненими" in note.text
    assert [h.select_one("h2 a")["href"] for h in on.select("li.hit")][1].endswith("/uk-pow")
    off = page(note.select_one("a.typed-only")["href"])
    assert [h.select_one("h2 a")["href"] for h in off.select("li.hit")] == [
        "https://x.example/en-pow"
    ]
    back = off.select_one(".also-searched a.translate-on")
    assert len(page(back["href"]).select("li.hit")) == 2
    api = client.get("/api/search?q=prisoner+exchange&translate=0").get_json()
    assert api["also_searched"] == [] and api["total"] == 1
    assert client.get("/api/search?q=prisoner+exchange").get_json()["total"] == 2


def test_a_suggestion_finds_more_with_the_equivalents_the_query_searches(ix):
    """Did you mean counts the corrected query as it would run. Дрони -drones
    finds nothing, since NOT drones excludes дрони too, though without the
    equivalents it would find uk-drones: no suggestion for the misspelt one,
    and one for the misspelt word alone."""
    assert search(ix, SearchRequest("Дронм")).suggestion == "Дрони"
    assert ids(ix, "Дрони -drones") == [] and ids(ix, "Дрони -drones", translate=False)
    assert search(ix, SearchRequest("Дронм -drones")).suggestion is None
    assert search(ix, SearchRequest("Дронм -drones", translate=False)).suggestion == "Дрони -drones"
