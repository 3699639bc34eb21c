"""Generic fallback for unknown layouts: what the page shows, then trafilatura for the body.

``displayed()`` reads the fields a reader sees (headline, date line, byline, sapo) by
common class names and by agreement with the page's own ``<title>`` / og:title.
``fallback()`` takes ``<title>`` and asks trafilatura for the main text: the only slow
step, and the only place trafilatura is called.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from lxml import etree
from parsel import Selector

from crawler.extract.body import extract_body
from crawler.extract.bylines import credit, drop_trailing_bylines, split_authors
from crawler.extract.datelines import date_lines, in_furniture
from crawler.extract.dates import parse_datetime
from crawler.extract.rendered import render_script_text
from crawler.extract.text import block_texts, clean, node_text

MIN_BODY_WORDS = 5  # below this trafilatura found a menu or a label, not a body
MAX_BODY_CHARS = 5_000_000  # trafilatura on bigger pages takes seconds; skip it
_HEADING_TAGS = ("h1", "h2", "h3", "h4")
_TITLE_SEPARATORS = (" - ", " | ", " – ", ": ", "-", "|")
_DATE_HINT = re.compile(r"date|time|publish|ngay|posted|timestamp", re.IGNORECASE)
_AUTHOR_HINT = re.compile(r"author|byline|tacgia|tac-gia|writer|nguon|source", re.IGNORECASE)
_LEAD_HINT = re.compile(r"sapo|lead|summary|desc|intro|head-noidung|init_content|phead", re.I)
_RIGHT = re.compile(r"right", re.IGNORECASE)
_SOCIAL = re.compile(
    r"facebook\.com|fb\.com|twitter\.com|x\.com/|zalo\.me|youtube\.com|tiktok\.com|instagram", re.I
)
_COUNTS = re.compile(r"\([^()]*\d[^()]*\)")  # "( 6816 bình chọn, 9 / 10 điểm)"
_CONNECTORS = {"-", "–", "và", "&", "/"}
_NEAR, _FAR = 40, 150  # positions (elements in document order) around the headline
_SKIP = ("head", "script", "style", "noscript", "nav", "footer", "select", "option")


def displayed(sel: Selector, *, now: datetime | None) -> dict[str, Any]:
    """Headline, date line, byline and sapo as shown (values only)."""
    if isinstance(sel.root, etree._Element):
        render_script_text(sel.root)
    page = _Page(sel)
    heading = _headline(sel, page)
    fields: dict[str, Any] = {"title": node_text(heading) if heading is not None else None}
    raw_date, raw_updated = _datelines(page, heading, now)
    if raw_updated:
        fields["updated_at"] = parse_datetime(raw_updated, now=now)
    raw_date = raw_date or raw_updated  # only an update stamp shown: the best publication time
    if raw_date:
        fields["published_raw"] = raw_date
        fields["published_at"] = parse_datetime(raw_date, now=now)
    author, source = _byline(page, heading)
    if author:
        fields["author"] = author
        fields["authors"] = split_authors(author)
    fields["source"] = source
    fields["lead"] = _lead(page, heading)
    return {key: value for key, value in fields.items() if value}


def fallback(
    sel: Selector, html: str, *, wanted: set[str], known: dict[str, Any], url: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Last resort: ``<title>`` for the headline; our body scorer, then trafilatura, for the body.

    ``known`` holds the fields earlier layers settled (title, lead, author), which the
    body must not repeat.
    """
    fields: dict[str, Any] = {}
    problems: list[str] = []
    if "title" in wanted:
        fields["title"] = _title_tag(sel)
    if "text" in wanted:
        if len(html) > MAX_BODY_CHARS:
            problems.append(f"text: page too large for the generic layer ({len(html)} chars)")
        else:
            fields.update(_own_body(sel, known, url) or {"text": _body(html, known)})
    return {k: v for k, v in fields.items() if v}, problems


def _own_body(sel: Selector, known: dict[str, Any], url: str | None) -> dict[str, Any] | None:
    if not isinstance(sel.root, etree._Element):
        return None
    found = extract_body(
        sel.root, url=url, title=known.get("title"), lead=known.get("lead"), author=known.get("author")
    )
    if found is None:
        return None
    text = "\n\n".join(found.paragraphs)
    if len(text.split()) < MIN_BODY_WORDS:
        return None
    fields: dict[str, Any] = {"text": text, "images": found.images}
    for line in found.credits:  # the byline and source lines that closed the body
        author, source = credit_line(line)
        fields.setdefault("source", source)
        if author and not known.get("author"):
            fields.setdefault("author", author)
            fields.setdefault("authors", split_authors(author))
    return {key: value for key, value in fields.items() if value is not None}


class _Page:
    """Body elements in document order (menus, scripts, forms left out), indexed once."""

    def __init__(self, sel: Selector) -> None:
        self.nodes: list[etree._Element] = []
        body = sel.root.find("body") if isinstance(sel.root, etree._Element) else None
        stack = list(reversed(body)) if body is not None else []
        while stack:  # depth-first, document order, without recursion (deep junk pages)
            node = stack.pop()
            if isinstance(node.tag, str) and node.tag not in _SKIP:
                self.nodes.append(node)
                stack.extend(reversed(node))
        self.position = {id(node): i for i, node in enumerate(self.nodes)}

    def hinted(self, pattern: re.Pattern[str]) -> list[etree._Element]:
        return [n for n in self.nodes if pattern.search(f"{n.get('class', '')} {n.get('id', '')}")]

    def tagged(self, *tags: str) -> list[etree._Element]:
        return [n for n in self.nodes if n.tag in tags]

    def near(
        self,
        anchor: etree._Element | None,
        nodes: list[etree._Element],
        *,
        window: int,
        after_only: bool = False,
    ) -> list[etree._Element]:
        """``nodes`` within ``window`` positions of ``anchor``, nearest first."""
        start = self.position.get(id(anchor), 0)
        out = []
        for node in nodes:
            distance = self.position[id(node)] - start
            if abs(distance) <= window and (distance >= 0 or not after_only):
                out.append((abs(distance), node))
        return [node for _, node in sorted(out, key=lambda pair: pair[0])]


def _page_titles(sel: Selector) -> list[str]:
    queries = ("meta[property='og:title']::attr(content)", "title::text",
               "meta[name=title]::attr(content)")  # fmt: skip
    return [t for t in (clean(sel.css(q).get()) for q in queries) if t]


def _headline(sel: Selector, page: _Page) -> etree._Element | None:
    """The first heading that the page's ``<title>``/og:title starts with."""
    references = _page_titles(sel)
    best: tuple[int, int, etree._Element] | None = None
    headings = [n for n in page.nodes if n.tag in _HEADING_TAGS or "title" in n.get("class", "").lower()]
    for order, node in enumerate(headings):
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


def _datelines(page: _Page, anchor: etree._Element | None, now: datetime | None) -> tuple[str | None, ...]:
    """Date-classed elements near the headline, then any element right next to it."""
    hinted = page.near(anchor, page.hinted(_DATE_HINT), window=_FAR)
    nearby = page.near(anchor, page.nodes, window=_NEAR)
    return date_lines(hinted + nearby, now)


def _byline(page: _Page, anchor: etree._Element | None) -> tuple[str | None, str | None]:
    """``(author, source)``: author-classed elements near the headline, then right-aligned lines.

    Comments, news lists and social links are never bylines.
    """
    hinted = page.hinted(_AUTHOR_HINT)
    right = [n for n in page.nodes if _RIGHT.search(f"{n.get('align', '')} {n.get('style', '')}")]
    candidates = page.near(anchor, hinted, window=_FAR * 4) + page.near(
        anchor, right, window=_FAR * 4, after_only=True
    )
    start = page.position.get(id(anchor), 0)
    candidates.sort(key=lambda n: abs(page.position[id(n)] - start))
    author = source = None
    for node in candidates:
        if in_furniture(node) or _social(node):
            continue
        for line in block_texts(node)[:2]:  # "H.V." then "Ảnh: Misso"
            found_author, found_source = credit_line(line)
            author, source = author or found_author, source or found_source
        if author and source:
            break
    return author, source


def _social(node: etree._Element) -> bool:
    links = [node, *node.iterancestors("a")] if node.tag == "a" else list(node.iterancestors("a"))
    links += list(node.iter("a"))
    return any(_SOCIAL.search(link.get("href", "")) for link in links)



def credit_line(text: str | None) -> tuple[str | None, str | None]:
    """``(author, source)`` of a short credit line; ``(None, None)`` for prose."""
    if not text or len(text) > 120:
        return None, None
    if "|" in text:  # "Theo Ngoisao | 25/12/2012 10:25"
        parts = [credit_line(part) for part in text.split("|") if not re.search(r"\d", part)]
        return next((p[0] for p in parts if p[0]), None), next((p[1] for p in parts if p[1]), None)
    author, source = credit(_COUNTS.sub("", text).strip())
    if author is None:
        return None, source
    if len(author) > 50 or len(author.split()) > 7 or re.search(r"\d", author):
        return None, None
    words = [w for w in re.split(r"[\s,]+", author) if w not in _CONNECTORS]
    return (author, source) if words and all(w[0].isupper() for w in words) else (None, None)


def _lead(page: _Page, anchor: etree._Element | None) -> str | None:
    """A sapo-classed element near the headline, else an ``h2`` just under it."""
    hinted = page.near(anchor, page.hinted(_LEAD_HINT), window=_FAR, after_only=True)
    h2 = page.near(anchor, page.tagged("h2"), window=_NEAR, after_only=True)
    for node in hinted + h2:
        if node.tag in ("img", "a", "span", "time"):
            continue
        text = node_text(node)
        if text and 40 <= len(text) <= 1500:
            return text
    return None


def _body(html: str, known: dict[str, Any]) -> str | None:
    import trafilatura  # slow to import; only the generic layer needs it

    extracted = trafilatura.extract(
        html, favor_recall=True, include_comments=False, include_tables=True,
        deduplicate=False, with_metadata=False,
    )  # fmt: skip
    if not extracted:
        return None
    lead, author = known.get("lead"), known.get("author")
    paragraphs = [p for p in (clean(line) for line in extracted.split("\n")) if p]
    if lead and paragraphs and paragraphs[0] in lead:
        paragraphs = paragraphs[1:]
    text = "\n\n".join(drop_trailing_bylines(paragraphs, author))
    return text if len(text.split()) >= MIN_BODY_WORDS else None
