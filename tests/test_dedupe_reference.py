"""The fast near-duplicate sketch against a plain reference: the same output for every text.

Sketches are stored, so a new version must give exactly the values of the old one. The
reference below is the original algorithm in plain Python (no caches, no numpy): fold, cut
into words, join every run of 4 words with spaces, hash each run with crc32 and adler32,
keep the smallest value per bin, fill empty bins, add the band keys.
"""

from __future__ import annotations

import random
import re
import threading
import unicodedata
import zlib

import pytest

from crawler import dedupe
from tests.conftest import FIXTURES

WORD = re.compile(r"\w+", re.UNICODE)
VIETNAMESE_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")
MASK = (1 << 56) - 1


def ref_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    folded = VIETNAMESE_MARKS.sub("", decomposed)
    return "".join(c for c in folded if not unicodedata.combining(c))


def ref_keeps_words(c: str) -> bool:
    folded = ref_fold(c)
    if not folded:
        return False
    if WORD.fullmatch(c):
        return WORD.fullmatch(folded) is not None
    return WORD.search(folded) is None


def ref_folded_words(text: str) -> list[bytes]:
    low = text.lower()
    if all(ref_keeps_words(c) for c in set(low) if not c.isascii()):
        return [ref_fold(word).encode() for word in WORD.findall(low)]  # word by word
    return [word.encode() for word in WORD.findall(ref_fold(text))]


def ref_hash(data: bytes) -> int:
    return (zlib.crc32(data) << 30) ^ zlib.adler32(data)


def ref_signature(text: str | None) -> list[int]:
    words = ref_folded_words(text or "")
    if len(words) < dedupe.MIN_WORDS:
        return []
    sig = [dedupe.EMPTY] * dedupe.BINS
    for i in range(len(words) - dedupe.SHINGLE_WORDS + 1):
        h = ref_hash(b" ".join(words[i:i + dedupe.SHINGLE_WORDS]))
        slot, value = h % dedupe.BINS, h // dedupe.BINS
        if sig[slot] == dedupe.EMPTY or value < sig[slot]:
            sig[slot] = value
    for slot in range(dedupe.BINS):  # an empty bin takes the next full bin's value (+ distance)
        step = 1
        while sig[slot] == dedupe.EMPTY and step < dedupe.BINS:
            donor = sig[(slot + step) % dedupe.BINS]
            if donor != dedupe.EMPTY:
                sig[slot] = donor + step
            step += 1
    return sig


def ref_sketch(text: str | None) -> list[int]:
    sig = ref_signature(text)
    if not sig:
        return []
    rows = [(slot << 56) | (value & MASK) for slot, value in enumerate(sig)]
    for band in range(dedupe.BANDS):
        chunk = ",".join(map(str, sig[band * dedupe.ROWS:(band + 1) * dedupe.ROWS]))
        rows.append((1 << 62) | (band << 56) | (ref_hash(f"{band}:{chunk}".encode()) & MASK))
    return rows


@pytest.fixture(scope="module")
def real_texts() -> list[str]:
    from crawler.extract import extract_article

    texts = [extract_article(page.read_bytes()).text or ""
             for page in sorted((FIXTURES / "articles").glob("*.html"))]
    texts += [extract_article(page.read_bytes(), family="nukeviet").text or ""
              for page in sorted((FIXTURES / "nukeviet" / "articles").glob("*.html"))]
    assert len(texts) >= 100 and sum(len(t.split()) for t in texts) > 50_000
    return texts


# Characters for random texts: Vietnamese, other Latin, combining marks (which fold away and
# join words), Greek with Σ (lower case depends on the neighbours), Cyrillic, CJK, Arabic, Thai,
# all sorts of white space and punctuation, surrogates, letters that lower-case to two.
POOL = ([chr(i) for i in range(0x20, 0x250)] + [chr(i) for i in range(0x300, 0x370)]
        + [chr(i) for i in range(0x370, 0x400)] + [chr(i) for i in range(0x400, 0x450)]
        + [chr(i) for i in range(0x1E00, 0x1F00)] + [chr(i) for i in range(0x4E00, 0x4E20)]
        + [chr(i) for i in range(0x600, 0x620)] + [chr(i) for i in range(0xE00, 0xE40)]
        + list("đĐΣΣ\n\t\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u2029\u3000\u200b\u034f\ufeff")
        + list("“”‘’…–—•·«»°≥≤\ufffc²⁰①ǅİẞßﬁΩÅ") + ["\ud800", "\udfff", "\U0001f600"])
CLEAN = [c for c in POOL if all(ref_keeps_words(x) for x in c.lower() if not x.isascii())]
LONG = [*CLEAN, "a", "b", "Σ"]
SEPARATORS = [" ", " ", " ", "\n", ". ", ", ", " – ", "“", "”", "\xa0", "\x1c", "…", ".", "Σ", "'", ":", "·"]


def random_texts(seed: int, count: int, vocabulary: list[str]) -> list[str | None]:
    rng = random.Random(seed)
    texts: list[str | None] = [None, "", " ", "a", "Thông báo", "Σ" * 50, "đĐ " * 60]
    for _ in range(count):
        kind = rng.random()
        if kind < 0.25:  # any characters: mostly folded as a whole text
            texts.append("".join(rng.choice(POOL) for _ in range(rng.randint(0, 2500))))
        elif kind < 0.35:  # any code point at all
            texts.append("".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(0, 1500))))
        elif kind < 0.75:  # characters that fold on their own: folded word by word
            words = []
            for _ in range(rng.randint(0, 600)):
                r = rng.random()
                if r < 0.6:
                    words.append(rng.choice(vocabulary))
                elif r < 0.9:
                    words.append("".join(rng.choice(CLEAN) for _ in range(rng.randint(1, 8))))
                else:  # long words (beyond the fast path's tables)
                    words.append("".join(rng.choice(LONG) for _ in range(rng.randint(1, 80))))
            texts.append("".join(w + rng.choice(SEPARATORS) for w in words))
        elif kind < 0.9:  # real words, a few changed
            words = [w.upper() if rng.random() < 0.03 else w + rng.choice(POOL) if rng.random() < 0.03 else w
                     for w in rng.choices(vocabulary, k=rng.randint(30, 1200))]
            texts.append(rng.choice([" ", "\n", ", "]).join(words))
        else:  # few short words: many empty bins to fill
            short = ["a", "b", "đ", "ơ", "x1", "Σς"]
            texts.append(" ".join(rng.choice(short) for _ in range(rng.randint(36, 90))))
    return texts


def assert_same(texts: list[str | None]) -> None:
    differences = [t for t in texts
                   if dedupe.sketch(t) != ref_sketch(t) or dedupe.signature(t) != ref_signature(t)
                   or (t is not None and dedupe.folded_words(t) != ref_folded_words(t))]
    assert not differences, [(t or "")[:80] for t in differences[:5]]


def test_real_texts_sketch_as_the_reference(real_texts):
    texts = real_texts + [t[:k] for t in real_texts[:30] for k in (50, 200, 240, 260, 400, 1000)]
    texts += [t.upper() for t in real_texts[:10]] + [dedupe.fold(t) for t in real_texts[:10]]
    assert_same(texts)
    assert_same(texts)  # again, from the caches
    assert sum(1 for t in real_texts if dedupe.signature(t)) >= 90


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_texts_sketch_as_the_reference(real_texts, seed):
    vocabulary = sorted({w for t in real_texts for w in t.split()})
    assert_same(random_texts(seed, 300, vocabulary))


def test_same_output_when_the_caches_are_reset_often(real_texts, monkeypatch):
    vocabulary = sorted({w for t in real_texts for w in t.split()})
    monkeypatch.setattr(dedupe, "_CACHE_MAX", 300)
    assert_same(real_texts[:20] + random_texts(4, 100, vocabulary) + real_texts[:20])


def test_same_output_from_threads(real_texts):
    texts = real_texts[:40]
    expected = [ref_sketch(t) for t in texts]
    dedupe._clear()
    results: dict[int, list[list[int]]] = {}

    def work(k: int) -> None:
        results[k] = [dedupe.sketch(t) for t in (texts if k % 2 else texts[::-1])]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for k, got in results.items():
        assert got == (expected if k % 2 else expected[::-1])


def test_edge_cases_sketch_as_the_reference():
    word = "nghiêng " * 45
    assert_same([
        word, word.upper(), word.replace(" ", "\xa0"), word.replace(" ", "–"), word.replace(" ", "©"),
        "ΟΔΟΣ. ΟΔΟΣ:ΟΔΟΣ'ΟΔΟΣ " * 15, "x" * 70 + " " + word, word + "x" * 62, word + "y" * 63,
        "a©b " * 50, "© " * 50 + word, "2/11 23.900 19:20 " * 20, "İstanbul " * 50, "café\u0301 " * 50,
        "a\ud800b " * 50, "Ǆ ǅ ǆ ẞ ß " * 20, "thông\u034fbáo " * 50, "A_B " * 50,
    ])
    longest = dedupe._MAX_WORD  # longest word (UTF-8 bytes) of the fast path
    assert_same([" ".join(["z" * n] * 45) for n in (longest - 1, longest, longest + 1)]
                + [" ".join(["ж" * (n // 2), "Ж" * (n // 2 + 1)] * 25) for n in (longest - 1, longest)])


def test_the_unicode_facts_the_tokens_rely_on():
    """Tokens are lower-cased one by one: right when lower case is a function of the
    character (all but Σ, whose texts are lower-cased first) and is idempotent."""
    for cp in range(0x110000):
        low = chr(cp).lower()
        assert low.lower() == low and "\u03a3" not in low, hex(cp)
    rng = random.Random(5)
    for _ in range(200):
        text = "".join(rng.choice(POOL) for _ in range(200)).replace("\u03a3", "")
        assert text.lower() == "".join(c.lower() for c in text)
    for c in dedupe._BREAKS + tuple(chr(b) for b in range(128) if dedupe._ASCII_BREAKS[b] == 32):
        assert c.lower() == c and not WORD.match(c)
