"""Markdown to safe HTML: markdown-it-py renders (raw HTML disabled), nh3 sanitises."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {"h2", "h3", "p", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "hreflang"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto", "tel"}


def render(markdown_text: str) -> str:
    html = _md.render(markdown_text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def to_plain_text(markdown_text: str) -> str:
    """The visible text of a Markdown document, for the search index."""
    html = _md.render(markdown_text)
    return nh3.clean(html, tags=set()).replace("&amp;", "&")
