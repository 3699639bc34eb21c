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


def _hash(data: bytes) -> int:
    # 62 bits from two C-speed checksums (a cryptographic hash per shingle cost 5x more).
    return (zlib.crc32(data) << 30) ^ zlib.adler32(data)


def signature(text: str | None) -> list[int]:
    """``BINS`` values (the text's one-permutation MinHash); [] when the text is too short."""
    words = _WORD.findall(fold(text or ""))
    if len(words) < MIN_WORDS:
        return []
    sig = [EMPTY] * BINS
    encoded = [w.encode() for w in words]
    shingles = list(map(b" ".join, zip(*(encoded[i:] for i in range(SHINGLE_WORDS)))))
    # _hash of every shingle, without a Python call each
    hashes = [(c << 30) ^ a for c, a in zip(map(zlib.crc32, shingles), map(zlib.adler32, shingles))]
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
