"""Text folding for diacritic-insensitive matching ("quynh nhai" finds "Quỳnh Nhai")."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case, NFC, without diacritics; "đ" becomes "d" (Unicode does not decompose it)."""
    lowered = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits; punctuation and operators dropped)."""
    return _WORD.findall(text)


def contains_phrase(haystack_words: list[str], phrase: list[str]) -> bool:
    """``phrase`` occurs as consecutive words of ``haystack_words``."""
    n = len(phrase)
    if n == 0:
        return False
    first = phrase[0]
    return any(
        haystack_words[i] == first and haystack_words[i : i + n] == phrase
        for i in range(len(haystack_words) - n + 1)
    )
