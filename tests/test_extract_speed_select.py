"""The selection and text fast paths give what parsel and the plain code they replace give.

``crawler.extract.select`` answers CSS selectors without parsel (compiled XPath, or
walks by tag with the rest of the selector checked in Python, elements of some tags
collected in one walk); ``PageIndex`` finds classes through one joined string; the text
helpers skip work when a test on the whole text says it is not needed. Each is compared
here with parsel's ``Selector.css`` or with the code it replaced, on every real page in
``tests/fixtures`` and on markup built to hit the edge cases.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache

import pytest
from lxml import etree
from parsel import Selector

from crawler.extract import liferay, metadata, nukeviet, wordpress
from crawler.extract.family_tools import PageIndex, texts_within
from crawler.extract.nukeviet import _own_text
from crawler.extract.select import TagWalk, css, first, select, select_first
from crawler.extract.text import (
    _CONTROL_BYTES,
    BLOCK_TAGS,
    SKIP_TAGS,
    _visible,
    block_texts,
    clean,
    decode_html,
    has_controls,
    looks_binary,
    node_text,
    page_selector,
    strip_controls,
)
from tests.conftest import FIXTURES

PAGES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name.endswith((".html", ".html.gz")))
# Every selector the layers run, and more of the shapes select() walks by tag or hands to XPath.
SELECTORS = tuple(dict.fromkeys((
    *nukeviet._BODY, *nukeviet._LEAD, *nukeviet._DATE, ", ".join(nukeviet._DATE), ", ".join(nukeviet._BODY),
    "h1[itemprop=headline]", "h1[itemprop=headline], h1", "p.text-right", "strong", "a::attr(href)",
    "[itemprop=name]", ".temp-breadcrumbs li", "meta[name=generator]::attr(content)",
    *metadata._PUBLISHED, *metadata._MODIFIED, "link[rel=canonical]::attr(href)",
    "meta[property='og:url']::attr(content)", "meta[property='og:title']::attr(content)",
    "meta[property='article:section']::attr(content)", "meta[property='article:author']::attr(content)",
    "script[type='application/ld+json']::text",
    *wordpress._TITLE, *wordpress._DATE, *wordpress._UPDATED, *wordpress._AUTHOR, *wordpress._CATEGORY,
    *wordpress._BODY, ", ".join(wordpress._JUNK), "p",
    *liferay._SCOPE, *liferay._TITLE, *liferay._DATE, *liferay._AUTHOR, *liferay._CATEGORY,
    "*", "div *", "div p", "ul li a", "ul li", "li a span", "body div div", ".a.b", "div#x.y[z]",
    "[rel~=tag]", "A[HREF]", "DIV.Entry-Content", "p::attr(CLASS)", "a::attr(data-x)", "img::attr(src)",
    "[class*=wp-block-]", "a[href^='/rss/']", "li:first-child", "div > p", "p, div.x, #y", "a, a",
    "span::text", "[id]", "[lang=vi]", "html", "meta, link", "p *", "time[datetime], span.h5",
)))  # fmt: skip
TRICKY = """<html class="top"><head><meta name=generator content="NukeViet v4"><meta name=generator>
<link rel=canonical><link rel=canonical href="/c"></head><body class=" outer\tpost\n">
<div id="x" class="y" z><p class="a b">one <b>bold <strong>nested</strong></b><!-- c --> tail</p></div>
<ul class="temp-breadcrumbs"><li><a href="/">Home</a></li><li class="temp-breadcrumbs"><ul>
<li><span itemprop=name> Sub </span></li></ul></li></ul><li>outside</li>
<div class="temp-breadcrumbs x"><div><li>deep</li></div></div>
<h1 itemprop=headline>Title</h1><h1>Other</h1><P CLASS="text-right"><strong>Nguồn tin:</strong> X</P>
<div class="wp-block-post-date"><div class="wp-block-post-date __modified">
<time datetime="2025-01-02T03:04:05+07:00">2 Tháng Một</time></div><time datetime="">no</time></div>
<DIV CLASS="Entry-Content entry-content"><p><strong>Lead</strong><!-- x --><b> too</b></p>
<script>s</script></DIV>
<a rel=" tag\tcategory " href="/c">Cat</a><a rel="category" href="">Only</a><a>none</a>
<?pi class="y" href="x"?><span lang=vi itemprop=name>vi</span><em class=time>10:00 20/06/2025</em>
</body></html>"""


@cache
def _page_bytes(path):
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _roots(path):
    """The page as the extractor parses it, and as parsel would."""
    text = decode_html(_page_bytes(path))[0]
    return page_selector(text).root, Selector(text=strip_controls(text), type="html")


def _theirs(node, query):
    return [found.root for found in Selector(root=node, type="html").css(query)]


def _scopes(root):
    """A few elements inside the page, some of them matched by an outer step."""
    elements = list(root.iter(etree.Element))
    picked = elements[len(elements) // 4 :: max(1, len(elements) // 3)]
    return picked + [node for node in elements if "temp-breadcrumbs" in (node.get("class") or "")][:1]


def _check_page(root, scoped=True):
    walk = TagWalk(root, ("h1", "li", "meta", "link", "a", "p"))
    for scope in [root, *(_scopes(root) if scoped else [])]:
        for query in SELECTORS:
            try:
                expected = _theirs(scope, query)
            except ValueError:  # parsel refuses it too (:first-child on some pages is fine)
                continue
            assert css(scope, query) == expected, query
            assert select(scope, query) == expected, (query, scope.tag)
            assert select_first(scope, query) == (expected[0] if expected else None), query
            assert first(scope, query) == (expected[0] if expected else None), query
            assert select(scope, query, walk) == expected, (query, scope.tag)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_select_finds_what_parsel_finds_on_real_pages(path):
    _check_page(_roots(path)[0], scoped=PAGES.index(path) % 3 == 0)


def test_select_finds_what_parsel_finds_on_tricky_markup():
    root = page_selector(TRICKY).root
    _check_page(root)
    assert [node.text for node in select(root, ".temp-breadcrumbs li")] == [None, None, None, "deep"]
    assert select_first(root, "meta[name=generator]::attr(content)") == "NukeViet v4"
    assert select_first(root, "link[rel=canonical]::attr(href)") == "/c"
    assert select(root, "a::attr(href)") == ["/", "/c", ""]


def test_page_parsed_by_the_extractor_is_parsels_tree():
    for path in PAGES[::10]:
        ours, theirs = _roots(path)
        assert etree.tostring(ours) == etree.tostring(theirs.root)


def test_tag_walk_lists_each_tag_in_document_order():
    root = page_selector(TRICKY).root
    walk = TagWalk(root, ("li", "meta", "h1"))
    for tag in ("li", "meta", "h1"):
        assert walk.elements(tag) == list(root.iter(tag))


@pytest.mark.parametrize("path", PAGES[::4], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_page_index_finds_classes_as_a_token_scan(path):
    root = _roots(path)[0]
    index = PageIndex(Selector(root=root, type="html"))
    names = {name for node in root.iter(etree.Element) for name in (node.get("class") or "").split()}
    names |= {"wp-block-post", "post-content", "a", "-", "zz-none", "block-post-title"}  # parts of others
    for name in sorted(names):
        elements = root.iter(etree.Element)
        expected = [node for node in elements if name in re.split("[ \t\r\n]+", node.get("class") or "")]
        assert index.with_class(name) == expected, name


def test_page_index_class_across_two_lists_is_not_found():
    root = page_selector('<p class="ab"></p><p class="cd"></p><p class="b c"></p><p class="bc x"></p>').root
    index = PageIndex(Selector(root=root, type="html"))
    assert [node.get("class") for node in index.with_class("bc")] == ["bc x"]
    assert index.with_class("") == []


@pytest.mark.parametrize("path", PAGES[::3], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_texts_within_and_own_text_give_what_xpath_gives(path):
    root = _roots(path)[0]
    for node in list(root.iter("p", "div", "li", "strong"))[:200]:
        theirs = Selector(root=node, type="html")
        assert texts_within(node, ("strong", "b")) == theirs.css("strong ::text, b ::text").getall()
        assert _own_text(node) == theirs.xpath("./text()").getall()


def test_texts_within_on_tricky_markup():
    root = page_selector(TRICKY).root
    for node in root.iter(etree.Element):
        theirs = Selector(root=node, type="html")
        assert texts_within(node, ("strong", "b")) == theirs.css("strong ::text, b ::text").getall()
        assert _own_text(node) == theirs.xpath("./text()").getall()


# --- text: the code the fast paths replaced ---------------------------------------------


def _old_collect_text(node, out):
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in SKIP_TAGS:
        return
    block = tag in BLOCK_TAGS or tag == "br"
    if block:
        out.append("\n")
    if node.text and tag:
        out.append(node.text)
    for child in node:
        _old_collect_text(child, out)
        if child.tail:
            out.append(child.tail)
    if block:
        out.append("\n")


def _old_collapse(value):
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value
    return " ".join(value.split())


def _old_block_texts(node):
    parts = []
    _old_collect_text(node, parts)
    raw = unicodedata.normalize("NFC", _visible("".join(parts)))
    return [line for line in map(_old_collapse, raw.split("\n")) if line]


def _old_node_text(node):
    parts = []
    _old_collect_text(node, parts)
    value = "".join(parts)
    if any(char in value for char in "\u200b\u200c\u200d\u2060\ufeff\u00ad"):
        value = value.translate(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad")))
    return _old_collapse(unicodedata.normalize("NFC", value)) or None


@pytest.mark.parametrize("path", PAGES[::2], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_block_texts_and_node_text_as_before(path):
    root = _roots(path)[0]
    for node in [root, *list(root.iter(etree.Element))[::7]]:
        assert block_texts(node) == _old_block_texts(node)
        assert node_text(node) == _old_node_text(node)


@pytest.mark.parametrize(
    "html",
    [
        "<div><p>a</p><p>b c</p></div>",  # every line collapsed: the whole-text test passes
        "<div><p> a</p><p>b </p></div>",
        "<div>\n  <p>a</p>\n\t<p>b\u00a0c</p></div>",
        "<div><p>a  b</p><br> <br>x<!-- c -->y<?pi x?></div>",
        "<div><p>a\u2028b</p><p>\u3000</p><p>\u200bz\u00ad</p></div>",
        "<div><p>Vie\u0302\u0323t</p> \n <p>x\u0085y</p></div>",
        "<div>  </div>",
        "<div></div>",
    ],
)
def test_block_texts_fast_test_on_edge_cases(html):
    node = Selector(text=html, type="html").css("div")[0].root
    assert block_texts(node) == _old_block_texts(node)
    assert node_text(node) == _old_node_text(node)


def test_visible_and_clean_as_before():
    invisible = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
    for value in ("a\u200bb", "x\u00ad", "\ufeff", "plain", "", "\u2060 \u200c\u200d"):
        assert _visible(value) == value.translate(invisible)
        assert clean(value) == (_old_collapse(unicodedata.normalize("NFC", _visible(value))) or None)


@pytest.mark.parametrize(
    "data",
    [b"<p>ok</p>", b"<p>a\x00b</p>", b"\x01", b"\x7f<p>", b"<p>\t\n\r ok</p>", b"\x1f", b"\x0b\x0c", b"\x0e",
     "<p>Việt Nam \u0085 \u00a0</p>".encode(), b""],
)  # fmt: skip
def test_has_controls_is_what_deleting_them_tells(data):
    assert has_controls(data) == (len(data.translate(None, _CONTROL_BYTES)) != len(data))
    text = data.decode("utf-8")
    if not has_controls(data):
        assert looks_binary(text, controls=False) == looks_binary(text)
        assert etree.tostring(page_selector(text, data, cleaned=data).root) == etree.tostring(
            page_selector(text).root
        )


@pytest.mark.parametrize("path", PAGES[::3], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_page_without_controls_is_parsed_from_its_own_bytes(path):
    data = _page_bytes(path)
    text, encoding = decode_html(data)
    assert has_controls(data) == (len(data.translate(None, _CONTROL_BYTES)) != len(data))
    if encoding == "utf-8" and not data.startswith(b"\xef\xbb\xbf") and not has_controls(data):
        assert looks_binary(text, controls=False) == looks_binary(text)
        ours = page_selector(text, data, cleaned=data).root
        assert etree.tostring(ours) == etree.tostring(Selector(text=strip_controls(text), type="html").root)


@pytest.mark.parametrize("text", ["\ufffd" * 10 + "a" * 100, "a" * 30000 + "\ufffd" * 5000, "\ufffd", "ok"])
def test_looks_binary_without_controls_counts_marks_as_before(text):
    assert looks_binary(text, controls=False) == looks_binary(text)
