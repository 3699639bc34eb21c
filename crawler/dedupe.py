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

import os
import re
import threading
import unicodedata
import zlib
from collections.abc import Iterable
from operator import itemgetter
from typing import TypeVar

import numpy as np

SHINGLE_WORDS = 4
BINS = 64
BANDS = 16
ROWS = BINS // BANDS
THRESHOLD = 0.6
"""Estimated Jaccard similarity from which two articles count as the same text."""
MIN_WORDS = 40
"""Shorter texts (photo captions, notices) are too short to compare reliably."""
EMPTY = -1
_T = TypeVar("_T")

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


# Words without a regular expression over the whole text: the text is cut into tokens at
# characters that are not word characters and fold on their own (ASCII punctuation and white
# space, a few common others), so never inside a word; each distinct token is looked up in
# caches filled the first time it is seen. When every character folds on its own, folding
# word by word gives the words of the folded text (else the whole text is folded, as before).
_ASCII_BREAKS = bytes(b if b >= 128 or _WORD.match(chr(b)) or chr(b).lower() != chr(b) else 32
                      for b in range(256))  # ASCII non-word characters -> space
_BREAKS = tuple(c for c in "“”‘’…–—•·«»\u00a0°≥≤\ufffc"
                if c.lower() == c and not _WORD.match(c) and _keeps_words(c))  # -> space
_SINGLE: dict[bytes, bytes] = {}  # token of one word -> folded UTF-8
_CODE: dict[bytes, int] = {}  # token -> id of its one word; ~index in _GROUPS (other tokens)
_GROUPS: list[tuple[int, ...]] = []  # ids of the words of a token with none or several
_FOLDED: dict[str, int] = {}  # lower-case word -> id of its folded UTF-8
_IDS: dict[bytes, int] = {}  # folded UTF-8 -> id
_WORDS: list[bytes] = []  # id -> folded UTF-8
_LOCK = threading.Lock()  # for the caches (ids are handed out in order, the caches reset)


def _after_fork() -> None:
    global _LOCK
    if _LOCK.locked():  # another thread of the parent was changing the caches
        _clear()
    _LOCK = threading.Lock()


def _clear() -> None:
    for cache in (_SINGLE, _CODE, _GROUPS, _FOLDED, _IDS, _WORDS):
        cache.clear()


os.register_at_fork(after_in_child=_after_fork)


def _tokens(text: str) -> list[bytes]:
    """The text as UTF-8, cut at the characters above (lower-cased later, per token: the
    break characters are their own lower case, and only Σ has a lower case that depends on
    its neighbours, so ``text.lower()`` is the tokens lower-cased one by one)."""
    if len(_CODE) > _CACHE_MAX or len(_WORDS) > _CACHE_MAX:  # ids are only kept within a call
        _clear()
    if "\u03a3" in text:  # Σ becomes ς or σ by its neighbours: lower-case the text first
        text = text.lower()  # (lower case leaves lower case alone)
    for c in _BREAKS:
        text = text.replace(c, " ")
    return text.encode("utf-8", "surrogatepass").translate(_ASCII_BREAKS).split()


def _learn(token: bytes) -> bool:
    """Cache the words of a new token; False when one of its characters does not fold on
    its own (then only folding the whole text is right)."""
    text = token.decode("utf-8", "surrogatepass").lower()
    if not text.isascii() and not all(_keeps_words(c) for c in set(text) if not c.isascii()):
        return False
    ids = tuple(map(_folded_id, _WORD.findall(text)))
    if len(ids) == 1:
        _SINGLE[token] = _WORDS[ids[0]]
        _CODE[token] = ids[0]
    else:
        _CODE[token] = ~len(_GROUPS)
        _GROUPS.append(ids)
    return True


def _folded_id(word: str) -> int:
    wid = _FOLDED.get(word)
    if wid is None:
        data = fold(word).encode()
        wid = _IDS.get(data)
        if wid is None:
            wid = _IDS[data] = len(_WORDS)
            _WORDS.append(data)
            _add_stats(wid, data)
        _FOLDED[word] = wid
    return wid


def _lookup(cache: dict[bytes, _T], tokens: list[bytes]) -> Iterable[_T]:
    """``map(cache.__getitem__, tokens)``, a little faster."""
    return itemgetter(*tokens)(cache) if len(tokens) > 1 else list(map(cache.__getitem__, tokens))


def _word_ids(tokens: list[bytes]) -> np.ndarray | None:
    """The ids of the folded words of the tokens; None: fold the whole text instead."""
    try:
        codes = np.fromiter(_lookup(_CODE, tokens), np.intp, len(tokens))
    except KeyError:
        if not all(map(_learn, set(tokens).difference(_CODE))):
            return None
        codes = np.fromiter(_lookup(_CODE, tokens), np.intp, len(tokens))
    if not len(codes) or codes.min() >= 0:
        return codes
    groups = np.flatnonzero(codes < 0)
    pieces, start = [], 0
    for at in groups.tolist():
        pieces += [codes[start:at], np.array(_GROUPS[~int(codes[at])], np.intp)]
        start = at + 1
    pieces.append(codes[start:])
    return np.concatenate(pieces)


def folded_words(text: str) -> list[bytes]:
    """``_WORD.findall(fold(text))`` as UTF-8: fold each distinct word once (cached across
    texts) when every character of the text folds on its own, else fold the whole text."""
    with _LOCK:
        tokens = _tokens(text)
        try:
            return list(_lookup(_SINGLE, tokens))
        except KeyError:
            ids = _word_ids(tokens)
        if ids is not None:
            return list(map(_WORDS.__getitem__, ids.tolist()))
    return [w.encode() for w in _WORD.findall(fold(text))]


def _hash(data: bytes) -> int:
    # 62 bits from two C-speed checksums (a cryptographic hash per shingle cost 5x more).
    return (zlib.crc32(data) << 30) ^ zlib.adler32(data)


# The shingle hashes without building the shingles. Both checksums of a concatenation follow
# from those of its parts: CRC-32 is linear (``_crc0``: the register without its initial value
# and final inversion; crc0(a + b) = crc0(a) moved over len(b) zero bytes, xor crc0(b)), and
# Adler-32 is two sums mod 65521. Per word: its length, crc0 of the word and of " " + word,
# and its Adler sums; per text, numpy combines words into pairs and pairs into shingles.
_ADLER_MOD = 65521
_SHIFTS = 128  # tables for moving a CRC register over 0..127 zero bytes (1 MB)
_MAX_WORD = (_SHIFTS - 3) // 2  # longest word (bytes) the tables cover; longer: plain path


def _crc0(data: bytes) -> int:
    return zlib.crc32(data) ^ zlib.crc32(bytes(len(data)))


def _zero_byte_tables() -> tuple[np.ndarray, ...]:
    """Per byte k of a register: ``[s * 256 + b]``, the register ``b << 8k`` after ``s`` zero
    bytes (the register after s zero bytes is the xor of those of its four bytes)."""
    one = np.array([zlib.crc32(b"\0", b ^ 0xFFFFFFFF) ^ 0xFFFFFFFF for b in range(256)], np.int64)
    t = np.empty((4, _SHIFTS, 256), np.int64)
    t[:, 0] = np.arange(256, dtype=np.int64) << (8 * np.arange(4, dtype=np.int64))[:, None]
    for s in range(1, _SHIFTS):
        t[:, s] = one[t[:, s - 1] & 255] ^ (t[:, s - 1] >> 8)
    return tuple(t.reshape(4, _SHIFTS * 256))


_ZERO_BYTES = _zero_byte_tables()
_CRC_ZEROS = np.array([zlib.crc32(bytes(n)) for n in range(4 * _SHIFTS)], np.int64)  # crc32(n zero bytes)
_CRC0_SPACE = np.array([_crc0(b" " + bytes(n)) for n in range(_SHIFTS)], np.int64)  # crc0(" " + n zero bytes)
_STATS = np.zeros((5, 4096), np.int64)  # per word id: length, crc0, crc0 of " " + word, Adler sums A, B


def _add_stats(wid: int, data: bytes) -> None:
    global _STATS
    if wid >= _STATS.shape[1]:
        _STATS = np.concatenate([_STATS, np.zeros_like(_STATS)], axis=1)
    n = len(data)
    if n <= _MAX_WORD:  # else the plain path hashes the text
        adler = zlib.adler32(data)  # (B + n) << 16 | (A + 1), mod 65521
        _STATS[:, wid] = (n, _crc0(data), _crc0(b" " + data),
                          ((adler & 0xFFFF) - 1) % _ADLER_MOD, ((adler >> 16) - n) % _ADLER_MOD)
    else:
        _STATS[:, wid] = (n, 0, 0, 0, 0)


def _after_zeros(crc0: np.ndarray, count: np.ndarray) -> np.ndarray:
    """CRC registers ``crc0`` moved over ``count`` (< ``_SHIFTS``) zero bytes each."""
    octets = np.ascontiguousarray(crc0, "<i8").view(np.uint8)
    base = count << 8
    t0, t1, t2, t3 = _ZERO_BYTES
    return (t0.take(base + octets[0::8]) ^ t1.take(base + octets[1::8])
            ^ t2.take(base + octets[2::8]) ^ t3.take(base + octets[3::8]))


def _shingle_hashes(ids: np.ndarray) -> np.ndarray | None:
    """``_hash`` of every run of SHINGLE_WORDS (4) words joined by spaces, from the words' ids;
    None when a word is too long for the tables."""
    n, crc, crc_sp, a, b = _STATS.take(ids, axis=1)  # C order: rows contiguous
    if int(n.max()) > _MAX_WORD:
        return None
    # Pairs "w[j] w[j+1]": length, crc0, Adler sums.
    n1 = n[1:] + 1  # len(" " + w[j+1])
    pair_n = n[:-1] + n1
    pair_crc = _after_zeros(crc[:-1], n1) ^ crc_sp[1:]
    pair_a = a[:-1] + a[1:] + 32
    pair_b = b[:-1] + (a[:-1] + 32) * n1 + b[1:]
    # Shingles "pair[i] pair[i+2]" (len(" " + pair[i+2]) = tail).
    count = len(ids) - SHINGLE_WORDS + 1
    tail = pair_n[2:] + 1
    length = pair_n[:count] + tail
    crc32 = (_after_zeros(pair_crc[:count], tail) ^ _CRC0_SPACE[tail - 1] ^ pair_crc[2:]
             ^ _CRC_ZEROS[length])
    sum_a = pair_a[:count] + pair_a[2:] + 32
    sum_b = pair_b[:count] + (pair_a[:count] + 32) * tail + pair_b[2:]
    adler32 = (((sum_b + length) % _ADLER_MOD) << 16) | ((sum_a + 1) % _ADLER_MOD)
    return (crc32 << 30) ^ adler32


def _plain_hashes(encoded: list[bytes]) -> np.ndarray:
    # Shifted copies of the word list, cut to the shortest: every run of SHINGLE_WORDS words.
    shingles = list(map(b" ".join, zip(*(encoded[i:] for i in range(SHINGLE_WORDS)), strict=False)))
    crcs = np.fromiter(map(zlib.crc32, shingles), np.int64, len(shingles))
    return (crcs << 30) ^ np.fromiter(map(zlib.adler32, shingles), np.int64, len(shingles))


_NO_VALUE = np.iinfo(np.int64).max
_BIN_BITS = BINS.bit_length() - 1  # BINS is a power of two: h % BINS, h // BINS as bit operations
assert BINS == 1 << _BIN_BITS


def signature(text: str | None) -> list[int]:
    """``BINS`` values (the text's one-permutation MinHash); [] when the text is too short."""
    text = text or ""
    hashes = None
    with _LOCK:
        ids = _word_ids(_tokens(text))
        if ids is None:
            encoded = [w.encode() for w in _WORD.findall(fold(text))]
        else:
            encoded = []
            if len(ids) >= MIN_WORDS:
                hashes = _shingle_hashes(ids)
                if hashes is None:  # a word too long for the tables
                    encoded = list(map(_WORDS.__getitem__, ids.tolist()))
    if hashes is None:
        if len(encoded) < MIN_WORDS:
            return []
        hashes = _plain_hashes(encoded)
    # The hash picks the bin (h % BINS), the smallest h // BINS per bin is kept; hashes >= 0.
    mins = np.full(BINS, _NO_VALUE, np.int64)
    np.minimum.at(mins, hashes & (BINS - 1), hashes >> _BIN_BITS)
    sig: list[int] = mins.tolist()
    if _NO_VALUE in sig:
        sig = [EMPTY if value == _NO_VALUE else value for value in sig]
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
    values = list(map(str, sig))
    chunks = [f"{band}:{','.join(values[band * ROWS:(band + 1) * ROWS])}".encode() for band in range(BANDS)]
    return [(1 << 62) | (band << 56) | (_hash(chunk) & _MASK) for band, chunk in enumerate(chunks)]


def sketch_rows(sig: list[int]) -> list[int]:
    """A text's sketch as one list: the signature (bin number in bits 56-61, the value
    truncated to 56 bits) and the band keys (bit 62); all fit a signed BIGINT. The store
    keeps the band keys as indexed rows and the signature packed
    (``crawler.db.duplicates.split_sketch``)."""
    if not sig:
        return []
    return [(slot << 56) | (value & _MASK) for slot, value in enumerate(sig)] + band_keys(sig)


def sketch(text: str | None) -> list[int]:
    """The rows to store for a text (signature and band keys); [] when too short."""
    return sketch_rows(signature(text))
