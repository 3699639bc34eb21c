"""CSS selection on lxml elements: what parsel's ``Selector.css`` finds, at a fraction of the cost.

parsel turns every ``css()`` call into XPath through cssselect, evaluates it, and wraps
each result in a new ``Selector``; the family parsers and the metadata layer make a
dozen such calls per page. :func:`css` runs the very XPath parsel would run (same
translator, same string), compiled once per selector, on the element itself, and
returns what parsel's ``Selector.root`` would hold: elements, or strings for
``::attr()`` and ``::text``.

Over a whole page, XPath tests the attributes of every element, which costs far more
than anything done with the result; on a small element (an article block, a
paragraph) each XPath call still costs some 10 µs of setting up. :func:`select` walks
the elements itself: only those of the tags named (lxml filters them in C, and a
:class:`TagWalk` collects several tags in one walk) when each selector of the list
names one, else every element; the rest of each selector (descendant combinators,
tags, classes, ids, attributes present, equal or holding a word, ``::attr()``) is
checked in Python. Anything else (other combinators, pseudo-classes, ``::text``) goes
to :func:`css`. Both give parsel's results, in document order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, partial
from typing import Any

import cssselect
from lxml import etree
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()  # the one parsel uses for type="html" selectors
_XML_SPACE = re.compile("[ \t\r\n]+")  # what XPath's normalize-space() splits on
_ATTRIBUTE_NAME = re.compile("[a-z_][a-z0-9_-]*")

Compound = tuple[str | None, tuple[str, ...], tuple[tuple[str, str, str | None], ...]]
"""``(tag, classes, attributes)`` of one compound selector; ``#id`` is the attribute ``id=``."""


@lru_cache(maxsize=512)
def compiled(query: str) -> etree.XPath:
    """The XPath parsel evaluates for ``Selector.css(query)`` on an HTML page, compiled once."""
    return etree.XPath(_TRANSLATOR.css_to_xpath(query), smart_strings=False)


def css(node: etree._Element, query: str) -> list[Any]:
    """``[found.root for found in Selector(root=node).css(query)]``, without the Selectors."""
    result: list[Any] = compiled(query)(node)
    return result


def first(node: etree._Element, query: str) -> Any:
    """The first of :func:`css` (``Selector(root=node).css(query).get()`` for strings), or None."""
    found = compiled(query)(node)
    return found[0] if found else None


class TagWalk:
    """A page's elements of a few tags, found in one walk (on first use), in document order.

    Each selector run by tag walks the whole page, which costs as much as checking what
    it finds; a parser asking for ``h1``, ``li``, ``meta`` and ``link`` elements walks
    once with this, and :func:`select` reads the elements from it.
    """

    def __init__(self, root: etree._Element, tags: tuple[str, ...]) -> None:
        self.root = root
        self.tags = frozenset(tags)
        self._found: dict[str, list[etree._Element]] | None = None

    def elements(self, tag: str) -> list[etree._Element]:
        """The page's elements named ``tag`` (one of :attr:`tags`), in document order."""
        if self._found is None:
            found: dict[str, list[etree._Element]] = {name: [] for name in self.tags}
            for element in self.root.iter(*self.tags):
                found[element.tag].append(element)
            self._found = found
        return self._found[tag]


def select(node: etree._Element, query: str, walk: TagWalk | None = None) -> list[Any]:
    """What :func:`css` returns, found by tag when the selector's last step names one.

    ``walk``, for the page ``node`` belongs to, supplies the elements of its tags.
    """
    plan = _plan(query)
    if plan is None:
        return css(node, query)
    found = list(_iter_select(node, plan, walk))
    if plan.attribute is None:
        return found
    return [value for element in found if (value := element.get(plan.attribute)) is not None]


def select_first(node: etree._Element, query: str, walk: TagWalk | None = None) -> Any:
    """The first of :func:`select`, or None."""
    plan = _plan(query)
    if plan is None:
        return first(node, query)
    for element in _iter_select(node, plan, walk):
        if plan.attribute is None:
            return element
        value = element.get(plan.attribute)
        if value is not None:
            return value
    return None


class _Part:
    """One selector of a list, as :func:`select` tests an element against it."""

    def __init__(self, chain: tuple[Compound, ...], check_tag: bool) -> None:
        last = chain[-1]
        self.chain = chain
        # Elements come from a walk by tag when ``check_tag`` is false: a bare tag needs no test.
        self.test = predicate(last, check_tag) if check_tag or last[1] or last[2] else None
        self.outer = predicate(chain[0], True) if len(chain) == 2 else None


class _Plan:
    """A selector list as :func:`select` runs it: the elements to walk, then Python tests."""

    def __init__(self, chains: list[tuple[Compound, ...]], attribute: str | None) -> None:
        tags = [chain[-1][0] for chain in chains]
        # One selector naming a tag: lxml walks that tag only and the parts skip the tag test.
        single = len(chains) == 1 and tags[0] is not None
        self.parts = tuple(_Part(chain, not single) for chain in chains)
        self.tag = tags[0] if single else None
        named = [tag for tag in tags if tag is not None]
        self.tags: tuple[str, ...] | None = tuple(dict.fromkeys(named)) if len(named) == len(tags) else None
        self.attribute = attribute
        # A list of single compounds (``h1[itemprop=headline], h1``): one test for all of them.
        self.any: Callable[[etree._Element], bool] | None = None
        if len(chains) > 1 and all(len(chain) == 1 for chain in chains):
            self.any = _any_of(tuple(chain[0] for chain in chains))


def _iter_select(node: etree._Element, plan: _Plan, walk: TagWalk | None) -> Iterator[etree._Element]:
    above = node.getparent()  # the queried element itself may match an outer step (descendant-or-self)
    candidates: Iterable[etree._Element]
    if plan.tags is None:
        candidates = node.iter(etree.Element)  # elements only, as XPath's ``*``
    elif walk is not None and plan.tag is not None and plan.tag in walk.tags and node is walk.root:
        candidates = walk.elements(plan.tag)
    else:
        candidates = node.iter(*plan.tags)
    if len(plan.parts) == 1:
        yield from _iter_part(candidates, plan.parts[0], above)
        return
    if plan.any is not None:
        yield from filter(plan.any, candidates)
        return
    known: list[dict[etree._Element, bool]] = [{} for _ in plan.parts]
    for found in candidates:
        for part, seen in zip(plan.parts, known, strict=True):
            if part.test is not None and not part.test(found):
                continue
            if len(part.chain) == 1 or _has_outer(found, part, above, seen):
                yield found
                break


def _iter_part(
    candidates: Iterable[etree._Element], part: _Part, above: etree._Element | None
) -> Iterator[etree._Element]:
    """The candidates matching one selector (the loops of :func:`_has_outer`, inlined)."""
    test = part.test
    if len(part.chain) == 1:
        yield from candidates if test is None else filter(test, candidates)
    elif part.outer is not None:
        outer = part.outer
        known: dict[etree._Element, bool] = {}
        for found in candidates:
            if test is not None and not test(found):
                continue
            parent = found.getparent()
            inside = known.get(parent)  # siblings (every ``li`` of a menu) share the answer
            if inside is None:
                inside = _inside(parent, outer, above, known)
            if inside:
                yield found
    else:
        outer_chain = part.chain[:-1]
        for found in candidates:
            if (test is None or test(found)) and has_ancestors(found, outer_chain, above):
                yield found


def _has_outer(
    found: etree._Element, part: _Part, above: etree._Element | None, known: dict[etree._Element, bool]
) -> bool:
    """True when the ancestors of ``found`` (below ``above``) match the part's outer compounds."""
    if part.outer is None:
        return has_ancestors(found, part.chain[:-1], above)
    parent = found.getparent()
    inside = known.get(parent)
    return _inside(parent, part.outer, above, known) if inside is None else inside


def _inside(
    node: etree._Element | None,
    test: Callable[[etree._Element], bool],
    above: etree._Element | None,
    known: dict[etree._Element, bool],
) -> bool:
    """True when ``node`` or an ancestor below ``above`` passes ``test``; remembered in ``known``."""
    path = []
    result = False
    while node is not None and node is not above:
        seen = known.get(node)
        if seen is not None:
            result = seen
            break
        path.append(node)
        if test(node):
            result = True
            break
        node = node.getparent()
    for element in path:
        known[element] = result
    return result


def predicate(compound: Compound, check_tag: bool) -> Callable[[etree._Element], bool]:
    """``matches(element, compound)`` as a function (the tag left out unless ``check_tag``),
    specialised for the common compounds: one class, one attribute equal to a value.

    For elements only: a comment answers ``get()`` with None, but a processing instruction
    answers from its pseudo-attributes, so callers walk with ``iter(tag)`` or
    ``iter(etree.Element)``."""
    tag, classes, attrs = compound
    if not check_tag:
        tag = None
    if not attrs and len(classes) == 1:
        name = classes[0]

        def has_class(node: etree._Element) -> bool:
            if tag is not None and node.tag != tag:
                return False
            names = node.get(b"class")  # a bytes key saves lxml encoding it on every call
            return names is not None and name in names and name in _XML_SPACE.split(names)

        return has_class
    if not classes and len(attrs) == 1 and attrs[0][1] == "=":
        key = attrs[0][0].encode()
        value = attrs[0][2]

        def has_value(node: etree._Element) -> bool:
            return (tag is None or node.tag == tag) and node.get(key) == value

        return has_value
    return partial(_matches, (tag, classes, attrs))


def _matches(compound: Compound, node: etree._Element) -> bool:
    return matches(node, compound)


def _any_of(compounds: tuple[Compound, ...]) -> Callable[[etree._Element], bool]:
    """One test for a list of single compounds: bare tags by set look-up, lone classes by one
    read of the class list, the rest one by one."""
    bare = frozenset(tag for tag, classes, attrs in compounds if tag and not classes and not attrs)
    lone = tuple(classes[0] for tag, classes, attrs in compounds if _lone_class(tag, classes, attrs))
    rest = tuple(
        predicate((tag, classes, attrs), True)
        for tag, classes, attrs in compounds
        if not (tag and not classes and not attrs) and not _lone_class(tag, classes, attrs)
    )

    other = _either(rest)

    def any_of(node: etree._Element) -> bool:
        if node.tag in bare:
            return True
        if lone:
            names = node.get(b"class")
            if names is not None:
                for name in lone:
                    if name in names and name in _XML_SPACE.split(names):
                        return True
        return other is not None and other(node)

    return any_of if bare or lone or other is None else other


def _either(tests: tuple[Callable[[etree._Element], bool], ...]) -> Callable[[etree._Element], bool] | None:
    """One function for "any of ``tests``" (None for none)."""
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda node: first(node) or second(node)
    return lambda node: any(test(node) for test in tests)


def _lone_class(tag: str | None, classes: tuple[str, ...], attrs: tuple[object, ...]) -> bool:
    return not tag and len(classes) == 1 and not attrs


@lru_cache(maxsize=512)
def _plan(query: str) -> _Plan | None:
    """How :func:`select` runs ``query``; None when XPath must (other combinators, ``::text``...)."""
    parsed = parse_chains(query)
    if parsed is None:
        return None
    chains, pseudo = parsed
    if pseudo is None:
        return _Plan(chains, None)
    if len(chains) != 1 or pseudo.name != "attr" or pseudo.argument_types() not in (["STRING"], ["IDENT"]):
        return None
    attribute = pseudo.arguments[0].value
    if not isinstance(attribute, str) or not _ATTRIBUTE_NAME.fullmatch(attribute):
        return None
    return _Plan(chains, attribute)


@lru_cache(maxsize=512)
def parse_chains(query: str) -> tuple[list[tuple[Compound, ...]], Any] | None:
    """Each selector of the list as compounds joined by descendant combinators, and the
    pseudo-element (allowed on a single selector only); None for anything else."""
    try:
        parsed = cssselect.parse(query)
    except cssselect.SelectorError:
        return None
    if not parsed or (len(parsed) > 1 and any(selector.pseudo_element is not None for selector in parsed)):
        return None
    pseudo = parsed[0].pseudo_element
    if pseudo is not None and not isinstance(pseudo, cssselect.parser.FunctionalPseudoElement):
        return None
    chains = []
    for selector in parsed:
        chain = _chain(selector.parsed_tree)
        if chain is None:
            return None
        chains.append(chain)
    return chains, pseudo


@lru_cache(maxsize=512)
def parse_chain(query: str) -> tuple[tuple[Compound, ...], Any] | None:
    """``(compounds joined by descendant combinators, pseudo-element)`` of a single selector;
    None for anything else."""
    parsed = parse_chains(query)
    if parsed is None or len(parsed[0]) != 1:
        return None
    return parsed[0][0], parsed[1]


def _chain(tree: object) -> tuple[Compound, ...] | None:
    chain: list[Compound] = []
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


def _compound(tree: object) -> Compound | None:
    """``(tag, classes, attributes)`` of ``tag#id.class[attr][attr~=value][attr=value]``."""
    classes: list[str] = []
    attrs: list[tuple[str, str, str | None]] = []
    while not isinstance(tree, cssselect.parser.Element):
        if isinstance(tree, cssselect.parser.Class):
            classes.insert(0, tree.class_name)
        elif isinstance(tree, cssselect.parser.Hash):
            attrs.insert(0, ("id", "=", tree.id))
        elif (
            isinstance(tree, cssselect.parser.Attrib)
            and tree.namespace is None
            and tree.operator in ("exists", "=", "~=")
            and (tree.value is None or tree.value.type in ("IDENT", "STRING"))
        ):
            value = tree.value.value if tree.value is not None else None
            if tree.operator == "~=" and (not value or _XML_SPACE.search(value)):
                return None  # never matches in cssselect; leave such oddities to parsel
            name = tree.attrib.lower()
            if not _ATTRIBUTE_NAME.fullmatch(name):
                return None
            attrs.insert(0, (name, tree.operator, value))
        else:
            return None
        tree = tree.selector
    if tree.namespace is not None:
        return None
    tag = tree.element.lower() if tree.element else None
    if tag is not None and not _ATTRIBUTE_NAME.fullmatch(tag.replace("-", "_")):
        return None
    return tag, tuple(classes), tuple(attrs)


def matches(node: etree._Element, compound: Compound) -> bool:
    """True when the element matches the compound selector as cssselect's XPath tests it."""
    tag, classes, attrs = compound
    if not isinstance(node.tag, str) or (tag is not None and node.tag != tag):
        return False
    if classes:
        names = node.get("class") or ""
        if any(name not in names for name in classes):  # cheap test before splitting
            return False
        if not set(classes) <= set(tokens(names)):
            return False
    for name, operator, value in attrs:
        have = node.get(name)
        if have is None:
            return False
        if operator == "=" and have != value:
            return False
        if operator == "~=" and value not in tokens(have):
            return False
    return True


def tokens(value: str) -> list[str]:
    """A class or ``rel`` list split as XPath's ``normalize-space()`` sees it."""
    return _XML_SPACE.split(value)


def has_ancestors(node: etree._Element, chain: tuple[Compound, ...], above: etree._Element | None) -> bool:
    """True when ancestors of ``node`` below ``above`` match ``chain`` (greedy, innermost first)."""
    want = len(chain) - 1
    parent = node.getparent()
    while want >= 0 and parent is not None and parent is not above:
        if matches(parent, chain[want]):
            want -= 1
        parent = parent.getparent()
    return want < 0
