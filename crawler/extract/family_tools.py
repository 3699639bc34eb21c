"""Small helpers shared by the CMS family parsers (WordPress, Liferay)."""

from __future__ import annotations

from parsel import Selector

from crawler.extract.text import block_texts, clean, node_text


def first(scope: Selector, queries: tuple[str, ...]) -> Selector | None:
    """The first element matched by the first query that matches anything."""
    for css in queries:
        found = scope.css(css)
        if found:
            return found[0]
    return None


def first_text(scope: Selector, queries: tuple[str, ...]) -> str | None:
    """Visible text of the first element of the first matching query that has text."""
    for css in queries:
        for found in scope.css(css):
            value = node_text(found.root)
            if value:
                return value
    return None


def split_lead(body: Selector | None, drop: tuple[str, ...] = ()) -> tuple[str | None, list[str]]:
    """``(lead, paragraphs)`` of a body whose first paragraph is all bold (the sapo).

    Elements matching ``drop`` (share buttons, related posts) are left out.
    """
    if body is None:
        return None, []
    if drop:  # work on a copy: later layers read the same page
        body = Selector(text=body.get()).css("body > *")[0]
    for css in drop:
        for junk in body.css(css):
            junk.root.getparent().remove(junk.root)
    lead = None
    first_p = body.css("p")
    if first_p:
        whole = node_text(first_p[0].root)
        bold = clean(" ".join(first_p[0].css("strong ::text, b ::text").getall()))
        if whole and bold == whole:
            lead = whole
    paragraphs = block_texts(body.root)
    if lead and paragraphs and paragraphs[0] == lead:
        paragraphs = paragraphs[1:]
    return lead, paragraphs
