"""Which displayed date line is the article's: furniture rejected, "updated" kept apart.

Dates also appear in related-news lists, comments, event boxes, "most read" widgets and
copyright lines; none of them dates the article. A line labelled as an update
("Cập nhật", "Updated") goes to ``updated_at`` when a publication line is also shown;
when it is the only one shown, it is the best available publication time too.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from lxml import etree

from crawler.extract.dates import parse_datetime, parse_time
from crawler.extract.text import node_text

_FURNITURE = re.compile(
    r"relat|lienquan|lien-quan|tinkhac|tin-khac|othernews|other-news|news-other|comment|binhluan|binh-luan|ykien|y-kien|"
    r"event|sukien-box|footer|copyright|banquyen|widget|most|docnhieu|xemnhieu|"
    r"tin-moi|tinmoi|latest|listnews|list-news|news-list|box-news|weather|thoitiet|calendar|lich",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"©|\(c\)|bản quyền|copyright|giấy phép|all rights", re.IGNORECASE)
_UPDATED = re.compile(r"^\W*(?:cập nhật|cập nhập|updated?|sửa lúc|chỉnh sửa)", re.IGNORECASE)
_HAS_CLOCK = re.compile(r"\d{1,2}\s*[:h]\s*\d{2}")
# /2025/10/22/, -2025-10-22, or 20251022 alone or followed by a clock (VCCorp ids: 20251022093000123)
_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?:(?P<sep>[/_-])(?P<m>0[1-9]|1[0-2])(?P=sep)(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?P<cm>0[1-9]|1[0-2])(?P<cd>0[1-9]|[12]\d|3[01])(?:\d{6,})?(?!\d))"
)
_MAX_DEPTH = 8


def in_furniture(node: etree._Element) -> bool:
    """True when a node sits in a news list, a comment, a widget or a footer."""
    current: etree._Element | None = node
    for _ in range(_MAX_DEPTH):
        if current is None:
            return False
        if current.tag in ("footer", "aside", "nav"):
            return True
        if current.tag == "a" and len(node_text(current) or "") > 30:
            return True  # inside a headline link; a link to the date archive is fine
        marks = f"{current.get('class', '')} {current.get('id', '')}"
        if marks.strip() and _FURNITURE.search(marks):
            return True
        if current.tag == "li" and _has_headline_link(current):
            return True  # a headline link with its date: a news list entry
        current = current.getparent()
    return False


def _has_headline_link(node: etree._Element) -> bool:
    return any(len(node_text(a) or "") > 30 for a in node.iter("a"))


def date_lines(candidates: list[etree._Element], now: datetime | None) -> tuple[str | None, str | None]:
    """``(published_raw, updated_raw)`` from candidate nodes, nearest the headline first."""
    published = updated = None
    for node in candidates:
        text = node_text(node)
        if not text or len(text) > 80 or not _HAS_CLOCK.search(text) or _COPYRIGHT.search(text):
            continue
        if parse_datetime(text, now=now) is None or parse_time(text) is None:
            continue
        if in_furniture(node) or _has_headline_link(node):
            continue
        text = trim_dateline(text)
        if _UPDATED.match(text):
            updated = updated or text
        elif published is None:
            published = text
        if published and updated:
            break
    return published, updated


def trim_dateline(text: str) -> str:
    """Drop a credit glued before the date: ``Theo Ngoisao | 25/12/2012 10:25``."""
    parts = [p.strip() for p in text.split("|")]
    dated = [p for p in parts if re.search(r"\d", p)]
    return " | ".join(dated) if len(dated) < len(parts) else text


def url_date(url: str | None) -> date | None:
    """A full date in the URL path (``/2025/10/22/``, ``-20251022``): a day-level hint only."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    for match in _URL_DATE.finditer(path):
        try:
            return date(int(match["y"]), int(match["m"] or match["cm"]), int(match["d"] or match["cd"]))
        except ValueError:
            continue
    return None
