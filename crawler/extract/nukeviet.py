"""NukeViet news module (portal and eGovernment editions), version 1.

Themes: ``egov`` and ``default`` (``h1[itemprop=headline]``, date in ``span.h5``, sapo
``div.hometext``, body ``#news-bodyhtml``) and ``mobile_egov`` (date ``em.time``, sapo
``#hometext [itemprop=description]``, body ``div.bodytext``). The hidden microdata is
not trusted: ``datePublished`` holds the edit time and ``author`` falls back to the
admin login, so this parser settles those fields from the visible page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree
from parsel import Selector

from crawler.extract.bylines import clean_byline, drop_trailing_bylines, split_authors
from crawler.extract.dates import parse_datetime
from crawler.extract.select import TagWalk, select, select_first
from crawler.extract.text import block_texts, clean, node_text

NAME = "nukeviet"
VERSION = "V1"

_BODY = ("#news-bodyhtml", "div.bodytext")
_LEAD = ("div.hometext", "#hometext [itemprop=description]", "#hometext")
_BODY_CSS = ", ".join(_BODY)
_DATE = ("em.time", "span.h5")
_AUTHOR_LABEL = "tác giả bài viết"
_SOURCE_LABEL = "nguồn tin"
WALKED = ("h1", "li")
"""The tags whose elements :func:`parse` selects over the whole page."""
_NV_SCRIPT = etree.XPath("//script[contains(., 'nv_base_siteurl')]")


def detect(sel: Selector, walk: TagWalk | None = None) -> bool:
    """True for pages rendered by NukeViet (any module)."""
    root = sel.root
    generator = select_first(root, "meta[name=generator]::attr(content)", walk) or ""
    if "nukeviet" in generator.lower():
        return True
    return select_first(root, "#news-bodyhtml") is not None or bool(_NV_SCRIPT(root))


def parse(sel: Selector, walk: TagWalk | None = None) -> tuple[dict[str, Any], list[str]]:
    """Fields found on a NukeViet article page, and problems.

    A key present with ``None`` means "checked: the page has none"; later layers must
    not fill it (their sources are wrong on NukeViet). ``walk`` (see :data:`WALKED`)
    saves walking the page once per selector.
    """
    root = sel.root
    scope, body = _article_scope(root, walk)
    if scope is None or body is None:
        return {}, ["nukeviet: no article block (h1[itemprop=headline] with a body)"]
    raw_date, published_at = _published(scope)
    author_raw, source = _credits(scope)
    author = clean_byline(author_raw)
    paragraphs = block_texts(body)
    fields: dict[str, Any] = {
        "title": node_text(select_first(scope, "h1[itemprop=headline], h1")),
        "published_raw": raw_date,
        "published_at": published_at,
        "author": author,
        "authors": split_authors(author),
        "source": source,
        "lead": _lead(scope),
        "text": "\n\n".join(drop_trailing_bylines(paragraphs, author)) or None,
        "category": _category(root, walk),
    }
    return fields, []


def _article_scope(
    root: etree._Element, walk: TagWalk | None = None
) -> tuple[etree._Element | None, etree._Element | None]:
    """The innermost element holding both the headline and the body, and the (first) body."""
    node = select_first(root, "h1[itemprop=headline]", walk)
    while node is not None:
        body = select_first(node, _BODY_CSS)
        if body is not None:
            return node, body
        node = node.getparent()
    return None, None


def _published(scope: etree._Element) -> tuple[str | None, datetime | None]:
    """The visible date line, the first ``em.time`` / ``span.h5`` that parses as a date, and its time."""
    for candidate in select(scope, ", ".join(_DATE)):
        raw = node_text(candidate)
        published = parse_datetime(raw) if raw else None
        if published is not None:
            return raw, published
    return None, None


def _credits(scope: etree._Element) -> tuple[str | None, str | None]:
    """``(byline, source)`` from the ``p.text-right`` lines under the body."""
    author = source = None
    for line in select(scope, "p.text-right"):
        label = node_text(select_first(line, "strong")) or ""
        value = clean("".join(_own_text(line)))
        key = label.lower().rstrip(": ")
        if key == _AUTHOR_LABEL:
            author = value
        elif key == _SOURCE_LABEL:
            source = value
    return author, source


def _lead(scope: etree._Element) -> str | None:
    for query in _LEAD:
        found = select_first(scope, query)
        if found is not None:
            return node_text(found)
    return None


def _category(root: etree._Element, walk: TagWalk | None = None) -> str | None:
    """Breadcrumb levels below the home link, from the hidden ``temp-breadcrumbs``."""
    names = []
    for item in select(root, ".temp-breadcrumbs li", walk):
        if select_first(item, "a::attr(href)") == "/":
            continue
        name = node_text(select_first(item, "[itemprop=name]"))
        if name:
            names.append(name)
    return " > ".join(names) or None


def _own_text(node: etree._Element) -> list[str]:
    """The text nodes right under ``node`` (``./text()``): its text, and the tails of its children."""
    return [text for text in (node.text, *(child.tail for child in node)) if text]
