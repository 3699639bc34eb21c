"""Bad input never raises: fields stay None and the reason is in ``problems``."""

from __future__ import annotations

import random
import time
import unicodedata
from pathlib import Path

import pytest

from crawler.extract import extract_article
from crawler.extract.text import clean, decode_html

FIXTURES = Path(__file__).parent / "fixtures"
SEED = (FIXTURES / "nukeviet" / "articles" / "103.html").read_bytes()


def _random_bytes(size: int) -> bytes:
    return random.Random(7).randbytes(size)


def _huge_page() -> bytes:
    filler = b"<div class='x'><p>Qu\xe1\xbb\xb3nh Nhai " + b"x" * 180 + b"</p></div>\n"
    return b"<html><body>" + filler * (20_000_000 // len(filler)) + b"</body></html>"


MALFORMED = {
    "empty-bytes": b"",
    "empty-str": "",
    "whitespace": b"   \n\t ",
    "random-binary": _random_bytes(50_000),
    "nul-bytes": b"\x00" * 1000,
    "not-html-text": b"just some words, no markup at all",
    "no-article": b"<html><head><title></title></head><body><nav>Menu</nav></body></html>",
    "truncated-tag": b'<html><body><div class="sapo',
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_gives_none_and_problems(data: bytes | str) -> None:
    art = extract_article(data, "http://example.invalid/x.html")
    assert art.title is None
    assert art.published_at is None
    assert art.text is None
    assert art.problems
    assert art.url == "http://example.invalid/x.html"


def test_wrong_type_is_a_problem_not_an_exception() -> None:
    art = extract_article(None)  # type: ignore[arg-type]
    assert art.title is None
    assert any("expected bytes" in p for p in art.problems)


def test_truncated_nukeviet_page_keeps_what_it_has() -> None:
    cut = SEED[: SEED.index(b'id="news-bodyhtml"') + 600]
    art = extract_article(cut)
    assert art.title == "Đoàn khảo sát Ban chỉ đạo 35 Tỉnh ủy làm việc tại huyện Quỳnh Nhai"
    assert art.text.startswith("Ngày 13/11")


@pytest.mark.parametrize("size", [10, 1000, 5000, 20000])
def test_nukeviet_page_cut_anywhere_never_raises(size: int) -> None:
    art = extract_article(SEED[:size])
    assert isinstance(art.problems, list)


def test_huge_page_does_not_raise_and_stays_bounded() -> None:
    start = time.perf_counter()
    art = extract_article(_huge_page())
    assert time.perf_counter() - start < 60
    assert art.title is None
    assert any("too large" in p for p in art.problems)


def test_unknown_family_hint_is_reported() -> None:
    art = extract_article(SEED, family="joomla")
    assert art.title is not None
    assert any("unknown hint" in p for p in art.problems)


def test_decodes_declared_cp1258() -> None:
    body = "<html><head><meta charset='windows-1258'><title>Quỳnh Nhai</title></head></html>"
    data = unicodedata.normalize("NFD", body).encode("cp1258")  # cp1258 combines tone marks
    text, encoding = decode_html(data)
    assert encoding == "cp1258"
    assert clean(text).count("Quỳnh Nhai") == 1


def test_decodes_utf8_despite_wrong_declaration() -> None:
    data = "<meta charset='iso-8859-1'><h1>Sơn La</h1>".encode()
    assert "Sơn La" in decode_html(data)[0]


def test_decodes_bom() -> None:
    assert decode_html(b"\xef\xbb\xbf<p>\xc4\x90\xc3\xa0</p>")[0] == "<p>Đà</p>"


def test_clean_gives_nfc_and_collapsed_whitespace() -> None:
    nfd = unicodedata.normalize("NFD", "  Quỳnh\u00a0 Nhai\u200b\n ")
    assert clean(nfd) == "Quỳnh Nhai"
