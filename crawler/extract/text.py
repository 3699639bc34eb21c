"""Text at the door: decode bytes, normalise to NFC, collapse whitespace, split blocks.

Everything downstream (matching, hashing, storing) assumes the strings produced here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator

from lxml import etree

from crawler.extract.legacy import LEGACY, best_reading, has_unicode_vietnamese, vietnamese_score

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Zero-width characters and soft hyphens carry no text; they break matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")

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


def looks_binary(text: str) -> bool:
    """True when a decoded page is mostly control characters or replacement marks."""
    sample = text[:20000]
    if not sample:
        return False
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    return bad / len(sample) > 0.05


def strip_controls(text: str) -> str:
    """Remove C0 control characters, which lxml refuses."""
    return _CONTROL.sub("", text)


def clean(value: str | None) -> str | None:
    """NFC, no invisible characters, whitespace collapsed; ``None`` when empty."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value.translate(_INVISIBLE))
    value = _SPACES.sub(" ", value).strip()
    return value or None


def node_text(node: etree._Element | None) -> str | None:
    """The cleaned visible text of an element (scripts and styles skipped)."""
    if node is None:
        return None
    return clean("".join(_iter_text(node)))


def block_texts(node: etree._Element) -> list[str]:
    """The element's text split into cleaned paragraphs at block tags and ``<br>``."""
    raw = "".join(_iter_text(node))
    out = []
    for line in raw.split("\n"):
        cleaned = clean(line)
        if cleaned:
            out.append(cleaned)
    return out


def _iter_text(node: etree._Element) -> Iterator[str]:
    """Text and tails in order, with a newline around every block element."""
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in SKIP_TAGS:
        return
    block = tag in BLOCK_TAGS or tag == "br"
    if block:
        yield "\n"
    if node.text and tag:
        yield node.text
    for child in node:
        yield from _iter_text(child)
        if child.tail:
            yield child.tail
    if block:
        yield "\n"
