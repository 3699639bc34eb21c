"""Bylines: role prefixes off, several authors split, byline lines told from prose."""

from __future__ import annotations

import re

from crawler.extract.text import clean

_PREFIX = re.compile(
    r"^(?:(?:tác giả(?: bài viết)?|bài(?: và|,)? ảnh|tin(?: và|,)? ảnh|bài|tin|"
    r"thực hiện|người viết|phóng viên|pv|nhóm phóng viên)\s*[:：-]\s*|theo\s+)",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|&|\s-\s|\s–\s|\bvà\b)\s*")
_CREDIT_LINE = re.compile(
    r"^\(?\s*(?:theo|nguồn|tác giả|bài(?: và|,)? ảnh|tin(?: và|,)? ảnh|ảnh)\b\s*:?\s*.{1,80}\)?\.?$",
    re.IGNORECASE,
)
_OUTLET_SUFFIX = re.compile(r"\s*\([^()]*\)$")  # "Sầm Hoa (Vietnamnet/Reuters)"
_ROLE_SUFFIX = re.compile(r"\s*\((?:thực hiện|tổng hợp|lược dịch|dịch|ghi)\)\.?$", re.IGNORECASE)


def clean_byline(raw: str | None) -> str | None:
    """A displayed byline without role prefixes ("Tác giả:", "Tin, ảnh:", "Theo ")."""
    value = clean(raw)
    if not value:
        return None
    for _ in range(2):  # "Tác giả: Theo X" carries two prefixes
        value = _PREFIX.sub("", value).strip()
    value = _ROLE_SUFFIX.sub("", value)
    value = _OUTLET_SUFFIX.sub("", value).strip(" ,:;-–")
    return value or None


def split_authors(author: str | None) -> list[str]:
    """``"THUẬN VĂN - LÊ ÁNH"`` -> ``["THUẬN VĂN", "LÊ ÁNH"]``."""
    if not author:
        return []
    return [part for part in (p.strip(" .") for p in _SPLIT.split(author)) if part]


def looks_like_name(line: str) -> bool:
    """A short upper-case name line such as ``T.SỸ`` or ``HỒNG HÀ (Thực hiện)``."""
    core = _ROLE_SUFFIX.sub("", line).strip(" .")
    letters = [c for c in core if c.isalpha()]
    if not letters or len(core) > 40 or len(core.split()) > 6:
        return False
    return all(c.isupper() for c in letters)


def is_byline_line(line: str, author: str | None = None) -> bool:
    """True for a paragraph that is a byline or credit, not prose."""
    if len(line) > 90:
        return False
    if author and clean_byline(line) == author:
        return True
    if _CREDIT_LINE.match(line):
        return True
    return looks_like_name(line)


def drop_trailing_bylines(paragraphs: list[str], author: str | None = None) -> list[str]:
    """Remove byline/credit lines at the end of a body (at most two)."""
    out = list(paragraphs)
    for _ in range(2):
        if len(out) > 1 and is_byline_line(out[-1], author):
            out.pop()
    return out
