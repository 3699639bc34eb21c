"""Liferay portal article pages (asset publisher "full content" view), version 1.

Markup of Liferay 6.2 and 7.x asset publishers: the title in ``.header-title`` /
``.asset-title`` inside ``.asset-full-content``, ``.asset-metadata`` entries
(``.metadata-publish-date``, ``.metadata-modified-date``, ``.metadata-author`` with a
"Tác giả:" label), categories as ``a.asset-category``, the web content body in
``.journal-content-article``. A first paragraph in bold is the sapo.
"""

from __future__ import annotations

from typing import Any

from parsel import Selector

from crawler.extract.bylines import clean_byline, split_authors
from crawler.extract.dates import parse_datetime
from crawler.extract.family_tools import first, first_text, split_lead
from crawler.extract.select import TagWalk
from crawler.extract.text import clean

NAME = "liferay"
VERSION = "V1"
WALKED: tuple[str, ...] = ()
"""The tags whose elements :func:`parse` selects over the whole page (none: see :class:`TagWalk`)."""

_SCOPE = (".asset-full-content", ".portlet-journal-content", ".journal-content-article")
_TITLE = (".header-title", ".asset-title", "h1", "h2")
_DATE = (".metadata-publish-date", ".metadata-display-date", ".metadata-create-date")
_UPDATED = (".metadata-modified-date",)
_AUTHOR = (".metadata-author .user-name", ".metadata-author")
_CATEGORY = ("a.asset-category", ".taglib-asset-categories-summary a")


def detect(sel: Selector, walk: TagWalk | None = None) -> bool:
    """True for pages a Liferay portal rendered (portlet boundaries, Liferay's JS globals)."""
    if sel.css("[class*='portlet-boundary_']") and sel.css("[id^='p_p_id_']"):
        return True
    scripts = "//script[contains(., 'Liferay.ThemeDisplay') or contains(@src, '/o/frontend-js')]"
    return bool(sel.xpath(scripts))


def parse(sel: Selector, walk: TagWalk | None = None) -> tuple[dict[str, Any], list[str]]:
    """Fields of an asset publisher article, and problems. Absent keys mean "not found"."""
    scope = first(sel, _SCOPE)
    if scope is None:
        return {}, ["liferay: no asset content (.asset-full-content / .journal-content-article)"]
    raw_date = first_text(scope, _DATE)
    author = clean_byline(first_text(scope, _AUTHOR))
    lead, paragraphs = split_lead(first(scope, (".journal-content-article",)), ("script",))
    updated_raw = first_text(scope, _UPDATED)
    fields: dict[str, Any] = {
        "title": first_text(scope, _TITLE),
        "published_raw": raw_date,
        "published_at": parse_datetime(raw_date),
        "updated_at": parse_datetime(_after_label(updated_raw)),
        "author": author,
        "authors": split_authors(author),
        "category": clean(first_text(scope, _CATEGORY)),
        "lead": lead,
        "text": "\n\n".join(paragraphs) or None,
    }
    problems = [f"liferay: {name} not found" for name in ("published_at", "author") if not fields[name]]
    return {k: v for k, v in fields.items() if v not in (None, [])}, problems


def _after_label(value: str | None) -> str | None:
    """``"Cập nhật: 21/06/2025 10:30"`` -> ``"21/06/2025 10:30"``."""
    if not value:
        return None
    return value.split(":", 1)[1] if value.lower().startswith("cập nhật") else value
