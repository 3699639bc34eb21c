"""The family parsers and the metadata layer, rewritten on lxml, read what their parsel versions read.

The parsel code they replaced is kept here (the NukeViet parser, the metadata layer,
the WordPress parser and ``split_lead`` as they were, the WordPress and Liferay
selectors run by parsel) and run beside the new code on every real page in
``tests/fixtures``: same fields, same problems.
"""

from __future__ import annotations

import copy
import gzip
import json
from functools import cache
from typing import Any
from urllib.parse import urljoin

import pytest
from parsel import Selector

from crawler.extract import _walked, liferay, metadata, nukeviet, wordpress
from crawler.extract.bylines import clean_byline, drop_trailing_bylines, is_outlet, split_authors
from crawler.extract.dates import parse_datetime
from crawler.extract.family_tools import first, first_text, split_lead
from crawler.extract.select import TagWalk
from crawler.extract.text import block_texts, clean, decode_html, node_text, page_selector
from tests.conftest import FIXTURES

PAGES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name.endswith((".html", ".html.gz")))
URL = "http://portal.example/tin-tuc/bai-viet-1.html"
IDS = {"ids": lambda p: str(p.relative_to(FIXTURES))}


@cache
def _text(path):
    data = path.read_bytes()
    return decode_html(gzip.decompress(data) if path.name.endswith(".gz") else data)[0]


def _sel(path):
    return page_selector(_text(path))


# --- NukeViet, as it was ----------------------------------------------------------------


def _old_nukeviet_detect(sel):
    generator = sel.css("meta[name=generator]::attr(content)").get("") or ""
    if "nukeviet" in generator.lower():
        return True
    return bool(sel.css("#news-bodyhtml")) or bool(sel.xpath("//script[contains(., 'nv_base_siteurl')]"))


def _old_nukeviet_parse(sel):
    scope = _old_scope(sel)
    if scope is None:
        return {}, ["nukeviet: no article block (h1[itemprop=headline] with a body)"]
    raw_date = None
    for candidate in scope.css(", ".join(nukeviet._DATE)):
        raw = node_text(candidate.root)
        if raw and parse_datetime(raw) is not None:
            raw_date = raw
            break
    author_raw = source = None
    for line in scope.css("p.text-right"):
        label = (node_text(line.css("strong")[0].root) if line.css("strong") else "") or ""
        value = clean("".join(line.xpath("./text()").getall()))
        key = label.lower().rstrip(": ")
        if key == nukeviet._AUTHOR_LABEL:
            author_raw = value
        elif key == nukeviet._SOURCE_LABEL:
            source = value
    author = clean_byline(author_raw)
    body = scope.css(", ".join(nukeviet._BODY))
    paragraphs = block_texts(body[0].root) if body else []
    lead = None
    for query in nukeviet._LEAD:
        found = scope.css(query)
        if found:
            lead = node_text(found[0].root)
            break
    names = []
    for item in sel.css(".temp-breadcrumbs li"):
        if item.css("a::attr(href)").get() == "/":
            continue
        name = node_text(item.css("[itemprop=name]")[0].root) if item.css("[itemprop=name]") else None
        if name:
            names.append(name)
    fields = {
        "title": node_text(scope.css("h1[itemprop=headline], h1")[0].root),
        "published_raw": raw_date,
        "published_at": parse_datetime(raw_date),
        "author": author,
        "authors": split_authors(author),
        "source": source,
        "lead": lead,
        "text": "\n\n".join(drop_trailing_bylines(paragraphs, author)) or None,
        "category": " > ".join(names) or None,
    }
    return fields, []


def _old_scope(sel):
    headlines = sel.css("h1[itemprop=headline]")
    if not headlines:
        return None
    node = headlines[0].root
    while node is not None:
        scope = Selector(root=node)
        if scope.css(", ".join(nukeviet._BODY)):
            return scope
        node = node.getparent()
    return None


# --- metadata, as it was ----------------------------------------------------------------


def _old_metadata(sel, url, wanted=None):
    want = set(metadata._FIELDS if wanted is None else wanted)
    item: dict[str, Any] | None = None

    def ld(key):
        nonlocal item
        if item is None:
            item = _old_json_ld(sel)
        return item.get(key)

    def first_value(queries):
        for query in queries:
            value = clean(sel.css(query).get())
            if value:
                return value
        return None

    fields: dict[str, Any] = {}
    if "canonical_url" in want:
        href = clean(
            sel.css("link[rel=canonical]::attr(href)").get()
            or sel.css("meta[property='og:url']::attr(content)").get()
        )
        fields["canonical_url"] = urljoin(url or "", href) if href else url
    if "title" in want:
        fields["title"] = clean(metadata._ld_str(ld("headline"))) or clean(
            sel.css("meta[property='og:title']::attr(content)").get()
        )
    if want & {"published_raw", "published_at"}:
        raw_date = first_value(metadata._PUBLISHED) or metadata._ld_str(ld("datePublished"))
        fields["published_raw"] = clean(raw_date)
        fields["published_at"] = parse_datetime(raw_date)
        if fields["published_at"] is None:
            fields["published_raw"] = None
    if "updated_at" in want:
        modified = first_value(metadata._MODIFIED) or metadata._ld_str(ld("dateModified"))
        fields["updated_at"] = parse_datetime(modified)
    if want & {"author", "authors"}:
        names = [metadata._ld_str(entry) for entry in metadata._as_list(ld("author"))]
        author = ", ".join(n for n in names if n)
        if not author:
            author = sel.css("meta[property='article:author']::attr(content)").get() or ""
            if author.startswith("http"):
                author = ""
        byline = clean_byline(author)
        if (byline and " " not in byline and (byline.islower() or "." in byline)) or is_outlet(byline):
            byline = None
        fields["author"] = byline
        fields["authors"] = split_authors(byline)
    if "category" in want:
        fields["category"] = clean(sel.css("meta[property='article:section']::attr(content)").get()) or clean(
            metadata._ld_str(ld("articleSection"))
        )
    return {key: value for key, value in fields.items() if value}


def _old_json_ld(sel):
    for block in sel.css("script[type='application/ld+json']::text").getall():
        try:
            data = json.loads(block, strict=False)
        except ValueError:
            continue
        for item in metadata._walk(data):
            types = {str(t).lower() for t in metadata._as_list(item.get("@type"))}
            if types & metadata._ARTICLE_TYPES and (item.get("headline") or item.get("datePublished")):
                return item
    return {}


# --- WordPress and the shared helpers, run by parsel --------------------------------------


def _old_first(scope, queries):
    for query in queries:
        found = scope.css(query)
        if found:
            return found[0]
    return None


def _old_first_text(scope, queries):
    for query in queries:
        for found in scope.css(query):
            value = node_text(found.root)
            if value:
                return value
    return None


def _old_split_lead(body, drop=()):
    if body is None:
        return None, []
    if drop:
        body = Selector(root=copy.deepcopy(body.root), type="html")
        for junk in body.css(", ".join(drop)):
            parent = junk.root.getparent()
            if parent is not None:
                parent.remove(junk.root)
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


def _old_wordpress_parse(sel):
    title_node = _old_first(sel, wordpress._TITLE)
    if title_node is None:
        return {}, ["wordpress: no post title (h1.wp-block-post-title / h1.entry-title)"]
    date_node = _old_first(sel, wordpress._DATE)
    published_at = parse_datetime(date_node.root.get("datetime")) if date_node is not None else None
    updated = _old_first(sel, wordpress._UPDATED)
    updated_at = parse_datetime(updated.root.get("datetime")) if updated is not None else None
    author = clean_byline(_old_first_text(sel, wordpress._AUTHOR))
    lead, paragraphs = _old_split_lead(_old_first(sel, wordpress._BODY), wordpress._JUNK)
    fields = {
        "title": node_text(title_node.root),
        "published_raw": node_text(date_node.root) if date_node is not None else None,
        "published_at": published_at,
        "updated_at": updated_at if updated_at and updated_at != published_at else None,
        "author": author,
        "authors": split_authors(author),
        "category": clean(_old_first_text(sel, wordpress._CATEGORY)),
        "lead": lead,
        "text": "\n\n".join(paragraphs) or None,
    }
    problems = [f"wordpress: {name} not found" for name in ("published_at", "author") if not fields[name]]
    return {k: v for k, v in fields.items() if v not in (None, [])}, problems


# --- the comparisons ----------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES, **IDS)
def test_nukeviet_parser_reads_what_its_parsel_version_read(path):
    ours, theirs = _sel(path), _sel(path)
    walk = TagWalk(ours.root, _walked("nukeviet"))
    assert nukeviet.detect(ours, walk) == _old_nukeviet_detect(theirs)
    assert nukeviet.detect(_sel(path)) == _old_nukeviet_detect(theirs)
    assert nukeviet.parse(ours, walk) == _old_nukeviet_parse(theirs)
    assert nukeviet.parse(_sel(path)) == _old_nukeviet_parse(theirs)


@pytest.mark.parametrize("path", PAGES, **IDS)
def test_wordpress_parser_reads_what_parsel_reads(path):
    ours, theirs = _sel(path), _sel(path)
    assert wordpress.parse(ours, TagWalk(ours.root, _walked("wordpress"))) == _old_wordpress_parse(theirs)


@pytest.mark.parametrize("path", PAGES, **IDS)
def test_metadata_reads_what_its_parsel_version_read(path):
    ours, theirs = _sel(path), _sel(path)
    walk = TagWalk(ours.root, _walked(None))
    for wanted in (None, {"canonical_url", "updated_at", "images"}, {"title", "author", "category"}):
        assert metadata.parse(ours, URL, wanted, walk) == _old_metadata(theirs, URL, wanted)
        assert metadata.parse(ours, None, wanted) == _old_metadata(theirs, None, wanted)


@pytest.mark.parametrize("path", PAGES[::3], **IDS)
def test_family_helpers_find_what_parsel_finds(path):
    sel = _sel(path)
    queries = (*liferay._SCOPE, *liferay._TITLE, *liferay._DATE, *liferay._AUTHOR, *liferay._CATEGORY,
               *wordpress._BODY, "h1", "p", "nav a")  # fmt: skip
    for group in (liferay._SCOPE, liferay._TITLE, liferay._DATE, liferay._AUTHOR, liferay._CATEGORY, queries):
        found, expected = first(sel, group), _old_first(sel, group)
        assert getattr(found, "root", None) == getattr(expected, "root", None)
        assert first_text(sel, group) == _old_first_text(sel, group)
        if expected is not None:
            assert first_text(expected, queries) == _old_first_text(expected, queries)
    assert liferay.parse(sel) == liferay.parse(_sel(path))


@pytest.mark.parametrize("path", PAGES[::2], **IDS)
def test_split_lead_without_junk_reads_the_page_itself_as_its_copy(path):
    sel = _sel(path)
    for body in (sel.root, *sel.root.iter("div", "article", "section", "td")):
        for drop in (wordpress._JUNK, ("script",), (".nothing-here",), ()):
            assert split_lead(body, drop) == _old_split_lead(Selector(root=body, type="html"), drop)


def test_split_lead_leaves_junk_out_of_a_copy():
    sel = page_selector(
        "<div class='entry-content'><p><strong>Sapo</strong></p><div class='sharedaddy'>Share</div>"
        "<p>Body <b>bold</b></p><script>x()</script><div class='wp-block-buttons'><a>Btn</a></div></div>"
    )
    body = sel.css(".entry-content")[0].root
    before = block_texts(body)
    theirs = _old_split_lead(Selector(root=body, type="html"), wordpress._JUNK)
    assert split_lead(body, wordpress._JUNK) == theirs
    assert split_lead(body, wordpress._JUNK) == ("Sapo", ["Body bold"])
    assert block_texts(body) == before  # the page itself is untouched
