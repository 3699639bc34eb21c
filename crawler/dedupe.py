"""Near-duplicate detection for syndicated copies ("Theo TTXVN") across sites.

One-permutation MinHash with LSH bands: every word 4-shingle of the diacritic-folded text
is hashed once; the hash picks one of ``BINS`` bins and the smallest value per bin is the
signature (empty bins borrow from the next full one). The share of equal bins estimates
the Jaccard similarity of two texts. ``BANDS`` band keys (hashes of ``ROWS`` consecutive
bins) make candidate search an indexed equality lookup: two texts with Jaccard 0.6 share
a band with probability 1 - (1 - 0.6**4)**16 ≈ 0.9; unrelated texts almost never do, so
the cost of a lookup does not grow with the store. Pure functions, no database.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

SHINGLE_WORDS = 4
BINS = 64
BANDS = 16
ROWS = BINS // BANDS
THRESHOLD = 0.6
"""Estimated Jaccard similarity from which two articles count as the same text."""
MIN_WORDS = 40
"""Shorter texts (photo captions, notices) are too short to compare reliably."""
EMPTY = -1

_WORD = re.compile(r"\w+", re.UNICODE)
_VIETNAMESE_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")  # U+034F has class 0
_MASK = (1 << 56) - 1


def fold(text: str) -> str:
    """Lower-case, NFC, without diacritics (đ → d), so retyped copies still match."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    folded = _VIETNAMESE_MARKS.sub("", decomposed)  # Vietnamese tones and shapes: fast
    if not folded.isascii():  # any other combining mark, looked up once per distinct char
        marks = {c for c in set(folded) if unicodedata.combining(c)}
        if marks:
            folded = folded.translate(dict.fromkeys(map(ord, marks)))
    return folded


_FOLDED: dict[str, bytes] = {}  # lower-case word -> folded UTF-8 (Vietnamese has few syllables)
_KEEPS_WORDS: dict[str, bool] = {}
_CACHE_MAX = 50_000  # distinct Vietnamese syllables number a few thousand


def _keeps_words(c: str) -> bool:
    """Whether folding the (lower-case) character on its own leaves word boundaries where
    they were: a word character folds to word characters, any other to other characters.
    Combining marks do not (folding deletes them, joining their neighbours)."""
    ok = _KEEPS_WORDS.get(c)
    if ok is None:
        folded = fold(c)
        is_word = _WORD.fullmatch(c) is not None
        ok = bool(folded) and (_WORD.fullmatch(folded) is not None if is_word else not _WORD.search(folded))
        if len(_KEEPS_WORDS) < _CACHE_MAX:
            _KEEPS_WORDS[c] = ok
    return ok


def folded_words(text: str) -> list[bytes]:
    """``_WORD.findall(fold(text))`` as UTF-8: fold each distinct word once (cached across
    texts) when every character of the text folds on its own, else fold the whole text."""
    low = text.lower()
    if not low.isascii() and not all(_keeps_words(c) for c in set(low) if not c.isascii()):
        return [w.encode() for w in _WORD.findall(fold(text))]
    if len(_FOLDED) > _CACHE_MAX:
        _FOLDED.clear()
    out = []
    for word in _WORD.findall(low):
        value = _FOLDED.get(word)
        if value is None:
            value = _FOLDED[word] = fold(word).encode()
        out.append(value)
    return out


def _hash(data: bytes) -> int:
    # 62 bits from two C-speed checksums (a cryptographic hash per shingle cost 5x more).
    return (zlib.crc32(data) << 30) ^ zlib.adler32(data)


def signature(text: str | None) -> list[int]:
    """``BINS`` values (the text's one-permutation MinHash); [] when the text is too short."""
    encoded = folded_words(text or "")
    if len(encoded) < MIN_WORDS:
        return []
    sig = [EMPTY] * BINS
    # Shifted copies of the word list, cut to the shortest: every run of SHINGLE_WORDS words.
    shingles = list(map(b" ".join, zip(*(encoded[i:] for i in range(SHINGLE_WORDS)), strict=False)))
    # _hash of every shingle, without a Python call each
    crcs, adlers = map(zlib.crc32, shingles), map(zlib.adler32, shingles)
    hashes = [(c << 30) ^ a for c, a in zip(crcs, adlers, strict=True)]
    hashes.sort(reverse=True)
    # Largest first, so the smallest value of each bin is the one left in the dict.
    for slot, value in {h % BINS: h // BINS for h in hashes}.items():
        sig[slot] = value
    for slot in range(BINS):  # densify: an empty bin takes the next full bin's value
        step = 1
        while sig[slot] == EMPTY and step < BINS:
            donor = sig[(slot + step) % BINS]
            if donor != EMPTY:
                sig[slot] = donor + step  # the offset keeps borrowed values distinct
            step += 1
    return sig


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two signatures (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / BINS


def is_near_duplicate(a: list[int], b: list[int]) -> bool:
    return similarity(a, b) >= THRESHOLD


def band_keys(sig: list[int]) -> list[int]:
    """One key per band; texts sharing a key are candidates. Flagged with bit 62 so keys
    never collide with the stored signature values (see ``sketch_rows``)."""
    keys = []
    for band in range(BANDS):
        chunk = ",".join(map(str, sig[band * ROWS:(band + 1) * ROWS]))
        keys.append((1 << 62) | (band << 56) | (_hash(f"{band}:{chunk}".encode()) & _MASK))
    return keys


def sketch_rows(sig: list[int]) -> list[int]:
    """What the store keeps per article: the signature (bin number in bits 56-61, the value
    truncated to 56 bits) and the band keys; all fit a signed BIGINT."""
    if not sig:
        return []
    return [(slot << 56) | (value & _MASK) for slot, value in enumerate(sig)] + band_keys(sig)


def signature_from_rows(rows: list[int]) -> list[int]:
    """The (truncated) signature back from ``sketch_rows``; band keys are skipped."""
    sig = [EMPTY] * BINS
    for row in rows:
        if not row >> 62:
            sig[(row >> 56) & 63] = row & _MASK
    return sig if EMPTY not in sig else []


def sketch(text: str | None) -> list[int]:
    """The rows to store for a text (signature and band keys); [] when too short."""
    return sketch_rows(signature(text))
