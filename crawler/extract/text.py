"""Text at the door: decode bytes, normalise to NFC, collapse whitespace, split blocks.

Everything downstream (matching, hashing, storing) assumes the strings produced here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from lxml import etree
from parsel import Selector

from crawler.extract.legacy import LEGACY, best_reading, has_unicode_vietnamese, vietnamese_score

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Zero-width characters and soft hyphens carry no text; they break matching.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NOT_CONTROL_BYTES = bytes(sorted(set(range(256)) - set(_CONTROL_BYTES)))
# One parser for every page, configured as parsel's (lxml parsers lock per parse). Plain
# lxml elements: lxml.html's element classes cost a Python call per element touched,
# and nothing here uses their extra methods.
_HTML_PARSER = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)

# fmt: off
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "th",
    "thead", "tfoot", "tr", "ul",
})
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "form", "button", "select", "option", "input",
    "textarea", "svg", "template", "object", "embed", "video", "audio",
})
# fmt: on


def decode_html(data: bytes | str) -> tuple[str, str | None]:
    """Decode page bytes to text; returns ``(text, encoding)``.

    Order: BOM, strict UTF-8 (pages often declare the wrong charset but are UTF-8), then
    whichever of the declared charset, cp1258, TCVN3 and VNI reads as the most
    Vietnamese (such pages often declare ``iso-8859-1`` or nothing). Text typed in a
    legacy font encoding inside a Unicode page (``ViÖt Nam``) is converted too. cp1258
    decodes to combining tone marks, so its text is NFC-normalised here.
    """
    if isinstance(data, str):
        text, encoding = data, None
    else:
        text, encoding = _decode_bytes(data)
    if encoding not in LEGACY and not has_unicode_vietnamese(text):
        text, legacy = best_reading(text)
        encoding = legacy or encoding
    return text, encoding


def _decode_bytes(data: bytes) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    readings: list[tuple[str, str]] = []
    for name in dict.fromkeys((_declared_charset(data[:4096]) or "cp1258", "cp1258")):
        try:
            readings.append((unicodedata.normalize("NFC", data.decode(name)), name))
        except (UnicodeDecodeError, LookupError):
            continue
    latin = data.decode("latin-1")
    readings += [(latin, "latin-1"), *((convert(latin), name) for name, convert in LEGACY.items())]
    scores = [vietnamese_score(text) for text, _ in readings]
    return readings[scores.index(max(scores))]


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_binary(text: str, controls: bool = True) -> bool:
    """True when a decoded page is mostly control characters or replacement marks.

    ``controls=False`` says the text is known to hold no control character (its UTF-8
    bytes had none: see :func:`has_controls`), which leaves only the marks to count.
    """
    if not text:
        return False
    if not controls:  # no need to copy the sample
        return text.count("\ufffd", 0, 20000) / min(len(text), 20000) > 0.05
    sample = text[:20000]
    raw = sample.encode("utf-8", "surrogatepass")  # a control character is one byte
    bad = len(raw) - len(raw.translate(None, _CONTROL_BYTES)) + sample.count("\ufffd")
    return bad / len(sample) > 0.05


def strip_controls(text: str) -> str:
    """Remove C0 control characters, which lxml refuses."""
    return _CONTROL.sub("", text)


def has_controls(data: bytes) -> bool:
    """True when the bytes hold a C0 control character (those :func:`strip_controls` removes).

    Deleting every other byte leaves a short string to test, where deleting the controls
    would copy the whole page.
    """
    return bool(data.translate(None, _NOT_CONTROL_BYTES))


def without_controls(text: str, utf8: bytes | None = None) -> bytes:
    """``strip_controls(text)`` in UTF-8; ``utf8``, when given, is ``text`` encoded in UTF-8.

    A C0 control is one byte in UTF-8 and never part of another character, so deleting
    those bytes is the same as deleting the characters, and much cheaper.
    """
    return (text.encode("utf-8") if utf8 is None else utf8).translate(None, _CONTROL_BYTES)


def page_selector(text: str, utf8: bytes | None = None, *, cleaned: bytes | None = None) -> Selector:
    """The page as ``Selector(text=strip_controls(text), type="html")`` builds it, but faster.

    parsel builds a new lxml parser for every page and strips control characters
    with a regular expression; one shared parser and ``bytes.translate`` give the
    same tree. ``utf8``, when given, is ``text`` encoded in UTF-8 (the bytes it was
    decoded from); ``cleaned``, when given, is ``without_controls(text, utf8)``.
    """
    body = (without_controls(text, utf8) if cleaned is None else cleaned).strip()
    if body[:1] >= b"\x80" or body[-1:] >= b"\x80":  # maybe non-ASCII space: strip as text does
        body = body.decode("utf-8").strip().encode("utf-8")
    root = etree.fromstring(body or b"<html/>", parser=_HTML_PARSER)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=_HTML_PARSER)
    return Selector(root=root, type="html")


def clean(value: str | None) -> str | None:
    """NFC, no invisible characters, whitespace collapsed; ``None`` when empty."""
    if value is None:
        return None
    return _collapse(unicodedata.normalize("NFC", _visible(value))) or None


def _visible(value: str) -> str:
    """``value`` without invisible characters (``str.translate`` only when there are some: it is slow)."""
    if (
        "\u200b" in value
        or "\u200c" in value
        or "\u200d" in value
        or "\u2060" in value
        or "\ufeff" in value
        or "\u00ad" in value
    ):
        return value.translate(_INVISIBLE)
    return value


def node_text(node: etree._Element | None) -> str | None:
    """The cleaned visible text of an element (scripts and styles skipped)."""
    if node is None:
        return None
    parts: list[str] = []
    _collect_text(node, parts)
    return clean("".join(parts))


def block_texts(node: etree._Element) -> list[str]:
    """The element's text split into cleaned paragraphs at block tags and ``<br>``.

    Each line comes out as :func:`clean` makes it; the whole text is cleaned in one go,
    since NFC and the invisible characters never reach across a line break. When all the
    lines together pass :func:`_collapse`'s test, so does each of them, and they need no
    further look.
    """
    parts: list[str] = []
    _collect_text(node, parts)
    raw = unicodedata.normalize("NFC", _visible("".join(parts)))
    lines = [line for line in raw.split("\n") if line]
    # Joined by single spaces, the lines pass the test only if each of them does (a
    # space at either end of a line would make two in a row, or one at an end).
    if _is_collapsed(" ".join(lines)):
        return lines
    return [_collapse(line) for line in lines if not line.isspace()]  # all-space: nothing left


def _is_collapsed(value: str) -> bool:
    """True when ``value`` has no whitespace but single inner spaces (printable text has no
    whitespace but the plain space)."""
    return value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " "


def _collapse(value: str) -> str:
    """Whitespace runs as one space, none at the ends (``str.split`` splits where ``\\s+`` matches).

    Most lines pass :func:`_is_collapsed` and are not split into words.
    """
    if _is_collapsed(value):
        return value
    return " ".join(value.split())


_BREAKS = BLOCK_TAGS | {"br"}


def _collect_text(node: etree._Element, out: list[str]) -> None:
    """Text and tails in order, with a newline around every block element.

    Comments and processing instructions give nothing (their tails are their parent's).
    """
    tag = node.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        return
    block = tag in _BREAKS
    if block:
        out.append("\n")
    text = node.text  # each read of .text or .tail builds a new string
    if text:
        out.append(text)
    for child in node:
        _collect_text(child, out)
        tail = child.tail
        if tail:
            out.append(tail)
    if block:
        out.append("\n")
