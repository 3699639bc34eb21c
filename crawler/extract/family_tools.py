"""Small helpers shared by the CMS family parsers (WordPress, Liferay)."""

from __future__ import annotations

import copy
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate

from lxml import etree
from parsel import Selector

from crawler.extract.select import Compound, has_ancestors, parse_chain, predicate, select, select_first
from crawler.extract.select import css as css_select
from crawler.extract.select import tokens as _tokens
from crawler.extract.text import block_texts, clean, node_text


def first(scope: Selector, queries: tuple[str, ...]) -> Selector | None:
    """The first element matched by the first query that matches anything."""
    for query in queries:
        found = select_first(scope.root, query)
        if found is not None:
            return Selector(root=found, type="html")
    return None


def first_text(scope: Selector, queries: tuple[str, ...]) -> str | None:
    """Visible text of the first element of the first matching query that has text."""
    for query in queries:
        for found in select(scope.root, query):
            value = node_text(found)
            if value:
                return value
    return None


class PageIndex:
    """A page's elements by class, indexed in one pass, for selectors run over the whole page.

    Every class selector run through lxml walks the whole document and builds a
    class string per element; a family parser trying a dozen of them spends more
    time there than on everything else. :meth:`select` answers what parsel's
    ``css()`` would, in document order, for descendant chains of compounds like
    ``time.entry-date[datetime]`` or ``a[rel~=category]``; other selectors go to XPath
    (:func:`crawler.extract.select.css`).

    The class lists are also kept joined in one string: a class named nowhere on the
    page is ruled out by one substring search, and the elements carrying one are found
    from where it occurs in that string.
    """

    def __init__(self, sel: Selector) -> None:
        self.sel = sel
        self.root: etree._Element = sel.root
        # One walk in Python costs less than one XPath query with a class test. Elements
        # only: a processing instruction answers get() from its pseudo-attributes. (lxml
        # takes a bytes key as is, where it encodes a str key on every call.)
        elements = self.root.iter(etree.Element)
        self._classed = [(node, names) for node in elements if (names := node.get(b"class"))]
        self._names = [names for _, names in self._classed]
        self._by_class: dict[str, list[etree._Element]] = {}
        self._joined: str | None = None
        self._starts: list[int] = []

    def with_class(self, name: str) -> list[etree._Element]:
        """Elements whose class list holds ``name``, in document order."""
        found = self._by_class.get(name)
        if found is None:
            found = self._by_class[name] = self._find_class(name) if name else []
        return found

    def _find_class(self, name: str) -> list[etree._Element]:
        if self._joined is None:
            # The class lists one after the other; list i starts at _starts[i]. A name
            # found across two lists fails the token test of the list it starts in.
            self._joined = "".join(self._names)
            self._starts = list(accumulate(map(len, self._names), initial=0))
        joined, starts, classed = self._joined, self._starts, self._classed
        found = []
        at = joined.find(name)
        while at >= 0:
            index = bisect_right(starts, at) - 1
            node, names = classed[index]
            if name in _tokens(names):
                found.append(node)
            at = joined.find(name, starts[index + 1])  # on to the next list: one test per element
        return found

    def select(self, css: str) -> list[etree._Element]:
        """Elements matched by ``css``, in document order (the page root included)."""
        return list(self._iter_select(css))

    def first(self, queries: tuple[str, ...]) -> etree._Element | None:
        """The first element matched by the first query that matches anything."""
        for css in queries:
            for node in self._iter_select(css):
                return node
        return None

    def first_text(self, queries: tuple[str, ...]) -> str | None:
        """Visible text of the first element of the first matching query that has text."""
        for css in queries:
            for node in self._iter_select(css):
                value = node_text(node)
                if value:
                    return value
        return None

    def _iter_select(self, css: str) -> Iterator[etree._Element]:
        query = _index_query(css)
        if query is None:
            yield from css_select(self.root, css)
            return
        test, outer, outer_test = query.test, query.outer, query.outer_test
        above = self.root.getparent()  # None for a whole page
        for node in self._candidates(query):
            if not test(node):
                continue
            if outer_test is not None:  # one compound above: the nearest ancestor passing it will do
                parent = node.getparent()
                while parent is not None and parent is not above and not outer_test(parent):
                    parent = parent.getparent()
                if parent is not None and parent is not above:
                    yield node
            elif not outer or has_ancestors(node, outer, above):
                yield node

    def _candidates(self, query: _IndexQuery) -> Iterator[etree._Element]:
        """Elements that may match the query's last compound, in document order, each once.

        Found through the index: the last compound's class, else the descendants of the
        elements carrying the innermost class named further up the chain.
        """
        if query.own_class is not None:
            yield from self.with_class(query.own_class)
            return
        tag = query.tag
        if query.outer_class is None:
            yield from self.root.iter(tag or etree.Element)
            return
        outer: etree._Element | None = None
        for anchor in self.with_class(query.outer_class):
            if outer is not None and any(up is outer for up in anchor.iterancestors()):
                continue  # inside an anchor already walked
            outer = anchor
            found = anchor.iter(tag or etree.Element)
            yield from (node for node in found if node is not anchor)


class _IndexQuery:
    """A descendant chain as :class:`PageIndex` runs it."""

    def __init__(self, chain: tuple[Compound, ...]) -> None:
        tag, classes, _attrs = chain[-1]
        self.test = predicate(chain[-1], True)  # the last compound, tag included
        self.outer = chain[:-1]
        self.outer_test = predicate(chain[0], True) if len(chain) == 2 else None
        self.tag = tag
        self.own_class = classes[0] if classes else None
        named = [compound[1][0] for compound in chain[:-1] if compound[1]]
        self.outer_class = named[-1] if named else None


@lru_cache(maxsize=256)
def _index_query(css: str) -> _IndexQuery | None:
    parsed = parse_chain(css)
    if parsed is None or parsed[1] is not None:
        return None
    return _IndexQuery(parsed[0])


def split_lead(
    body: Selector | etree._Element | None, drop: tuple[str, ...] = ()
) -> tuple[str | None, list[str]]:
    """``(lead, paragraphs)`` of a body whose first paragraph is all bold (the sapo).

    Elements matching ``drop`` (share buttons, related posts) are left out.
    """
    if body is None:
        return None, []
    root: etree._Element = body.root if isinstance(body, Selector) else body
    if drop:
        junk_query = ", ".join(drop)
        if select_first(root, junk_query) is not None:  # work on a copy (later layers read the same page)
            root = copy.deepcopy(root)
            for junk in select(root, junk_query):
                parent = junk.getparent()
                if parent is not None:  # the body itself matched: nothing to leave out
                    parent.remove(junk)
    lead = None
    first_p = select_first(root, "p")
    if first_p is not None:
        whole = node_text(first_p)
        bold = clean(" ".join(texts_within(first_p, ("strong", "b"))))
        if whole and bold == whole:
            lead = whole
    paragraphs = block_texts(root)
    if lead and paragraphs and paragraphs[0] == lead:
        paragraphs = paragraphs[1:]
    return lead, paragraphs


def texts_within(node: etree._Element, tags: tuple[str, ...]) -> list[str]:
    """The text nodes inside elements named ``tags`` (``node`` included), in document order,
    each once: what ``Selector(root=node).css("strong ::text, b ::text").getall()`` gives."""
    out: list[str] = []
    _texts_within(node, frozenset(tags), False, out)
    return out


def _texts_within(node: etree._Element, tags: frozenset[str], inside: bool, out: list[str]) -> None:
    tag = node.tag
    if not isinstance(tag, str):
        return  # a comment's text is no text node; its tail is its parent's
    inside = inside or tag in tags
    if inside and node.text:
        out.append(node.text)
    for child in node:
        _texts_within(child, tags, inside, out)
        if inside and child.tail:
            out.append(child.tail)
