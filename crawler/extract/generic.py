"""Generic fallback for unknown layouts: what the page shows, then trafilatura for the body.

``displayed()`` reads the fields a reader sees (headline, date line, byline, sapo) by
common class names and by agreement with the page's own ``<title>`` / og:title.
``body()`` asks trafilatura for the main text, the only slow step, and only here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from lxml import etree
from parsel import Selector

from crawler.extract.bylines import clean_byline, drop_trailing_bylines, split_authors
from crawler.extract.dates import parse_datetime, parse_time
from crawler.extract.text import clean, node_text

MAX_BODY_CHARS = 5_000_000  # trafilatura on bigger pages takes seconds; skip it
_HEADINGS = "h1, h2, h3, h4, [class*=title], [class*=Title]"
_TITLE_SEPARATORS = (" - ", " | ", " – ", ": ", "-", "|")
_DATE_HINT = re.compile(r"date|time|publish|ngay|posted|timestamp", re.IGNORECASE)
_AUTHOR_HINT = re.compile(r"author|byline|tacgia|tac-gia|writer|nguontin", re.IGNORECASE)
_SOURCE_HINT = re.compile(r"source|nguon", re.IGNORECASE)
_LEAD_HINT = re.compile(r"sapo|lead|summary|desc|intro|head-noidung|init_content|phead", re.I)
_HAS_CLOCK = re.compile(r"\d{1,2}\s*[:h]\s*\d{2}")
_SKIP = ("head", "script", "style", "noscript", "nav", "footer", "select", "option")


def displayed(sel: Selector, *, now: datetime | None) -> dict[str, Any]:
    """Headline, date line, byline and sapo as shown (values only)."""
    heading = _headline(sel)
    anchor = heading if heading is not None else sel.root
    fields: dict[str, Any] = {}
    if heading is not None:
        fields["title"] = node_text(heading)
    raw_date = _dateline(sel, anchor, now)
    if raw_date:
        fields["published_raw"] = raw_date
        fields["published_at"] = parse_datetime(raw_date, now=now)
    author = _byline(sel, anchor)
    if author:
        fields["author"] = author
        fields["authors"] = split_authors(author)
    lead = _lead(sel, anchor)
    if lead:
        fields["lead"] = lead
    return fields


def fallback(sel: Selector, html: str, *, wanted: set[str], lead: str | None,
             author: str | None) -> tuple[dict[str, Any], list[str]]:
    """Last resort: ``<title>`` for the headline, trafilatura for the body."""
    fields: dict[str, Any] = {}
    problems: list[str] = []
    if "title" in wanted:
        fields["title"] = _title_tag(sel)
    if "text" in wanted:
        if len(html) > MAX_BODY_CHARS:
            problems.append(f"text: page too large for the generic layer ({len(html)} chars)")
        else:
            fields["text"] = _body(html, lead, author)
    return {k: v for k, v in fields.items() if v}, problems


def _elements(sel: Selector, css: str) -> list[etree._Element]:
    out = []
    for found in sel.css(css):
        node = found.root
        if isinstance(node, etree._Element) and not any(
            a.tag in _SKIP for a in node.iterancestors()
        ):
            out.append(node)
    return out


def _page_titles(sel: Selector) -> list[str]:
    queries = ("meta[property='og:title']::attr(content)", "title::text",
               "meta[name=title]::attr(content)")  # fmt: skip
    return [t for t in (clean(sel.css(q).get()) for q in queries) if t]


def _headline(sel: Selector) -> etree._Element | None:
    """The first heading that the page's ``<title>``/og:title starts with."""
    references = _page_titles(sel)
    best: tuple[int, int, etree._Element] | None = None
    for order, node in enumerate(_elements(sel, _HEADINGS)):
        text = node_text(node)
        if not text or len(text) < 8 or len(text) > 300:
            continue
        for ref in references:
            rank = _title_match(text, ref)
            if rank is not None and (best is None or (rank, order) < best[:2]):
                best = (rank, order, node)
    return best[2] if best else None


def _title_match(text: str, ref: str) -> int | None:
    """0 for an exact match, 1 for the title followed by a site suffix, else None."""
    if text == ref:
        return 0
    if ref.startswith(text) and ref[len(text) :].lstrip().startswith(_TITLE_SEPARATORS):
        return 1
    return None


def _title_tag(sel: Selector) -> str | None:
    title = clean(sel.css("title::text").get())
    if not title:
        return None
    for sep in (" | ", " - ", " – "):
        if sep in title:
            return title.split(sep)[0].strip() or None
    return title


def _after(anchor: etree._Element, nodes: list[etree._Element]) -> list[etree._Element]:
    """Nodes in document order starting at ``anchor``, then the ones before it."""
    position = {id(n): i for i, n in enumerate(anchor.getroottree().iter())}
    start = position.get(id(anchor), 0)
    ranked = sorted(nodes, key=lambda n: (position.get(id(n), 0) < start, position.get(id(n), 0)))
    return ranked


def _hinted(sel: Selector, pattern: re.Pattern[str]) -> list[etree._Element]:
    nodes = _elements(sel, "body *")
    return [n for n in nodes if pattern.search(f"{n.get('class', '')} {n.get('id', '')}")]


def _dateline(sel: Selector, anchor: etree._Element, now: datetime | None) -> str | None:
    """The nearest date-classed element (from the headline on) showing a date and a time."""
    for node in _after(anchor, _hinted(sel, _DATE_HINT)):
        text = node_text(node)
        if not text or len(text) > 80 or not _HAS_CLOCK.search(text):
            continue
        if parse_datetime(text, now=now) is not None and parse_time(text) is not None:
            return _trim_dateline(text)
    return None


def _trim_dateline(text: str) -> str:
    """Drop a source credit glued before the date: ``Theo Ngoisao | 25/12/2012 10:25``."""
    parts = [p.strip() for p in text.split("|")]
    dated = [p for p in parts if re.search(r"\d", p)]
    return " | ".join(dated) if len(dated) < len(parts) else text


def _byline(sel: Selector, anchor: etree._Element) -> str | None:
    for node in _after(anchor, _hinted(sel, _AUTHOR_HINT)):
        hint = f"{node.get('class', '')} {node.get('id', '')}"
        text = node_text(node)
        if not text or len(text) > 80 or any(ch.isdigit() for ch in text):
            continue
        if _SOURCE_HINT.search(hint) and text.lower().startswith("theo "):
            continue  # a re-publication credit, not a person
        return clean_byline(text)
    return _closing_strong(anchor)


def _closing_strong(anchor: etree._Element) -> str | None:
    """A short all-bold paragraph ending the article container (``<p><strong>Trung</strong>``)."""
    container = anchor.getparent()
    if container is None:
        return None
    last = None
    for p in container.iter("p", "div"):
        bold = p.find(".//strong") if p.find(".//strong") is not None else p.find(".//b")
        text = node_text(p)
        if bold is not None and text and len(text) <= 60 and node_text(bold) == text:
            last = text
    return clean_byline(last)


def _lead(sel: Selector, anchor: etree._Element) -> str | None:
    for node in _after(anchor, _hinted(sel, _LEAD_HINT)):
        if node.tag in ("meta", "img", "a"):
            continue
        text = node_text(node)
        if text and 40 <= len(text) <= 1500:
            return text
    return None


def _body(html: str, lead: str | None, author: str | None) -> str | None:
    import trafilatura  # slow to import; only the generic layer needs it

    extracted = trafilatura.extract(
        html, favor_recall=True, include_comments=False, include_tables=True,
        deduplicate=False, with_metadata=False,
    )  # fmt: skip
    if not extracted:
        return None
    paragraphs = [p for p in (clean(line) for line in extracted.split("\n")) if p]
    if lead and paragraphs and paragraphs[0] in lead:
        paragraphs = paragraphs[1:]
    return "\n\n".join(drop_trailing_bylines(paragraphs, author)) or None
