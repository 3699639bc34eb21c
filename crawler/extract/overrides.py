"""A site's own CSS selectors (registry ``[site.selectors]``), applied over the layers.

For the odd site whose theme the family parser misreads: each selector given replaces
that field when it matches, with provenance ``site:selectors``; a selector that matches
nothing leaves the field as the layers found it and records a problem, so a redesign
shows up in the run's problems instead of silently blanking fields.
"""

from __future__ import annotations

from datetime import datetime

from parsel import Selector

from crawler.extract.bylines import clean_byline, split_authors
from crawler.extract.dates import parse_datetime
from crawler.extract.model import Article
from crawler.extract.text import clean, decode_html

TEXT_FIELDS = ("title", "lead", "category")


def _texts(sel: Selector, css: str) -> list[str]:
    out = []
    for node in sel.css(css):
        value = clean(" ".join(node.css("::text").getall()))
        if value:
            out.append(value)
    return out


def apply_selectors(article: Article, html: bytes | str, selectors: dict[str, str],
                    *, now: datetime | None = None) -> Article:
    """Replace the fields named in ``selectors`` by what those selectors find."""
    if not selectors:
        return article
    text, _encoding = decode_html(html)
    sel = Selector(text=text)
    for name, css in selectors.items():
        found = _texts(sel, css) if name in (*TEXT_FIELDS, "published", "author", "body") else None
        if found is None:
            continue  # listing_item / next_page are discovery selectors
        if not found:
            article.problems.append(f"{name}: site selector {css!r} matched nothing")
            continue
        if name in TEXT_FIELDS:
            setattr(article, name, found[0])
        elif name == "published":
            parsed = parse_datetime(found[0], now=now)
            if parsed is None:
                article.problems.append(f"published: site selector text {found[0]!r} is not a date")
                continue
            article.published_at, article.published_raw = parsed, found[0]
        elif name == "author":
            article.author = clean_byline(found[0])
            article.authors = split_authors(article.author)
        else:
            article.text = "\n\n".join(found)
        article.provenance["published_at" if name == "published" else name] = "site:selectors"
    return article
