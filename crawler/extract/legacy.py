"""Legacy Vietnamese encodings: TCVN3 (ABC, VSCII-3) and VNI, turned into NFC Unicode.

Before Unicode, Vietnamese pages were typed with font encodings: the bytes are plain
Latin-1/cp1252, and only a font such as ``.VnTime`` (TCVN3) or ``VNI-Times`` (VNI)
made them look Vietnamese. Read as Unicode they come out as ``ViÖt Nam`` (TCVN3) or
``Vieät Nam`` (VNI). Such pages often declare ``iso-8859-1`` or even ``utf-8``.

TCVN3 is one byte per letter (table below, TCVN 5712:1993 VN3; the upper-case toned
letters lived in a separate VN3H font, so they decode to lower case). VNI writes a base
letter followed by mark characters: tones ``ù ø û õ ï`` (acute, grave, hook, tilde, dot
below), ``â`` (circumflex), ``ê`` (breve), and combined circumflex/breve+tone characters;
``ô ö ñ`` are ``ơ ư đ``, and ``í ì æ ó ò î`` are ``í ì ỉ ĩ ị ỵ``. Upper-case forms use the
upper-case mark characters.

:func:`best_reading` picks, among candidate decodings, the one that reads as the most
Vietnamese (common words counted), so a correct Unicode page is never "converted".
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# fmt: off
TCVN3 = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
# VNI mark character -> combining marks; lower-case marks follow lower-case letters.
VNI_MARKS = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRCUMFLEX, "á": _CIRCUMFLEX + _ACUTE, "à": _CIRCUMFLEX + _GRAVE,
    "å": _CIRCUMFLEX + _HOOK, "ã": _CIRCUMFLEX + _TILDE, "ä": _CIRCUMFLEX + _DOT,
    "ê": _BREVE, "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE, "ë": _BREVE + _DOT,
}
VNI_MARKS.update({mark.upper(): combining for mark, combining in list(VNI_MARKS.items())})
VNI_LETTERS = {
    "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "í": "í", "Í": "Í", "ì": "ì", "Ì": "Ì", "æ": "ỉ", "Æ": "Ỉ",
    "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
}
_COMMON = [
    "của", "và", "các", "được", "người", "năm", "trong", "những", "có", "không", "cho", "với",
    "là", "đã", "một", "này", "theo", "tại", "việt", "huyện", "tỉnh", "ngày", "xã", "đến", "về",
    "khi", "để", "từ", "cũng", "đồng", "nhà", "nước", "thành", "phố", "hội", "công", "tác",
]
# fmt: on
_TCVN3_TABLE = {chr(byte): char for byte, char in TCVN3.items()}
_VNI_LETTERS_TABLE = str.maketrans(VNI_LETTERS)
_TCVN3_CHARS = re.compile("[" + "".join(_TCVN3_TABLE) + "]")
_VNI_PAIR = re.compile(
    "([aeiouyAEIOUYơưƠƯ])([" + "".join(VNI_MARKS) + "])"
)  # a base vowel and one mark character
_COMMON_WORD = re.compile(r"(?<!\w)(?:" + "|".join(_COMMON) + r")(?!\w)", re.IGNORECASE)
_VIET_LETTER = re.compile("[\u1ea0-\u1ef9\u01a0\u01a1\u01af\u01b0\u0110\u0111]")
SAMPLE = 60_000
_CHUNK = 8_000


def from_tcvn3(text: str) -> str:
    """TCVN3 text read as Latin-1 -> NFC Unicode."""
    return unicodedata.normalize("NFC", _TCVN3_CHARS.sub(lambda m: _TCVN3_TABLE[m.group()], text))


def from_vni(text: str) -> str:
    """VNI text read as cp1252/Latin-1 -> NFC Unicode."""
    text = text.translate(_VNI_LETTERS_TABLE)

    def compose(match: re.Match[str]) -> str:
        return match.group(1) + VNI_MARKS[match.group(2)]

    return unicodedata.normalize("NFC", _VNI_PAIR.sub(compose, text))


def has_unicode_vietnamese(text: str, enough: int = 20) -> bool:
    """True when the start of ``text`` already holds Vietnamese-only Unicode letters (ơ, ư, đ, ạ...)."""
    found = _VIET_LETTER.finditer(text, 0, SAMPLE)
    return sum(1 for _ in itertools.islice(found, enough)) >= enough  # stop at ``enough``


def vietnamese_score(text: str, enough: int = 10**9) -> int:
    """How many common Vietnamese words the start of ``text`` holds (counting stops at ``enough``)."""
    found = 0
    for start in range(0, min(len(text), SAMPLE), _CHUNK):
        found += len(_COMMON_WORD.findall(text, start, start + _CHUNK))
        if found >= enough:
            break
    return found


def best_reading(text: str) -> tuple[str, str | None]:
    """``(text, legacy)``: the text converted from TCVN3 or VNI when that reads far better."""
    base = vietnamese_score(unicodedata.normalize("NFC", text[:SAMPLE]))
    name, best_score = None, base
    for label, convert in (("tcvn3", from_tcvn3), ("vni", from_vni)):
        score = vietnamese_score(convert(text[:SAMPLE]))
        if score >= 3 and score > 2 * best_score:
            name, best_score = label, score
    if name is None:
        return text, None
    return (from_tcvn3(text) if name == "tcvn3" else from_vni(text)), name


LEGACY = {"tcvn3": from_tcvn3, "vni": from_vni}
