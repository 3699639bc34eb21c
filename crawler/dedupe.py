"""Near-duplicate detection for syndicated copies ("Theo TTXVN") across sites.

A bottom-k MinHash sketch: hash every word 4-shingle of the diacritic-folded text once
and keep the k smallest hashes. Two sketches estimate the Jaccard similarity of the
shingle sets; the store finds candidates by shared sketch hashes (an indexed table) and
confirms them with the estimate. Pure functions, no database.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
import zlib

SHINGLE_WORDS = 4
SKETCH_SIZE = 64
THRESHOLD = 0.6
"""Estimated Jaccard similarity from which two articles count as the same text."""
MIN_WORDS = 40
"""Shorter texts (photo captions, notices) are too short to compare reliably."""

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, NFC, without diacritics (đ → d), so retyped copies still match."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _hash(shingle: str) -> int:
    # 62 bits from two C-speed checksums (a cryptographic hash per shingle cost 5x more);
    # non-negative and below 2**63, so it fits a BIGINT column on PostgreSQL and SQLite.
    data = shingle.encode()
    return (zlib.crc32(data) << 30) ^ zlib.adler32(data)


def sketch(text: str | None, size: int = SKETCH_SIZE) -> list[int]:
    """The ``size`` smallest shingle hashes of the text, ascending; [] when too short."""
    words = _WORD.findall(fold(text or ""))
    if len(words) < MIN_WORDS:
        return []
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    return sorted(heapq.nsmallest(size, {_hash(s) for s in shingles}))


def similarity(a: list[int], b: list[int], size: int = SKETCH_SIZE) -> float:
    """Estimated Jaccard similarity of two bottom-k sketches (0 when either is empty)."""
    if not a or not b:
        return 0.0
    union_bottom = heapq.nsmallest(size, set(a) | set(b))
    both = set(a) & set(b)
    return sum(1 for h in union_bottom if h in both) / len(union_bottom)


def is_near_duplicate(a: list[int], b: list[int]) -> bool:
    return similarity(a, b) >= THRESHOLD
