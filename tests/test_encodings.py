"""Encodings at the door: wrong or missing charsets, cp1258, NFD, legacy TCVN3 and VNI -> NFC.

The legacy byte strings are built from real sentences of the fixture pages with the
TCVN3 and VNI tables; a few literal byte strings, as such pages really carry them, check
the tables themselves.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from crawler.extract import extract_article
from crawler.extract.legacy import TCVN3, VNI_LETTERS, VNI_MARKS, from_tcvn3, from_vni
from crawler.extract.text import decode_html

FIXTURES = Path(__file__).parent / "fixtures"
_NEWS = [
    json.loads(line) for line in (FIXTURES / "articles" / "labels.jsonl").read_text("utf-8").splitlines()
]
_PORTAL = [
    json.loads(line) for line in (FIXTURES / "nukeviet" / "labels.jsonl").read_text("utf-8").splitlines()
]
SENTENCES = [
    _NEWS[0]["lead"], _NEWS[1]["lead"], _NEWS[5]["body_first"],
    _PORTAL[0]["body_first"], _PORTAL[-1]["title"],
    "Đoàn khảo sát Ban chỉ đạo 35 Tỉnh ủy làm việc tại huyện Quỳnh Nhai",
]  # fmt: skip
TONES = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}


def to_tcvn3(text: str) -> tuple[bytes, str]:
    """TCVN3 bytes of ``text`` and what they can say (upper-case toned letters were a separate font)."""
    table = {char: byte for byte, char in TCVN3.items()}
    out, said = bytearray(), []
    for char in text:
        if ord(char) < 128:
            out.append(ord(char))
            said.append(char)
        else:
            char = char if char in table else char.lower()
            out.append(table[char])
            said.append(char)
    return bytes(out), "".join(said)


def to_vni(text: str) -> bytes:
    """VNI (Windows) bytes of ``text``: a base letter followed by mark characters."""
    marks = {_canonical(combining): mark for mark, combining in VNI_MARKS.items() if mark.islower()}
    letters = {unicode: vni for vni, unicode in VNI_LETTERS.items()}
    out = []
    for char in text:
        if char in letters:
            out.append(letters[char])
            continue
        parts = unicodedata.normalize("NFD", char)
        base, extra = parts[0], "".join(c for c in parts[1:] if c != "\u031b")
        if "\u031b" in parts:  # the horn: ơ and ư are letters of their own in VNI
            base = letters[unicodedata.normalize("NFC", base + "\u031b")]
        mark = marks.get(extra, "") if extra else ""
        out.append(base + (mark.upper() if base.isupper() else mark))
    return "".join(out).encode("cp1252")


def _canonical(marks: str) -> str:
    """Combining marks in NFD order (dot below sorts before the circumflex)."""
    return unicodedata.normalize("NFD", "a" + marks)[1:]


def to_cp1258(text: str) -> bytes:
    """cp1258 bytes: precomposed base letters, tone marks as combining characters."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += (base + "".join(c for c in parts if c in TONES)).encode("cp1258")
    return bytes(out)


def _page(title: bytes, body: bytes, charset: bytes | None) -> bytes:
    meta = (
        b"<meta http-equiv='Content-Type' content='text/html; charset=" + charset + b"'>" if charset else b""
    )
    paragraphs = b"".join(b"<p>" + body + b"</p>" for _ in range(3))
    return (
        b"<html><head>" + meta + b"<title>" + title + b"</title></head><body>"
        b"<div class='content'><h1>" + title + b"</h1>" + paragraphs + b"</div></body></html>"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(b"Vi\xd6t Nam", "Việt Nam"), (b"H\xb5 N\xe9i", "Hà Nội"), (b"ng\xad\xeai", "người"),
     (b"\xa7\xb6ng", "Đảng"), (b"S\xacn La", "Sơn La"), (b"Qu\xfanh Nhai", "Quỳnh Nhai"),
     (b"t\xd8nh", "tỉnh"), (b"\xae\xad\xeec", "được")],
)  # fmt: skip
def test_tcvn3_table_on_literal_bytes(raw: bytes, expected: str) -> None:
    assert from_tcvn3(raw.decode("latin-1")) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(b"Vie\xe4t Nam", "Việt Nam"), (b"Ha\xf8 No\xe4i", "Hà Nội"), (b"ng\xf6\xf4\xf8i", "người"),
     (b"\xf1\xf6\xf4\xefc", "được"), (b"t\xe6nh", "tỉnh"), (b"Quy\xf8nh Nhai", "Quỳnh Nhai"),
     (b"\xd1A\xd9NG", "ĐÁNG"), (b"na\xeam", "năm"), (b"ho\xe4i ngh\xf2", "hội nghị")],
)  # fmt: skip
def test_vni_table_on_literal_bytes(raw: bytes, expected: str) -> None:
    assert from_vni(raw.decode("cp1252")) == expected


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize("charset", [b"iso-8859-1", b"utf-8", b"windows-1252", None])
def test_tcvn3_page_is_converted(sentence: str, charset: bytes | None) -> None:
    raw, said = to_tcvn3(sentence)
    text, encoding = decode_html(_page(raw, raw, charset))
    assert encoding == "tcvn3"
    assert said in text


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize("charset", [b"iso-8859-1", b"utf-8", None])
def test_vni_page_is_converted(sentence: str, charset: bytes | None) -> None:
    raw = to_vni(sentence)
    text, encoding = decode_html(_page(raw, raw, charset))
    assert encoding == "vni"
    assert sentence in text


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize("charset", [b"windows-1258", b"iso-8859-1", None])
def test_cp1258_page_gives_nfc(sentence: str, charset: bytes | None) -> None:
    raw = to_cp1258(sentence)
    text, encoding = decode_html(_page(raw, raw, charset))
    assert encoding == "cp1258"
    assert sentence in text
    art = extract_article(_page(raw, raw, charset))
    assert art.title == sentence
    assert unicodedata.is_normalized("NFC", art.text)


def test_tcvn3_text_inside_a_unicode_page() -> None:
    _, said = to_tcvn3(SENTENCES[0])
    typed = to_tcvn3(SENTENCES[0])[0].decode("latin-1")  # pasted from a .VnTime document
    page = f"<html><head><meta charset='utf-8'></head><body><p>{typed}</p></body></html>".encode()
    text, encoding = decode_html(page)
    assert encoding == "tcvn3"
    assert said in text


def test_nfd_page_gives_nfc_fields() -> None:
    title = unicodedata.normalize("NFD", SENTENCES[5]).encode()
    body = unicodedata.normalize("NFD", SENTENCES[0]).encode()
    art = extract_article(_page(title, body, b"utf-8"))
    assert art.title == SENTENCES[5]
    assert SENTENCES[0] in art.text


@pytest.mark.parametrize("label", _NEWS[:5], ids=[label["id"] for label in _NEWS[:5]])
def test_unicode_pages_are_left_alone(label: dict) -> None:
    _, encoding = decode_html((FIXTURES / "articles" / f"{label['id']}.html").read_bytes())
    assert encoding == "utf-8"


def test_cp1258_page_declared_as_utf8() -> None:
    raw = to_cp1258(SENTENCES[3])
    text, encoding = decode_html(_page(raw, raw, b"utf-8"))
    assert encoding == "cp1258"
    assert SENTENCES[3] in text
