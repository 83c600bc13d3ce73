"""Names outside the dictionary inflect: a query in any case form finds
every case form, through a real index; dictionary words keep their lemmas."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import build_index

from indexer.analysis import term_positions, token_index_terms
from indexer.index import open_index
from indexer.morphology import STEM_MARK, dictionary_lemmas, is_known_word, name_stems
from indexer.search import SearchRequest, search

FORMS = Path(__file__).resolve().parents[1] / "data" / "eval" / "name_forms.tsv"

# One article per case form, each holding only that form of the name.
NAMES = {
    "umerov": ["Умєров", "Умєрова", "Умєрову", "Умєровим", "Умєрові"],
    "rheinmetall": ["Райнметалл", "Райнметалла", "Райнметаллу", "Райнметаллом", "Райнметаллі"],
    "syrskyi": ["Сирський", "Сирського", "Сирському", "Сирським"],
    "stoltenberg": ["Стольтенберг", "Стольтенберга", "Стольтенбергу", "Стольтенбергом"],
}


@pytest.fixture(scope="module")
def names_ix(tmp_path_factory):
    folder = tmp_path_factory.mktemp("names")
    lines = []
    for name, forms in NAMES.items():
        for n, form in enumerate(forms):
            body = f"Про це повідомив {form} під час наради з промисловцями."
            record = {"id": f"{name}-{n}", "title": "Нарада", "body": body, "lang": "uk"}
            lines.append(json.dumps(record, ensure_ascii=False))
    (folder / "names.jsonl").write_text("\n".join(lines), "utf-8")
    build_index(folder / "ix", folder / "names.jsonl")
    ix = open_index(str(folder / "ix"))
    yield ix
    ix.close()


def found(ix, query: str, **kw) -> set[str]:
    # collapse=False: the articles are near copies, which a page folds together
    request = SearchRequest(query, per_page=50, relax=False, translate=False, collapse=False, **kw)
    return {hit.id for hit in search(ix, request).hits}


@pytest.mark.parametrize("name", NAMES)
def test_a_name_in_any_case_form_finds_every_form(names_ix, name):
    every = {f"{name}-{n}" for n in range(len(NAMES[name]))}
    for form in NAMES[name]:
        assert found(names_ix, form) == every, form


def test_all_words_and_phrases_see_the_stems(names_ix):
    # the case: «… Умєровим» found by `Умєров … --all-words` (relax=False)
    assert found(names_ix, "Умєров повідомив") == {f"umerov-{n}" for n in range(5)}
    assert found(names_ix, '"повідомив Умєров"') == {f"umerov-{n}" for n in range(5)}


def test_different_names_stay_apart(names_ix):
    assert found(names_ix, "Умєров").isdisjoint(found(names_ix, "Стольтенберг"))
    assert not any(hit.startswith("umerov") for hit in found(names_ix, "Сирський"))


def test_dictionary_words_keep_exactly_their_dictionary_lemmas():
    for word in ("ракетами", "танк", "київ", "зеленського", "снарядів", "оборони"):
        assert is_known_word(word)
        terms = token_index_terms(word, False)
        assert not any(t.startswith(STEM_MARK) for t in terms), word
        assert set(terms) <= {lemma.replace("ґ", "г") for lemma in dictionary_lemmas(word)} | {
            "танк"
        }


@pytest.mark.parametrize(
    ("word", "stems"),
    [
        ("умєровим", ["~умєров", "~умєрів"]),
        ("авдіївці", ["~авдіївц", "~авдіївк"]),  # к → ц before -і
        ("ірпеня", ["~ірпен", "~ірпін"]),  # і → е when an ending opens the syllable
        ("шевченкові", ["~шевченк", "~шевченков"]),  # -ові, or -ов + і (Умєрові)
        ("умєрові", ["~умєр", "~умєров"]),
        ("гурульові", ["~гурульов"]),  # гуруль + ові is not a consonant stem
        ("рютте", ["~рютт"]),
        ("ого", []),  # too short to cut
        ("радіо", []),  # a vowel stem: nothing to undo
    ],
)
def test_name_stems(word, stems):
    assert name_stems(word) == stems


def test_first_part_of_an_adjective_compound_is_its_adjective():
    positions = term_positions("на білорусько-українському кордоні")
    assert positions["білоруський"] == [1] and positions["український"] == [2]


def test_a_doubled_apostrophe_keeps_the_word_whole():
    assert dict(term_positions("п''ять ракет")) == dict(term_positions("п'ять ракет"))


def test_the_eval_list_shares_terms_within_names_more_than_across():
    """The measured list (bench/name_eval.py prints the figures): most forms
    of one name share a term, few forms of different names do."""
    with open(FORMS, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) >= 300
    by_name = defaultdict(list)
    for row in rows:
        by_name[row["name"]].append(set(token_index_terms(row["form"].lower(), False)))
    same = hits = 0
    for forms in by_name.values():
        nominative = forms[0]
        for other in forms[1:]:
            same += 1
            hits += bool(nominative & other)
    assert hits / same > 0.9
