"""WordPress 6.x article pages, version 1: block themes and classic themes.

Block themes (Twenty Twenty-Two and later): ``h1.wp-block-post-title``,
``.wp-block-post-date time[datetime]``, ``.wp-block-post-author-name``,
``.wp-block-post-terms`` (categories), body ``.wp-block-post-content``. Classic themes
(underscores, Twenty Ten to Twenty Twenty-One): ``h1.entry-title``,
``time.entry-date[datetime]`` (``time.updated`` once edited), ``.author.vcard``,
``a[rel~=category]``, body ``.entry-content``. The ``datetime`` attribute carries the
full time with offset; the visible text (often a date only) is kept as
``published_raw``. A first paragraph in bold is the sapo.
"""

from __future__ import annotations

from typing import Any

from parsel import Selector

from crawler.extract.bylines import clean_byline, split_authors
from crawler.extract.dates import parse_datetime
from crawler.extract.family_tools import PageIndex, split_lead
from crawler.extract.select import TagWalk
from crawler.extract.text import clean, node_text

NAME = "wordpress"
VERSION = "V1"
WALKED: tuple[str, ...] = ()
"""The tags whose elements :func:`parse` selects over the whole page (none: see :class:`TagWalk`)."""

_TITLE = ("h1.wp-block-post-title", "h1.entry-title", "article .entry-header h1", ".wp-block-post-title")
_DATE = (
    ".wp-block-post-date time[datetime]",
    "time.entry-date.published[datetime]",
    "time.entry-date[datetime]",
    ".posted-on time[datetime]",
)
_UPDATED = ("time.updated[datetime]", ".wp-block-post-date.__modified time[datetime]")
_AUTHOR = (
    ".wp-block-post-author-name a",
    ".wp-block-post-author-name",
    ".wp-block-post-author__name",
    ".author.vcard .fn",
    ".author.vcard a",
    ".byline .author",
)
_CATEGORY = (
    ".taxonomy-category.wp-block-post-terms a",
    ".cat-links a[rel~=category]",
    "a[rel~=category][rel~=tag]",
)
_BODY = (".wp-block-post-content", ".entry-content")
_JUNK = (".sharedaddy", ".jp-relatedposts", ".addtoany_share_save_container", ".wp-block-buttons", "script")


def detect(sel: Selector, walk: TagWalk | None = None) -> bool:
    """True for pages WordPress rendered (generator meta, or core asset paths and markup)."""
    generator = sel.css("meta[name=generator]::attr(content)").get("") or ""
    if generator.lower().startswith("wordpress"):
        return True
    core = "//link[contains(@href, '/wp-content/') or contains(@href, '/wp-includes/')]"
    core_paths = bool(sel.xpath(core))
    return core_paths and bool(sel.css("link[rel='https://api.w.org/'], [class*=wp-block-], .hentry"))


def parse(sel: Selector, walk: TagWalk | None = None) -> tuple[dict[str, Any], list[str]]:
    """Fields found on a single-post page, and problems. Absent keys mean "not found"."""
    page = PageIndex(sel)
    title_node = page.first(_TITLE)
    if title_node is None:
        return {}, ["wordpress: no post title (h1.wp-block-post-title / h1.entry-title)"]
    date_node = page.first(_DATE)
    published_at = parse_datetime(date_node.get("datetime")) if date_node is not None else None
    updated = page.first(_UPDATED)
    updated_at = parse_datetime(updated.get("datetime")) if updated is not None else None
    author = clean_byline(page.first_text(_AUTHOR))
    lead, paragraphs = split_lead(page.first(_BODY), _JUNK)
    fields: dict[str, Any] = {
        "title": node_text(title_node),
        "published_raw": node_text(date_node) if date_node is not None else None,
        "published_at": published_at,
        "updated_at": updated_at if updated_at and updated_at != published_at else None,
        "author": author,
        "authors": split_authors(author),
        "category": clean(page.first_text(_CATEGORY)),
        "lead": lead,
        "text": "\n\n".join(paragraphs) or None,
    }
    problems = [f"wordpress: {name} not found" for name in ("published_at", "author") if not fields[name]]
    return {k: v for k, v in fields.items() if v not in (None, [])}, problems
