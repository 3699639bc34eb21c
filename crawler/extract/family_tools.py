"""Small helpers shared by the CMS family parsers (WordPress, Liferay)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import lru_cache

import cssselect
from lxml import etree
from parsel import Selector

from crawler.extract.text import block_texts, clean, node_text

_XML_SPACE = re.compile("[ \t\r\n]+")  # what XPath's normalize-space() splits on


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


class PageIndex:
    """A page's elements by class, indexed in one pass, for selectors run over the whole page.

    Every class selector run through lxml walks the whole document and builds a
    class string per element; a family parser trying a dozen of them spends more
    time there than on everything else. :meth:`select` answers what parsel's
    ``css()`` would, in document order, for descendant chains of compounds like
    ``time.entry-date[datetime]`` or ``a[rel~=category]``; other selectors go to parsel.
    """

    def __init__(self, sel: Selector) -> None:
        self.sel = sel
        self.root: etree._Element = sel.root
        # One walk in Python costs less than one XPath query with a class test.
        self._classed = [(node, names) for node in self.root.iter() if (names := node.get("class"))]
        self._by_class: dict[str, list[etree._Element]] = {}

    def with_class(self, name: str) -> list[etree._Element]:
        """Elements whose class list holds ``name``, in document order."""
        found = self._by_class.get(name)
        if found is None:
            found = [node for node, names in self._classed if name in names and name in _tokens(names)]
            self._by_class[name] = found
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
        chain = _compile(css)
        if chain is None:
            yield from (found.root for found in self.sel.css(css))
            return
        last = chain[-1]
        above = self.root.getparent()  # None for a whole page
        for node in self._candidates(chain):
            if _matches(node, last) and _has_ancestors(node, chain[:-1], above):
                yield node

    def _candidates(self, chain: tuple[_Compound, ...]) -> Iterator[etree._Element]:
        """Elements that may match ``chain``'s last compound, in document order, each once.

        Found through the index: the last compound's class, else the descendants of the
        elements carrying the innermost class named further up the chain.
        """
        tag, classes, _attrs = chain[-1]
        if classes:
            yield from self.with_class(classes[0])
            return
        named = [compound[1][0] for compound in chain[:-1] if compound[1]]
        if not named:
            yield from self.root.iter(tag) if tag else self.root.iter()
            return
        outer: etree._Element | None = None
        for anchor in self.with_class(named[-1]):
            if outer is not None and any(up is outer for up in anchor.iterancestors()):
                continue  # inside an anchor already walked
            outer = anchor
            found = anchor.iter(tag) if tag else anchor.iter()
            yield from (node for node in found if node is not anchor)


_Compound = tuple[str | None, tuple[str, ...], tuple[tuple[str, str, str | None], ...]]


@lru_cache(maxsize=256)
def _compile(css: str) -> tuple[_Compound, ...] | None:
    """``css`` as compounds joined by descendant combinators; None for anything else."""
    try:
        parsed = cssselect.parse(css)
    except cssselect.SelectorError:
        return None
    if len(parsed) != 1 or parsed[0].pseudo_element is not None:
        return None
    chain: list[_Compound] = []
    tree = parsed[0].parsed_tree
    while isinstance(tree, cssselect.parser.CombinedSelector):
        if tree.combinator != " ":
            return None
        compound = _compound(tree.subselector)
        if compound is None:
            return None
        chain.insert(0, compound)
        tree = tree.selector
    compound = _compound(tree)
    return None if compound is None else (compound, *chain)


def _compound(tree: object) -> _Compound | None:
    """``(tag, classes, attributes)`` of ``tag.class[attr][attr~=value][attr=value]``."""
    classes: list[str] = []
    attrs: list[tuple[str, str, str | None]] = []
    while not isinstance(tree, cssselect.parser.Element):
        if isinstance(tree, cssselect.parser.Class):
            classes.insert(0, tree.class_name)
        elif (
            isinstance(tree, cssselect.parser.Attrib)
            and tree.namespace is None
            and tree.operator in ("exists", "=", "~=")
            and (tree.value is None or tree.value.type in ("IDENT", "STRING"))
        ):
            value = tree.value.value if tree.value is not None else None
            if tree.operator == "~=" and (not value or _XML_SPACE.search(value)):
                return None  # never matches in cssselect; leave such oddities to parsel
            attrs.insert(0, (tree.attrib.lower(), tree.operator, value))
        else:
            return None
        tree = tree.selector
    if tree.namespace is not None:
        return None
    tag = tree.element.lower() if tree.element else None
    return tag, tuple(classes), tuple(attrs)


def _matches(node: etree._Element, compound: _Compound) -> bool:
    tag, classes, attrs = compound
    if not isinstance(node.tag, str) or (tag is not None and node.tag != tag):
        return False
    if classes:
        names = node.get("class") or ""
        if any(name not in names for name in classes):  # cheap test before splitting
            return False
        if not set(classes) <= set(_tokens(names)):
            return False
    for name, operator, value in attrs:
        have = node.get(name)
        if have is None:
            return False
        if operator == "=" and have != value:
            return False
        if operator == "~=" and value not in _tokens(have):
            return False
    return True


def _tokens(value: str) -> list[str]:
    """A class or ``rel`` list split as XPath's ``normalize-space()`` sees it."""
    return _XML_SPACE.split(value)


def _has_ancestors(node: etree._Element, chain: tuple[_Compound, ...], above: etree._Element | None) -> bool:
    """True when ancestors of ``node`` below ``above`` match ``chain`` (greedy, innermost first)."""
    want = len(chain) - 1
    parent = node.getparent()
    while want >= 0 and parent is not None and parent is not above:
        if _matches(parent, chain[want]):
            want -= 1
        parent = parent.getparent()
    return want < 0


def split_lead(
    body: Selector | etree._Element | None, drop: tuple[str, ...] = ()
) -> tuple[str | None, list[str]]:
    """``(lead, paragraphs)`` of a body whose first paragraph is all bold (the sapo).

    Elements matching ``drop`` (share buttons, related posts) are left out.
    """
    if body is None:
        return None, []
    if isinstance(body, etree._Element):
        body = Selector(root=body, type="html")
    if drop:  # work on a copy: later layers read the same page
        body = Selector(root=copy.deepcopy(body.root), type="html")
        for junk in body.css(", ".join(drop)):
            parent = junk.root.getparent()
            if parent is not None:  # the body itself matched: nothing to leave out
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
