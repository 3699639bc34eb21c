"""NukeViet news module (portal and eGovernment editions), version 1.

Themes: ``egov`` and ``default`` (``h1[itemprop=headline]``, date in ``span.h5``, sapo
``div.hometext``, body ``#news-bodyhtml``) and ``mobile_egov`` (date ``em.time``, sapo
``#hometext [itemprop=description]``, body ``div.bodytext``). The hidden microdata is
not trusted: ``datePublished`` holds the edit time and ``author`` falls back to the
admin login, so this parser settles those fields from the visible page.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from parsel import Selector

from crawler.extract.bylines import clean_byline, drop_trailing_bylines, split_authors
from crawler.extract.dates import parse_datetime
from crawler.extract.text import block_texts, clean, node_text

NAME = "nukeviet"
VERSION = "V1"

_BODY = ("#news-bodyhtml", "div.bodytext")
_LEAD = ("div.hometext", "#hometext [itemprop=description]", "#hometext")
_DATE = ("em.time", "span.h5")
_AUTHOR_LABEL = "tác giả bài viết"
_SOURCE_LABEL = "nguồn tin"


def detect(sel: Selector) -> bool:
    """True for pages rendered by NukeViet (any module)."""
    generator = sel.css("meta[name=generator]::attr(content)").get("") or ""
    if "nukeviet" in generator.lower():
        return True
    return bool(sel.css("#news-bodyhtml")) or bool(sel.xpath("//script[contains(., 'nv_base_siteurl')]"))


def parse(sel: Selector) -> tuple[dict[str, Any], list[str]]:
    """Fields found on a NukeViet article page, and problems.

    A key present with ``None`` means "checked: the page has none"; later layers must
    not fill it (their sources are wrong on NukeViet).
    """
    scope = _article_scope(sel)
    if scope is None:
        return {}, ["nukeviet: no article block (h1[itemprop=headline] with a body)"]
    raw_date = _published_raw(scope)
    author_raw, source = _credits(scope)
    author = clean_byline(author_raw)
    body = scope.css(", ".join(_BODY))
    paragraphs = block_texts(body[0].root) if body else []
    fields: dict[str, Any] = {
        "title": node_text(scope.css("h1[itemprop=headline], h1")[0].root),
        "published_raw": raw_date,
        "published_at": parse_datetime(raw_date),
        "author": author,
        "authors": split_authors(author),
        "source": source,
        "lead": _lead(scope),
        "text": "\n\n".join(drop_trailing_bylines(paragraphs, author)) or None,
        "category": _category(sel),
    }
    return fields, []


def _article_scope(sel: Selector) -> Selector | None:
    """The innermost element holding both the headline and the body."""
    headlines = sel.css("h1[itemprop=headline]")
    if not headlines:
        return None
    node: etree._Element | None = headlines[0].root
    while node is not None:
        scope = Selector(root=node)
        if scope.css(", ".join(_BODY)):
            return scope
        node = node.getparent()
    return None


def _published_raw(scope: Selector) -> str | None:
    """The visible date line: first ``em.time`` / ``span.h5`` that parses as a date."""
    for candidate in scope.css(", ".join(_DATE)):
        raw = node_text(candidate.root)
        if raw and parse_datetime(raw) is not None:
            return raw
    return None


def _credits(scope: Selector) -> tuple[str | None, str | None]:
    """``(byline, source)`` from the ``p.text-right`` lines under the body."""
    author = source = None
    for line in scope.css("p.text-right"):
        label = (node_text(line.css("strong")[0].root) if line.css("strong") else "") or ""
        value = clean("".join(line.xpath("./text()").getall()))
        key = label.lower().rstrip(": ")
        if key == _AUTHOR_LABEL:
            author = value
        elif key == _SOURCE_LABEL:
            source = value
    return author, source


def _lead(scope: Selector) -> str | None:
    for css in _LEAD:
        found = scope.css(css)
        if found:
            return node_text(found[0].root)
    return None


def _category(sel: Selector) -> str | None:
    """Breadcrumb levels below the home link, from the hidden ``temp-breadcrumbs``."""
    names = []
    for item in sel.css(".temp-breadcrumbs li"):
        if item.css("a::attr(href)").get() == "/":
            continue
        name = node_text(item.css("[itemprop=name]")[0].root) if item.css("[itemprop=name]") else None
        if name:
            names.append(name)
    return " > ".join(names) or None
