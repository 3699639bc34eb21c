"""Near-duplicate sketches on real article texts."""

from __future__ import annotations

import json

import pytest

from crawler import dedupe
from crawler.db.duplicates import split_sketch, unpack_signature
from tests.conftest import FIXTURES

LABELS = [json.loads(line) for line in (FIXTURES / "nukeviet" / "labels.jsonl").read_text().splitlines()]


def body(article_id: str) -> str:
    from crawler.extract import extract_article

    page = FIXTURES / "nukeviet" / "articles" / f"{article_id}.html"
    return extract_article(page.read_bytes(), family="nukeviet").text or ""


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {label["id"]: body(label["id"]) for label in LABELS[:12]}


def test_a_syndicated_copy_with_a_credit_and_a_trimmed_ending_matches(texts):
    original = texts["13"]
    paragraphs = original.split("\n\n")
    copy = "Theo TTXVN\n\n" + "\n\n".join(paragraphs[:-1])  # credit added, last paragraph cut
    assert dedupe.similarity(dedupe.signature(original), dedupe.signature(copy)) >= dedupe.THRESHOLD


def test_a_copy_without_diacritics_matches(texts):
    original = texts["14"]
    assert dedupe.is_near_duplicate(dedupe.signature(original), dedupe.signature(dedupe.fold(original)))


def test_different_real_articles_do_not_match(texts):
    sketches = {k: dedupe.signature(v) for k, v in texts.items()}
    pairs = [(a, b) for a in sketches for b in sketches if a < b and sketches[a] and sketches[b]]
    assert len(pairs) >= 30
    assert not [p for p in pairs if dedupe.is_near_duplicate(sketches[p[0]], sketches[p[1]])]


def test_short_or_empty_texts_have_no_sketch():
    assert dedupe.signature("") == [] and dedupe.sketch("") == []
    assert dedupe.signature("Thông báo lịch tiếp công dân tháng 11.") == []
    assert dedupe.similarity([], [1, 2]) == 0.0


def test_sketch_is_deterministic_across_processes(texts):
    import subprocess
    import sys

    code = "import sys; from crawler.dedupe import sketch; print(sketch(sys.stdin.read())[:3])"
    out = subprocess.run([sys.executable, "-c", code], input=texts["15"], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == str(dedupe.sketch(texts["15"])[:3])


def test_stored_rows_give_the_signature_back_and_band_keys_apart(texts):
    sig = dedupe.signature(texts["13"])
    rows = dedupe.sketch(texts["13"])
    assert len(rows) == dedupe.BINS + dedupe.BANDS
    assert all(0 <= row < 2**63 for row in rows)  # fits a signed BIGINT
    bands, packed = split_sketch(rows)
    assert bands == dedupe.band_keys(sig) and len(bands) == dedupe.BANDS
    back = unpack_signature(packed)
    assert back == [value & ((1 << 56) - 1) for value in sig]  # values truncated to 56 bits
    assert dedupe.similarity(back, unpack_signature(split_sketch(list(reversed(rows)))[1])) == 1.0
    assert split_sketch(dedupe.sketch("")) == ([], None) and unpack_signature(None) == []


def test_a_copy_shares_a_band_key_and_unrelated_texts_do_not(texts):
    original = texts["13"]
    copy = "Theo TTXVN\n\n" + "\n\n".join(original.split("\n\n")[:-1])
    keys = set(dedupe.band_keys(dedupe.signature(original)))
    assert keys & set(dedupe.band_keys(dedupe.signature(copy)))
    others = [dedupe.signature(t) for k, t in texts.items() if k != "13"]
    assert not [o for o in others if o and keys & set(dedupe.band_keys(o))]
