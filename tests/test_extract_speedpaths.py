"""The fast paths of extraction give what the plain ways they replace give.

Each fast path (one shared parser, the class index behind the family selectors,
whole-text cleaning, metadata limited to the fields still open) is compared here
with the straightforward code it stands for, on real fixture pages and on markup
built to hit the edge cases.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from lxml import etree
from parsel import Selector

from crawler.extract import metadata, wordpress
from crawler.extract.family_tools import PageIndex
from crawler.extract.legacy import _VIET_LETTER, SAMPLE, has_unicode_vietnamese
from crawler.extract.text import (
    _INVISIBLE,
    block_texts,
    clean,
    decode_html,
    looks_binary,
    node_text,
    page_selector,
    strip_controls,
)
from tests.conftest import FIXTURES

PAGES = {
    "wordpress block": FIXTURES / "families/wordpress/V1/block/page.html",
    "wordpress classic": FIXTURES / "families/wordpress/V1/classic/page.html",
    "liferay": FIXTURES / "families/liferay/V1/asset_publisher/page.html",
    "nukeviet": next(iter(sorted((FIXTURES / "nukeviet/articles").glob("*.html*")))),
    "news": next(iter(sorted((FIXTURES / "articles").glob("*.html")))),
}
TRICKY = """<html class="top"><body class=" outer\tpost\n">
<div class="wp-block-post-date"><div class="wp-block-post-date __modified">
<time datetime="2025-01-02T03:04:05+07:00">2 Tháng Một</time></div>
<time datetime="">no time</time></div>
<DIV CLASS="Entry-Content entry-content"><P>x</P></DIV>
<article><header class="entry-header"><section><h1>Deep</h1></section></header></article>
<span class="author vcard"><i class="fn">A</i><a href="/a">B</a></span>
<span class="byline"><span class="byline author">C</span></span>
<a rel=" tag\tcategory " href="/c">Cat</a><a rel="category" href="/d">Only</a>
<link rel="canonical" href="/x"><!-- class="entry-content" -->
<p class="cat-links"><a rel="category tag">In</a><a rel="categorytag">Not</a></p>
</body></html>"""
SELECTORS = (
    *wordpress._TITLE, *wordpress._DATE, *wordpress._UPDATED, *wordpress._AUTHOR,
    *wordpress._CATEGORY, *wordpress._BODY,
    ".top", ".outer", ".post", "body.post", ".top .post", "html p", "p", "*", "a[href]",
    "link[rel=canonical]", "a[rel='category']", "[rel~=tag]", ".wp-block-post-date .wp-block-post-date",
    ".wp-block-post-date time", "div > time", "p:first-child", "[class*=wp-block-]", "a[rel~='a b']",
)  # fmt: skip


def _page(path):
    return page_selector(decode_html(path.read_bytes())[0])


@pytest.mark.parametrize("name", [*PAGES, "tricky"])
def test_page_index_selects_what_parsel_selects(name):
    sel = Selector(text=TRICKY, type="html") if name == "tricky" else _page(PAGES[name])
    index = PageIndex(sel)
    for css in SELECTORS:
        assert index.select(css) == [found.root for found in sel.css(css)], css


def test_page_index_scoped_to_a_subtree_stays_inside_it():
    sel = Selector(text=TRICKY, type="html")
    scope = sel.css(".wp-block-post-date")[0]
    for css in (".outer time", ".wp-block-post-date time", "time", ".__modified", "body div"):
        assert PageIndex(scope).select(css) == [found.root for found in scope.css(css)], css


def test_page_index_first_and_first_text_follow_query_order():
    index = PageIndex(Selector(text=TRICKY, type="html"))
    assert index.first(("h2.none", "time[datetime]", "p")).get("datetime") == "2025-01-02T03:04:05+07:00"
    assert index.first((".none",)) is None
    assert index.first_text((".none", ".author.vcard a", ".fn")) == "B"


@pytest.mark.parametrize(
    "text",
    [
        "<p>a\x00b\x01c\x1fd\x7f</p>",
        "\x0b \t<p>x</p>\n\x0c",
        "\u00a0\u3000<p>wide</p>\u2028",
        "\x01\u00a0<p>control then nbsp</p>",
        " <p>Việt Nam</p> ",
        "\x00\x01 ",
        "\u3000",
        "plain text, no tags",
        "\ufeff<html><body><p>bom</p></body></html>",
    ],
    ids=["controls", "ascii-space-ends", "unicode-space-ends", "control-before-nbsp", "vietnamese",
         "controls-only", "ideographic-space-only", "no-tags", "bom-char"],
)  # fmt: skip
def test_page_selector_builds_parsels_tree(text):
    ours = page_selector(text)
    theirs = Selector(text=strip_controls(text), type="html")
    assert etree.tostring(ours.root, encoding="unicode") == etree.tostring(theirs.root, encoding="unicode")
    if text.isprintable():
        given = page_selector(text, text.encode("utf-8"))
        assert etree.tostring(given.root, encoding="unicode") == etree.tostring(ours.root, encoding="unicode")


def _clean_reference(value):
    value = unicodedata.normalize("NFC", value.translate(_INVISIBLE))
    return re.sub(r"\s+", " ", value).strip() or None


ODD_TEXTS = [
    "  Tiêu\u00a0đề \t bài\u200b viết  ",
    "Vie\u0302\u0323t Nam\u00ad",
    "a\u2028b\u2029c\x85d\u3000e\u202ff",
    "x\u200b\u200c\u200d\u2060\ufeff",
    "\n\r\x0b\x0c",
    "one two",
    "",
]


@pytest.mark.parametrize("value", ODD_TEXTS)
def test_clean_collapses_as_the_regex_did(value):
    assert clean(value) == _clean_reference(value)


def test_block_texts_clean_each_line_as_before():
    html = (
        "<div><p>  Mở\u00a0đầu\u200b  </p><p>Vie\u0302\u0323t<br>Nam\u2028x</p>"
        "<ul><li>\t</li><li>  một  </li></ul>\u3000tail<script>x</script> after\u00ad</div>"
    )
    node = Selector(text=html, type="html").css("div")[0].root
    raw = _raw_text(node)
    assert block_texts(node) == [c for c in map(_clean_reference, raw.split("\n")) if c]
    assert node_text(node) == _clean_reference(raw)


def _raw_text(node):
    """Text and tails with a newline around blocks, as the old generator gave them."""
    out = []

    def walk(n):
        tag = n.tag if isinstance(n.tag, str) else ""
        if tag in ("script", "style"):
            return
        block = tag in ("div", "p", "li", "ul", "br")
        if block:
            out.append("\n")
        if n.text and tag:
            out.append(n.text)
        for child in n:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if block:
            out.append("\n")

    walk(node)
    return "".join(out)


@pytest.mark.parametrize(
    "text",
    ["<p>ok</p>", "\x01\x02\x03" * 50 + "x" * 100, "\ufffd" * 10 + "a" * 100, "\ud800\x01" * 3 + "a", ""],
    ids=["html", "controls", "replacement-marks", "lone-surrogates", "empty"],
)
def test_looks_binary_counts_as_before(text):
    sample = text[:20000]
    bad = len(re.findall(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", sample)) + sample.count("\ufffd")
    assert looks_binary(text) == (bool(sample) and bad / len(sample) > 0.05)


@pytest.mark.parametrize("count", [0, 19, 20, 21, 100])
def test_has_unicode_vietnamese_stops_counting_at_enough(count):
    text = "<style>" + "x" * 1000 + "</style>" + "ạ " * count
    assert has_unicode_vietnamese(text) == (len(_VIET_LETTER.findall(text, 0, SAMPLE)) >= 20)


@pytest.mark.parametrize("name", PAGES)
def test_metadata_for_some_fields_matches_all_fields(name):
    sel = _page(PAGES[name])
    everything = metadata.parse(sel, "https://example.vn/a")
    for wanted in ({"canonical_url", "updated_at"}, {"author"}, {"published_at"}, {"category"}, set()):
        some = metadata.parse(sel, "https://example.vn/a", wanted)
        linked = {"published_raw", "published_at"} if wanted & {"published_raw", "published_at"} else set()
        linked |= {"author", "authors"} if wanted & {"author", "authors"} else set()
        assert some == {k: v for k, v in everything.items() if k in wanted | linked}
