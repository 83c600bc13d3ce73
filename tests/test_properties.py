"""Property and fuzz tests (hypothesis): whatever text, query, file or URL
comes in, the engine answers with terms, results, records or a clear error,
never a traceback or an HTTP 500.

Every test is derandomized (the same examples on every run, so CI is
deterministic) and bounded in examples; the set runs in about 20 s on 2 cores.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis import NewsTokenizer, news_analyzer, surface_analyzer
from indexer.errors import QueryError
from indexer.index import open_index, update_index
from indexer.ingest import Article, Problem
from indexer.ingest.feeds import parse_feed
from indexer.ingest.html import parse_html
from indexer.ingest.jsonl import read_jsonl
from indexer.normalize import HYPHENS, normalize_word
from indexer.search import SORTS, SearchRequest, search

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any character at all, lone surrogates included (JSON escapes and
# undecodable command-line bytes produce them).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
# The characters our analysis treats specially, so examples hit its branches.
TRICKY = (
    "аеіоуґїєйщьАЕІОУҐЇЄAaEeIiOoKkКкXxХхÏïBbВв’'ʼʹ`-‐‑–−\u0301\u00ad\u200b "
    "F16Су34мм155mm5,.-гойх\u00a0\n"
)
TEXT = st.text(ANY_CHAR, max_size=80) | st.text(st.sampled_from(TRICKY), max_size=40)

ANALYZER = news_analyzer()
SURFACE = surface_analyzer()
TOKENIZER = NewsTokenizer()


# The analyzer ------------------------------------------------------------------


@settings(FUZZ, max_examples=300)
@given(TEXT)
def test_analyzer_never_raises_and_offsets_stay_in_the_text(text):
    last_pos = -1
    for t in TOKENIZER(text, positions=True, chars=True):
        assert 0 <= t.startchar < t.endchar <= len(text)
        # The token is the text it points at ("2024-го" → 2024 points at all of it).
        assert t.text and text[t.startchar : t.endchar].startswith(t.text)
        assert t.pos >= last_pos
        last_pos = t.pos
    for mode in ("index", "query"):
        for t in ANALYZER(text, positions=True, chars=True, mode=mode):
            assert t.text and 0 <= t.startchar < t.endchar <= len(text)


@settings(FUZZ, max_examples=200)
@given(TEXT)
def test_index_and_query_modes_give_the_same_terms(text):
    assert [t.text for t in ANALYZER(text, mode="index")] == [
        t.text for t in ANALYZER(text, mode="query")
    ]


@settings(FUZZ, max_examples=300)
@given(st.text(ANY_CHAR, max_size=20) | st.text(st.sampled_from(TRICKY), max_size=12))
def test_normalising_normalised_text_changes_nothing(word):
    once = normalize_word(word)
    assert normalize_word(once) == once


@settings(FUZZ, max_examples=200)
@given(TEXT)
def test_a_surface_word_analyses_to_itself(text):
    """Each word the surface analyzer emits (normalised, no morphology) is a
    fixed point: analysed again it gives itself first (then, for a hyphenated
    word, its parts). So "did you mean" and prefix completions offer words
    that search for exactly themselves."""
    for t in SURFACE(text):
        assert [w.text for w in SURFACE(t.text)][:1] == [t.text]


@settings(FUZZ, max_examples=200)
@given(TEXT)
def test_index_terms_depend_only_on_the_normalised_word(text):
    """A word's terms are the same however it is typed (apostrophe, stress
    mark, look-alike letter of the other script, case): analysing the raw word
    and its normalised form agree. (Parts of a hyphenated word are repaired
    one by one, not by the whole word's script, so only whole words are
    compared; lemmas themselves are not fixed points: pymorphy3 lemmatises the
    lemma "аг" to "ага".)"""
    for t in TOKENIZER(text, chars=True):
        raw = text[t.startchar : t.endchar]
        if any(h in raw for h in HYPHENS):
            continue
        assert [x.text for x in ANALYZER(raw)] == [x.text for x in ANALYZER(normalize_word(raw))]


@settings(FUZZ, max_examples=200)
@given(TEXT)
def test_designation_and_number_keys_are_fixed_points(text):
    """su34, 155mm, 2024, 1.5: analysing a key again yields exactly the key,
    so a key copied from one result finds the same articles."""
    for t in ANALYZER(text):
        if any(ch.isdigit() for ch in t.text):
            assert [x.text for x in ANALYZER(t.text)] == [t.text]


# The query parser, against the real sample index ---------------------------------

QUERY_PIECES = [
    "ракета", "F-16", "снаряд*", "a*", "*", "155 мм", "Су-34", "the", "і", "ʼ",
    "OR", "AND", "NOT", "&&", "||", "-", "+", '"', "(", ")", ":", "[", "]", " TO ",
    "title:", "body:", "company:", "company:rheinmetall", "company:Nosuch", "lang:",
    "lang:uk", "lang:xx", "source:", 'source:"Defense News"', "published:", "published:[",
    "published:2024", "published:9999-99", "published:[2024 TO 2023]", "published:[* TO *]",
    "published:[2024-01 TO", "UNKNOWN:x", "\x00", "\u0301", "\ud800", " ", "  ",
]  # fmt: skip
QUERIES = st.lists(st.sampled_from(QUERY_PIECES), max_size=12).map("".join) | st.text(
    ANY_CHAR, max_size=60
)


@settings(FUZZ, max_examples=300)
@given(QUERIES, st.sampled_from(SORTS))
def test_any_query_gives_results_or_a_clean_error(corpus_ix, text, sort):
    try:
        page = search(corpus_ix, SearchRequest(query=text, sort=sort, per_page=5))
    except QueryError as e:
        assert str(e)  # a message for the user, nothing else
        return
    assert 0 <= len(page.hits) <= 5 and page.total >= len(page.hits)
    json.dumps(page.to_json())  # the API can always serialise it


# Readers: any bytes in, records or line-numbered problems out ------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY_CHAR, max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ["id", "url", "title", "body", "published", "lang", "source", "companies"]
RECORDS = st.fixed_dictionaries(
    {}, optional={k: JSON_VALUES | st.text(ANY_CHAR, max_size=30) for k in FIELDS}
)
LINES = st.lists(
    st.binary(max_size=60)
    | RECORDS.map(lambda d: json.dumps(d).encode())
    | RECORDS.map(lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    max_size=6,
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _lines_with_content(data: bytes) -> int:
    chunks = data.split(b"\n")
    return sum(1 for c in chunks if c.strip())


@settings(FUZZ, max_examples=250)
@given(LINES)
def test_any_jsonl_bytes_give_one_outcome_per_line(scratch, lines):
    """Every non-blank line is either an article or a rejection naming its
    line; nothing raises."""
    path = scratch / "fuzz.jsonl"
    data = b"\n".join(lines)
    path.write_bytes(data)
    records = list(read_jsonl(path))
    articles = [r for r in records if isinstance(r, Article)]
    rejected = [r for r in records if isinstance(r, Problem) and r.rejected]
    assert len(articles) + len(rejected) == _lines_with_content(data)
    for problem in (r for r in records if isinstance(r, Problem)):
        assert 1 <= problem.line <= data.count(b"\n") + 1
        assert str(problem).startswith(f"{path}:{problem.line}: ") and problem.reason


@settings(FUZZ, max_examples=40)
@given(LINES)
def test_every_article_a_reader_yields_can_be_indexed(scratch, lines):
    path = scratch / "index-me.jsonl"
    path.write_bytes(b"\n".join(lines))
    records = list(read_jsonl(path))
    ids = {r.id for r in records if isinstance(r, Article)}
    index_dir = str(scratch / "ix")
    update_index(index_dir, records, rebuild=True)
    with open_index(index_dir).reader() as reader:
        assert reader.doc_count() == len(ids)


FEED_TEXT = st.text(ANY_CHAR, max_size=40) | st.sampled_from(
    ["&#55296;", "&#0;", "&lt;script&gt;", "<![CDATA[x]]>", "&bogus;", "2024-13-45", "Tue, 99 Jun"]
)


def _feed(title, body, guid, date, atom):
    if atom:
        return (
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>'
            f"<id>{guid}</id><title>{title}</title><updated>{date}</updated>"
            f'<content type="html">{body}</content></entry></feed>'
        )
    return (
        f"<rss><channel><title>{title}</title><item><title>{title}</title>"
        f"<description>{body}</description><guid>{guid}</guid><pubDate>{date}</pubDate>"
        "</item></channel></rss>"
    )


FEEDS = st.binary(max_size=200) | st.builds(
    _feed, FEED_TEXT, FEED_TEXT, FEED_TEXT, FEED_TEXT, st.booleans()
).map(lambda s: s.encode("utf-8", "surrogatepass"))


@settings(FUZZ, max_examples=200)
@given(FEEDS)
def test_any_feed_bytes_give_articles_or_problems(data):
    for record in parse_feed(data, "fuzz.xml"):
        if isinstance(record, Problem):
            assert str(record).startswith("fuzz.xml:") and record.reason
        else:
            assert isinstance(record, Article) and (record.title or record.body)
            record.content_hash()  # encodable: the indexer can take it


def _page(title, text, date):
    return (
        f"<html><head><title>{title}</title>"
        f'<meta property="article:published_time" content="{date}"></head>'
        f"<body><article><h1>{title}</h1><p>{(text + ' слово word ') * 12}</p></article></body></html>"
    )


PAGES = st.binary(max_size=200) | st.builds(_page, FEED_TEXT, FEED_TEXT, FEED_TEXT).map(
    lambda s: s.encode("utf-8", "surrogatepass")
)


@settings(FUZZ, max_examples=100)
@given(PAGES)
def test_any_html_bytes_give_an_article_or_a_problem(data):
    record, *problems = parse_html(data, "fuzz.html")
    if isinstance(record, Problem):
        assert str(record).startswith("fuzz.html:0: ") and record.reason and not problems
    else:
        assert isinstance(record, Article) and record.body
        record.content_hash()
    for problem in problems:
        assert isinstance(problem, Problem) and not problem.rejected


# The web API ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def web(corpus_index_dir):
    from web import create_app

    return create_app({"INDEX_DIR": corpus_index_dir, "TESTING": True}).test_client()


PARAM_NAMES = st.sampled_from(
    ["q", "q", "page", "per_page", "company", "lang", "source", "from", "to", "sort", "ui", "x", ""]
)
PARAM_VALUES = (
    st.text(ANY_CHAR, max_size=30)
    | st.sampled_from(
        [
            "1",
            "0",
            "-1",
            "99999999",
            "2024",
            "2024-02-30",
            "uk",
            "newest",
            "rheinmetall",
            "ракета",
            "١",
            "²",
            "1e3",
            "\r\nSet-Cookie: x=1",
            "<script>alert(1)</script>",
        ]
    )  # fmt: skip
    | st.builds(
        lambda a, b: a + b,
        st.sampled_from(["ракета", "F-16 OR ", '"']),
        st.text(ANY_CHAR, max_size=3),
    )
)
QUERY_STRINGS = st.lists(st.tuples(PARAM_NAMES, PARAM_VALUES), max_size=6).map(
    lambda pairs: "&".join(
        quote(k, safe="") + "=" + quote(v.encode("utf-8", "surrogatepass"), safe="")
        for k, v in pairs
    )
) | st.binary(max_size=60).map(lambda b: quote(b, safe="=&%+;"))
LANG_HEADERS = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)


@settings(FUZZ, max_examples=300)
@given(
    st.sampled_from(["/api/search", "/search", "/api/suggest", "/search.atom"]),
    QUERY_STRINGS,
    LANG_HEADERS,
)
def test_web_answers_any_query_string_with_200_or_400(web, path, query_string, accept_language):
    response = web.get(f"{path}?{query_string}", headers={"Accept-Language": accept_language})
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, name
    if response.status_code == 400:
        message = (
            response.get_json()["error"]
            if path.startswith("/api/")
            else response.get_data(as_text=True)
        )
        assert message.strip()
    elif path == "/search.atom":
        ET.fromstring(response.data)  # well-formed XML, whatever the query held
    elif path.startswith("/api/"):
        assert response.get_json() is not None


def test_regressions_found_by_fuzzing(tmp_path, web):
    """Each was a traceback or a broken answer before the fix."""
    # A lone surrogate escape in JSON crashed the indexer (UTF-8 cannot encode it).
    src = tmp_path / "surrogate.jsonl"
    src.write_text('{"id": "s", "title": "\\ud800 ракета", "body": "текст"}\n', "utf-8")
    records = list(read_jsonl(src))
    assert "lone surrogate" in records[0].reason and not records[0].rejected
    update_index(str(tmp_path / "ix"), records)
    assert search(open_index(str(tmp_path / "ix")), SearchRequest("ракета")).total == 1
    # ... and a character reference to one crashed feedparser's loose parser.
    (problem,) = parse_feed(
        b"<rss><channel><item><title>&#55296;</title></item></channel></rss>", "f"
    )
    assert problem.rejected and "not a readable feed" in problem.reason
    # An undecodable command-line byte in a prefix query raised UnicodeEncodeError.
    with pytest.raises(QueryError):
        search(open_index(str(tmp_path / "ix")), SearchRequest("ракет\udcff*"))
    # "page=²": str.isdigit says yes, int() raised: an HTTP 500.
    assert web.get("/api/search?q=ракета&page=²").status_code == 400
    # A feed item without dates made feedparser warn (an error under -W error).
    (item,) = parse_feed(b"<rss><item><description>x</description></item></rss>", "f")
    assert item.published is None
    # A control character in the query made the Atom feed ill-formed XML.
    ET.fromstring(web.get("/search.atom?q=%01ракета%00").data)
    # Normalising twice differed for an uppercase look-alike (Ї, Ï).
    assert normalize_word(normalize_word("AAЇ")) == normalize_word("AAЇ") == "aaï"
    # A lone modifier apostrophe (ʼ counts as \w) was a word of its own.
    assert [t.text for t in SURFACE("ʼ ʼʼ пʼять")] == ["п'ять"]
