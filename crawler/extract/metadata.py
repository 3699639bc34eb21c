"""Page metadata layer: JSON-LD, OpenGraph / article:*, meta tags and microdata.

Only values that are present are returned; the orchestrator fills fields that the
family layer left open.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from crawler.extract.bylines import clean_byline, is_outlet, split_authors
from crawler.extract.dates import parse_datetime
from crawler.extract.select import TagWalk, css, select_first
from crawler.extract.text import clean

_FIELDS = (
    "canonical_url", "title", "published_raw", "published_at", "updated_at", "author", "authors", "category",
)  # fmt: skip
WALKED = ("meta", "link")
"""The tags whose elements :func:`parse` selects over the whole page."""
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "webpage"}
_PUBLISHED = (
    "meta[property='article:published_time']::attr(content)",
    "meta[itemprop=datePublished]::attr(content)",
    "meta[name=pubdate]::attr(content)",
    "meta[name=publishdate]::attr(content)",
    "meta[name='dc.date.issued']::attr(content)",
    "[itemprop=datePublished]::attr(datetime)",
    "[itemprop=datePublished]::text",
)
_MODIFIED = (
    "meta[property='article:modified_time']::attr(content)",
    "meta[itemprop=dateModified]::attr(content)",
    "[itemprop=dateModified]::text",
)


def parse(
    sel: Selector, url: str | None, wanted: Collection[str] | None = None, walk: TagWalk | None = None
) -> dict[str, Any]:
    """Fields found in metadata (values only; absent keys mean "not found").

    Only the fields in ``wanted`` (default: all) are looked for: on a page a family
    parser read, most of the dozen metadata queries would be wasted. ``walk`` (with
    :data:`WALKED` among its tags) saves walking the page once per query.
    """
    want = set(_FIELDS if wanted is None else wanted)
    root = sel.root
    ld = _LazyJsonLd(root)
    fields: dict[str, Any] = {}
    if "canonical_url" in want:
        fields["canonical_url"] = _canonical(root, url, walk)
    if "title" in want:
        fields["title"] = clean(_ld_str(ld.get("headline"))) or clean(
            select_first(root, "meta[property='og:title']::attr(content)", walk)
        )
    if want & {"published_raw", "published_at"}:
        raw_date = _first(root, _PUBLISHED, walk) or _ld_str(ld.get("datePublished"))
        fields["published_raw"] = clean(raw_date)
        fields["published_at"] = parse_datetime(raw_date)
        if fields["published_at"] is None:
            fields["published_raw"] = None
    if "updated_at" in want:
        modified = _first(root, _MODIFIED, walk) or _ld_str(ld.get("dateModified"))
        fields["updated_at"] = parse_datetime(modified)
    if want & {"author", "authors"}:
        fields["author"] = author = _author(root, ld, walk)
        fields["authors"] = split_authors(author)
    if "category" in want:
        section = select_first(root, "meta[property='article:section']::attr(content)", walk)
        fields["category"] = clean(section) or clean(_ld_str(ld.get("articleSection")))
    return {key: value for key, value in fields.items() if value}


class _LazyJsonLd:
    """The page's JSON-LD article, read on the first ``get`` only."""

    def __init__(self, root: etree._Element) -> None:
        self._root = root
        self._item: dict[str, Any] | None = None

    def get(self, key: str) -> Any:
        if self._item is None:
            self._item = _json_ld_article(self._root)
        return self._item.get(key)


def _first(root: etree._Element, queries: tuple[str, ...], walk: TagWalk | None) -> str | None:
    for query in queries:
        value = clean(select_first(root, query, walk))
        if value:
            return value
    return None


def _canonical(root: etree._Element, url: str | None, walk: TagWalk | None) -> str | None:
    href = select_first(root, "link[rel=canonical]::attr(href)", walk) or select_first(
        root, "meta[property='og:url']::attr(content)", walk
    )
    href = clean(href)
    if href:
        return urljoin(url or "", href)
    return url


def _author(root: etree._Element, ld: _LazyJsonLd, walk: TagWalk | None) -> str | None:
    names = [_ld_str(item) for item in _as_list(ld.get("author"))]
    author = ", ".join(n for n in names if n)
    if not author:
        author = select_first(root, "meta[property='article:author']::attr(content)", walk) or ""
        if author.startswith("http"):
            author = ""
    byline = clean_byline(author)
    if byline and " " not in byline and (byline.islower() or "." in byline):
        return None  # a login or domain ("baodantridientu", "genk.vn"), not a byline
    if is_outlet(byline):
        return None  # the publisher ("Báo Sơn La", "TTXVN"), not a byline
    return byline


def _json_ld_article(root: etree._Element) -> dict[str, Any]:
    """The first JSON-LD object typed as an article ({} if none or unparsable)."""
    for block in css(root, "script[type='application/ld+json']::text"):
        try:
            data = json.loads(block, strict=False)
        except ValueError:
            continue
        for item in _walk(data):
            types = {str(t).lower() for t in _as_list(item.get("@type"))}
            if types & _ARTICLE_TYPES and (item.get("headline") or item.get("datePublished")):
                return item
    return {}


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        yield from _walk(data.get("@graph", []))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _ld_str(value: Any) -> str | None:
    """A JSON-LD value as text: strings as is, objects by their ``name``."""
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None
