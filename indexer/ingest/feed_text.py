"""A feed item's HTML as article text, without what the CMS adds around it.

A WordPress ``content:encoded`` (and Drupal's, Blogger's, a Telegram-to-RSS
bridge's description) carries more than the story: figure captions
(«Фото: Міноборони»), embedded tweets, «Читайте також: …» links to other
stories, share buttons, "The post … appeared first on …". Indexed, they
match queries the story does not answer, and a company named only in a
related link tagged the item. The HTML reader gets this from trafilatura;
a feed body is a fragment too short for its density rules, so the same
things are removed here by markup (elements and classes CMSes use for
them) and by line (the phrases they begin with).
"""

from __future__ import annotations

import html
import re

# Elements that are never the story's text.
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "figure", "figcaption", "picture", "svg",
    "form", "button", "video", "audio", "object", "embed", "aside", "nav",
)  # fmt: skip
# Class or id words of captions, embeds, share bars and related-post lists
# (WordPress core and Jetpack, AddToAny, YARPP, Drupal fields, Blogger).
_DROP_CLASS = re.compile(
    r"caption|share|sharing|social|related|sharedaddy|addtoany|a2a_|yarpp|"
    r"twitter-tweet|instagram-media|tiktok-embed|telegram-post|fb-post|"
    r"read-?also|read-?more|subscribe|newsletter|advert|promo|tags-links",
    re.I,
)
_EMBED_LINK = re.compile(r"https?://(www\.)?(twitter\.com|x\.com)/\w+/status/", re.I)
# Lines that begin like this are the CMS's, not the story's (when short).
_BOILERPLATE_LINE = re.compile(
    r"""^(
        (фото|фото\s+і\s+відео|ілюстративне\s+фото|джерело\s+фото|відео|photo|image|
         pictured|credit)\s*(\(.{0,40}\))?\s*[:—–-]
      | (читайте|дивіться|читай)\s+(також|нас|більше)
      | також\s+(читайте|дивіться)
      | (read|see)\s+(also|more)\b
      | related\s*(:|articles|stories|posts)
      | (поділитися|поширити|share(\s+this)?)\s*(:|$|\s+(facebook|telegram|twitter|x\b))
      | (підписуйтесь|підписуйтеся|підпишіться|subscribe|follow\s+us)\b
      | the\s+post\s+.+\s+appeared\s+first\s+on\s
      | forwarded\s+from\b
    )""",
    re.I | re.X,
)
_LONGEST_BOILERPLATE_LINE = 300
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_ANY_SPACE = re.compile(r"\s+")
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|div|li|h[1-6]|blockquote|tr|table|ul|ol)>")


def feed_text(markup: str) -> str:
    """The story's text in a feed item's HTML, paragraph breaks kept."""
    # if the markup rules leave nothing, a wrapper looked like boilerplate
    return _text(_without_boilerplate_markup(markup)) or _text(markup)


def plain_text(markup: str) -> str:
    """Feed HTML as text (tags dropped, entities decoded, paragraph breaks
    kept), nothing else removed: for a title."""
    return _joined(_lines(markup))


def _text(markup: str) -> str:
    return _joined(line for line in _lines(markup) if not _boilerplate_line(line))


def _lines(markup: str):
    if "<" in markup:  # HTML: a line break in the source is a space
        markup = _ANY_SPACE.sub(" ", markup)
    text = _TAG.sub(" ", _BLOCK_END.sub("\n\n", markup))
    return (_SPACE.sub(" ", line).strip() for line in html.unescape(text).splitlines())


def _joined(lines) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _boilerplate_line(line: str) -> bool:
    return len(line) <= _LONGEST_BOILERPLATE_LINE and _BOILERPLATE_LINE.match(line) is not None


def _without_boilerplate_markup(markup: str) -> str:
    """``markup`` without the elements a CMS wraps around the story."""
    if "<" not in markup:
        return markup
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, lxml.etree.LxmlError):
        return markup  # unparseable: the line rules still apply
    doomed = [
        node
        for node in root.iter()
        if isinstance(node.tag, str)
        and node is not root
        and (
            node.tag in _DROP_TAGS
            or _DROP_CLASS.search(f"{node.get('class', '')} {node.get('id', '')}")
            or (node.tag == "blockquote" and _embeds_a_post(node))
        )
    ]
    for node in doomed:
        if node.getparent() is not None:
            node.drop_tree()  # keeps the tail: the text after the element
    return lxml.html.tostring(root, encoding="unicode")


def _embeds_a_post(blockquote) -> bool:
    return any(_EMBED_LINK.match(a.get("href", "")) for a in blockquote.iter("a"))
