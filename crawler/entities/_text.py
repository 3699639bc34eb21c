"""NFC at the door with offsets mapped back, and a light tokenizer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\w+(?:[./'&]\w+)*\.?|[^\w\s]|\n", re.UNICODE)
_UY_RE = re.compile(r"u([ỳýỷỹỵ])(?!\w)")
_UY = {"ỳ": "ùy", "ý": "úy", "ỷ": "ủy", "ỹ": "ũy", "ỵ": "ụy"}


def to_nfc(text: str) -> tuple[str, list[int] | None]:
    """NFC text and, when it differs from the input, a map from NFC offsets to input offsets.

    Each base character with its combining marks is normalised on its own, so every NFC
    offset maps to the start of the input cluster it came from (the map has one more
    entry than the text: its end).
    """
    if unicodedata.is_normalized("NFC", text):
        return text, None
    out: list[str] = []
    offsets: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    offsets.append(n)
    return "".join(out), offsets


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    low: str = ""

    @property
    def cap(self) -> bool:
        """Starts with a capital and is not an all-caps word (headlines, abbreviations)."""
        t = self.text
        return t[:1].isupper() and (len(t) == 1 or not t.isupper() or (len(t) == 2 and t[1] == "'"))


def _tok(text: str, start: int, end: int) -> Token:
    low = text.lower()
    if "u" in low:
        low = _UY_RE.sub(lambda m: _UY[m.group(1)], low)  # "uỷ" and "ủy" are one word
    return Token(text, start, end, low)


def tokenize(text: str) -> list[Token]:
    toks = []
    for m in TOKEN_RE.finditer(text):
        s, e = m.start(), m.end()
        word = m.group()
        # A trailing dot is a sentence end unless the word is an abbreviation (TP., TX.).
        if word.endswith(".") and len(word) > 1 and word[:-1].lower() not in {"tp", "tx", "tt"}:
            toks.append(_tok(word[:-1], s, e - 1))
            toks.append(_tok(".", e - 1, e))
        else:
            toks.append(_tok(word, s, e))
    return toks


class Phrases:
    """Lower-case phrases indexed by first word, for longest-match at a token."""

    def __init__(self, phrases) -> None:
        self.by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for p in sorted(set(phrases), key=lambda p: -len(p.split())):
            words = tuple(p.split())
            self.by_first.setdefault(words[0], []).append((p, words))


def longest(toks: list[Token], i: int, phrases: Phrases) -> tuple[str, int]:
    """The longest phrase matching at ``i`` and its token count, or ("", 0)."""
    if i >= len(toks):
        return "", 0
    for phrase, words in phrases.by_first.get(toks[i].low, ()):
        n = len(words)
        if i + n <= len(toks) and all(toks[i + k].low == words[k] for k in range(1, n)):
            return phrase, n
    return "", 0
