"""Article extraction as pure functions: bytes in, :class:`Article` out.

Layers, first one wins per field: the CMS family parser (NukeViet, WordPress, Liferay), then page
metadata (JSON-LD, OpenGraph, meta tags, microdata), then the generic fallback
(``<title>``, trafilatura for the body). On pages no family parser recognised, the
generic reading of displayed fields (headline, date line, byline, sapo) goes before
metadata, because the contract is "as displayed". ``provenance`` records the layer
that produced each field. Nothing here raises on a bad page: problems are listed in
``Article.problems``.
"""

from __future__ import annotations

import codecs
from datetime import datetime, time
from functools import lru_cache
from typing import Any

from crawler.extract import generic, liferay, metadata, nukeviet, wordpress
from crawler.extract.datelines import url_date
from crawler.extract.dates import VN_TZ
from crawler.extract.model import Article
from crawler.extract.select import TagWalk
from crawler.extract.text import decode_html, has_controls, looks_binary, page_selector

__all__ = ["Article", "extract_article"]

FAMILIES = ("nukeviet", "wordpress", "liferay", "generic")
# Family parsers in detection order; the first whose detect() accepts the page is used.
_PARSERS = {m.NAME: m for m in (nukeviet, wordpress, liferay)}
FIELDS = (
    "canonical_url", "title", "published_at", "published_raw", "updated_at",
    "author", "authors", "source", "lead", "text", "images", "category",
)  # fmt: skip
EXPECTED = ("title", "published_at", "text")


def extract_article(
    html: bytes | str,
    url: str | None = None,
    *,
    fetched_at: datetime | None = None,
    family: str | None = None,
) -> Article:
    """Extract one article page. ``family`` is a hint: "nukeviet", "generic" or None (detect).

    ``fetched_at`` (aware) is the reference time for relative dates ("2 giờ trước").
    """
    art = Article(url=url, canonical_url=url)
    try:
        _extract(art, html, fetched_at, family)
    except Exception as exc:
        art.problems.append(f"extraction failed: {type(exc).__name__}: {exc}")
    for name in EXPECTED:
        if getattr(art, name) is None:
            art.problems.append(f"{name}: not found")
    return art


def _extract(art: Article, html: bytes | str, now: datetime | None, hint: str | None) -> None:
    if html is None or not isinstance(html, bytes | str):
        art.problems.append(f"input: expected bytes or str, got {type(html).__name__}")
        return
    text, encoding = decode_html(html)
    if not text.strip():
        art.problems.append("input: empty page")
        return
    plain_utf8 = html if isinstance(html, bytes) and not html.startswith(codecs.BOM_UTF8) else None
    utf8 = plain_utf8 if encoding == "utf-8" else None
    # UTF-8 bytes without control characters (the usual page) are what the parser gets
    # and tell that the text has none either.
    controls = utf8 is None or has_controls(utf8)
    if looks_binary(text, controls):
        art.problems.append("input: binary data, not HTML")
        return
    sel = page_selector(text, utf8, cleaned=None if controls else utf8)
    if hint is not None and hint not in FAMILIES:
        art.problems.append(f"family: unknown hint {hint!r}, detecting instead")
        hint = None
    walk = TagWalk(sel.root, _walked(hint))
    family = hint or next((name for name, p in _PARSERS.items() if p.detect(sel, walk)), "generic")
    settled: set[str] = set()
    parser = _PARSERS.get(family)
    if parser is not None:
        fields, problems = parser.parse(sel, walk)
        art.problems.extend(problems)
        if fields:
            art.family = parser.NAME
        _apply(art, fields, f"family:{parser.NAME}", settled)
    if art.family is None:
        # Shown beats declared for displayed fields: metadata on news sites carries
        # other times (24h.com.vn), date-only stamps or reformatted bylines.
        _apply(art, generic.displayed(sel, now=now), "generic", settled)
    wanted = {name for name in FIELDS if name not in settled}
    _apply(art, metadata.parse(sel, art.url, wanted, walk), "metadata", settled)
    wanted -= settled
    if wanted:
        known = {"title": art.title, "lead": art.lead, "author": art.author}
        found, problems = generic.fallback(sel, text, wanted=wanted, known=known, url=art.url)
        art.problems.extend(problems)
        _apply(art, found, "generic", settled)
    if art.published_at is None and "published_at" not in settled:
        _date_from_url(art)


@lru_cache(maxsize=8)
def _walked(hint: str | None) -> tuple[str, ...]:
    """The tags whose elements the layers select over the whole page, for one walk."""
    parsers = _PARSERS.values() if hint is None else [p for name, p in _PARSERS.items() if name == hint]
    return tuple(dict.fromkeys([*(tag for p in parsers for tag in p.WALKED), *metadata.WALKED]))


def _date_from_url(art: Article) -> None:
    """Last resort for the day only: a full date in the URL path, midnight local time."""
    day = url_date(art.canonical_url) or url_date(art.url)
    if day is not None:
        art.published_at = datetime.combine(day, time(0, 0), tzinfo=VN_TZ)
        art.provenance["published_at"] = "url"
        art.problems.append("published_at: day taken from the URL (no time shown)")


def _apply(art: Article, fields: dict[str, Any], layer: str, settled: set[str]) -> None:
    """Set fields not settled by an earlier layer; a key with ``None`` settles a field."""
    for name, value in fields.items():
        if name in settled or name not in FIELDS:
            continue
        settled.add(name)
        if value is None or value == []:
            continue
        setattr(art, name, value)
        art.provenance[name] = layer
