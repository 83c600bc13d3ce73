"""Feeds and pages as real CMSes write them: boilerplate around the story,
a default <language> that is wrong, Ukrainian dates, zoneless times,
tracking parameters in links. Each reader runs on the real file."""

from __future__ import annotations

import html
from datetime import datetime

import pytest

from indexer.entities import default_gazetteer
from indexer.ingest import Article, Problem, find_inputs, read_inputs
from indexer.ingest.article import clean_url
from indexer.ingest.feeds import read_feed
from indexer.ingest.html import read_html
from indexer.ingest.stamps import read_stamp

STORY_UK = (
    "Концерн Rheinmetall запустив в Україні лінію ремонту бронетехніки. "
    "Перші машини повернуться до війська вже восени, повідомили в компанії."
)
STORY_EN = (
    "The Army awarded a contract for more 155 mm shells to a plant in Pennsylvania; "
    "deliveries are due to begin next spring, officials said."
)


def rss(items: str, language: str = "en-US", generator: str = "https://wordpress.org/?v=6.5"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Тестовий сайт</title><link>https://site.example</link>
<language>{language}</language><generator>{generator}</generator>
{items}
</channel></rss>"""


def item(content: str, pub_date: str = "Tue, 25 Jun 2024 11:00:00 +0000", **extra) -> str:
    link = extra.get("link", "https://site.example/news/1")
    guid = extra.get("guid", link)
    return f"""<item><title>{extra.get("title", "Ремонт бронетехніки")}</title>
<link>{html.escape(link)}</link><guid>{html.escape(guid)}</guid><pubDate>{pub_date}</pubDate>
<description>{html.escape(extra.get("description", "Коротко"))}</description>
<content:encoded><![CDATA[{content}]]></content:encoded></item>"""


def read_one(tmp_path, text: str, name: str = "feed.rss"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    records = read_feed(path)
    articles = [r for r in records if isinstance(r, Article)]
    return articles, [r for r in records if isinstance(r, Problem)]


# Boilerplate in feed bodies ---------------------------------------------------

WORDPRESS = f"""<p>{STORY_UK}</p>
<figure class="wp-block-image size-large"><img src="a.jpg" alt=""/>
<figcaption class="wp-element-caption">Фото: Міноборони</figcaption></figure>
<p>Фото: Генеральний штаб ЗСУ</p>
<blockquote class="twitter-tweet"><p lang="en">Boeing is proud to support</p>&mdash; Someone (@someone)
<a href="https://twitter.com/someone/status/123">June 25, 2024</a></blockquote>
<script async src="https://platform.twitter.com/widgets.js"></script>
<p><strong>Читайте також:</strong> <a href="/x">Lockheed Martin передасть ще F-16</a></p>
<div class="sharedaddy sd-sharing-enabled"><h3>Поділитися:</h3><a>Facebook</a><a>Telegram</a></div>
<p>Поділитися: Facebook Telegram</p>
<div id="jp-relatedposts" class="jp-relatedposts"><h3>Схожі новини</h3>
<p>Saab показав новий радар</p></div>
<p>The post <a href="https://site.example/news/1">Ремонт бронетехніки</a> appeared first on
<a href="https://site.example">Тестовий сайт</a>.</p>"""

DRUPAL = f"""<div class="field field--name-body field--type-text-with-summary">
<p>{STORY_UK}</p></div>
<div class="field field--name-field-image"><img src="b.jpg"/>
<div class="field field--name-field-image-caption">Ілюстративне фото: Boeing</div></div>
<div class="field field--name-field-tags tags-links"><a>Saab</a> <a>ППО</a></div>
<p>Дивіться також: Thales відкрив офіс у Києві</p>"""

BLOGGER = f"""<div dir="ltr"><div class="separator"><a href="x.jpg"><img src="x.jpg"/></a></div>
<table class="tr-caption-container"><tr><td><img src="y.jpg"/></td></tr>
<tr><td class="tr-caption">Фото (ілюстративне): Saab</td></tr></table>
{STORY_UK}<br/><br/>Read also: Boeing delays another tanker</div>"""

TELEGRAM_BRIDGE = f"""<p>Forwarded From Boeing News</p>
{STORY_UK}<br/><br/>
<a href="https://t.me/channel">Підписуйтесь на наш канал</a><br/>
<a href="https://t.me/channel/1">Поширити</a>"""


@pytest.mark.parametrize(
    ("cms", "content"),
    [
        ("wordpress", WORDPRESS),
        ("drupal", DRUPAL),
        ("blogger", BLOGGER),
        ("telegram-to-rss", TELEGRAM_BRIDGE),
    ],
)
def test_feed_bodies_are_the_story_without_the_cms_around_it(tmp_path, cms, content):
    (article,), problems = read_one(tmp_path, rss(item(content)), f"{cms}.rss")
    assert article.body == STORY_UK, cms
    assert not problems
    # a company named only in a caption, an embed or a related link is not tagged
    assert default_gazetteer().detect(article.title, article.body) == ["rheinmetall"]


def test_a_wrapper_that_looks_like_boilerplate_does_not_empty_the_story(tmp_path):
    wrapped = f'<div class="post-share-enabled"><p>{STORY_UK}</p></div>'
    (article,), _ = read_one(tmp_path, rss(item(wrapped)))
    assert article.body == STORY_UK


# Language: the text's, not a CMS default ---------------------------------------


def test_a_feed_language_that_disagrees_with_the_text_is_overruled(tmp_path):
    items = item(f"<p>{STORY_UK}</p>", link="https://site.example/1") + item(
        f"<p>{STORY_EN}</p>", title="Shells", link="https://site.example/2"
    )
    articles, _ = read_one(tmp_path, rss(items, language="en-US"))
    assert [a.lang for a in articles] == ["uk", "en"]
    articles, _ = read_one(tmp_path, rss(items, language="uk"), "declared-uk.rss")
    assert [a.lang for a in articles] == ["uk", "en"]


def test_a_declared_language_stands_when_the_text_is_too_short_to_tell(tmp_path):
    short = item("<p>Ok</p>", title="F-16", description="")
    (article,), _ = read_one(tmp_path, rss(short, language="uk"))
    assert article.lang == "uk"


# Dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Вт, 25 чер 2024 14:00:00 +0300", datetime(2024, 6, 25, 11, 0)),
        ("Tue, 25 Jun 2024 14:00:00 +0300", datetime(2024, 6, 25, 11, 0)),
        ("Нд, 30 черв. 2024 01:30:00 +0300", datetime(2024, 6, 29, 22, 30)),
        ("25 червня 2024 14:00:00 GMT", datetime(2024, 6, 25, 14, 0)),
        ("2024-06-25T14:00:00+03:00", datetime(2024, 6, 25, 11, 0)),
    ],
)
def test_feed_dates_in_ukrainian_or_english_keep_time_and_zone(tmp_path, written, stored):
    (article,), problems = read_one(tmp_path, rss(item(f"<p>{STORY_UK}</p>", written)))
    assert article.published == stored and not problems


def test_an_unreadable_feed_date_is_reported_not_dropped_silently(tmp_path):
    (article,), (problem,) = read_one(tmp_path, rss(item(f"<p>{STORY_UK}</p>", "колись улітку")))
    assert article.published is None and not problem.rejected
    assert "unreadable date 'колись улітку'" in problem.reason and problem.line == 1


def test_a_zoneless_feed_time_is_in_the_sources_zone(tmp_path):
    feed = rss(item(f"<p>{STORY_UK}</p>", "25 червня 2024, 14:00"))
    (article,), _ = read_one(tmp_path, feed)
    assert article.published == datetime(2024, 6, 25, 11, 0)  # a Ukrainian item: Kyiv
    path = tmp_path / "zoned.rss"
    path.write_text(feed, "utf-8")
    (article,) = read_feed(path, zone="America/New_York")
    assert article.published == datetime(2024, 6, 25, 18, 0)


def page(head: str, body: str) -> str:
    return f"""<!doctype html><html lang="uk"><head><meta charset="utf-8">
<title>Ремонт бронетехніки</title>{head}</head><body><header><nav>Головна · Новини</nav></header>
<article><h1>Ремонт бронетехніки</h1>{body}<p>{STORY_UK}</p>
<p>Перші відремонтовані машини вже проходять випробування на полігоні під Києвом.</p></article>
</body></html>"""


@pytest.mark.parametrize(
    ("head", "body", "stored"),
    [
        # JSON-LD keeps time and zone; 01:30 Kyiv is the day before in UTC
        (
            '<script type="application/ld+json">{"@context":"https://schema.org",'
            '"@type":"NewsArticle","headline":"x","datePublished":"2024-06-29T10:15:00+03:00"}'
            "</script>",
            "",
            datetime(2024, 6, 29, 7, 15),
        ),
        (
            '<script type="application/ld+json">{"@graph":[{"@type":"WebSite"},'
            '{"@type":"NewsArticle","datePublished":"2024-06-29T01:30:00+03:00"}]}</script>',
            "",
            datetime(2024, 6, 28, 22, 30),
        ),
        (
            '<meta property="article:published_time" content="2024-06-29T10:15:00+03:00">',
            "",
            datetime(2024, 6, 29, 7, 15),
        ),
        # a visible date with no zone: the source's (Kyiv for Ukrainian text)
        ("", "<p class='date'>Субота, 29 червня 2024, 10:15</p>", datetime(2024, 6, 29, 7, 15)),
    ],
)
def test_page_times_keep_their_time_and_zone(tmp_path, head, body, stored):
    path = tmp_path / "page.html"
    path.write_text(page(head, body), "utf-8")
    (article,) = read_html(path)
    assert article.published == stored


def test_a_page_time_without_zone_uses_the_configured_zone(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(page("", "<p>Субота, 29 червня 2024, 10:15</p>"), "utf-8")
    (article,) = read_html(path, zone="UTC")
    assert article.published == datetime(2024, 6, 29, 10, 15)


def test_an_unreadable_page_date_is_reported(tmp_path):
    head = '<meta property="article:published_time" content="скоро">'
    path = tmp_path / "page.html"
    path.write_text(page(head, ""), "utf-8")
    article, problem = read_html(path)
    assert article.published is None and not problem.rejected
    assert "unreadable date 'скоро'" in problem.reason


def test_jsonl_times_without_zone_use_the_sources_zone(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"id": "a", "title": "t", "body": "b", "published": "2024-06-29T10:15:00"}\n', "utf-8"
    )
    (default,) = read_inputs(find_inputs([path]))
    assert default.published == datetime(2024, 6, 29, 10, 15)  # UTC, as before
    from indexer.ingest.jsonl import read_jsonl

    (kyiv,) = read_jsonl(path, zone="Europe/Kyiv")
    assert kyiv.published == datetime(2024, 6, 29, 7, 15)


@pytest.mark.parametrize(
    "text", ["", "вчора", "32 червня 2024", "25 грудня 1066 10:00", "Tue, 99 Foo 2024"]
)
def test_read_stamp_names_what_it_cannot_read(text):
    with pytest.raises(ValueError):
        read_stamp(text)


# URLs -------------------------------------------------------------------------


def test_tracking_parameters_do_not_make_a_second_article(tmp_path):
    feed_a = rss(item(f"<p>{STORY_UK}</p>", guid="", link="https://site.example/n/7?utm_source=tg"))
    feed_b = rss(item(f"<p>{STORY_UK}</p>", guid="", link="https://site.example/n/7?fbclid=IwAR0"))
    (a,), _ = read_one(tmp_path, feed_a, "a.rss")
    (b,), _ = read_one(tmp_path, feed_b, "b.rss")
    assert a.id == b.id and a.url == b.url == "https://site.example/n/7"


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://x.ua/a?id=7&utm_medium=social&gclid=Cj0#respond", "https://x.ua/a?id=7"),
        ("https://x.ua/a?q=a+b%20c", "https://x.ua/a?q=a+b%20c"),  # kept as written
        ("https://x.ua/#!/story/7", "https://x.ua/#!/story/7"),
        ("https://x.ua/a?UTM_Source=x&mc_cid=1", "https://x.ua/a"),
        ("not a url", "not a url"),
    ],
)
def test_clean_url(url, clean):
    assert clean_url(url) == clean
