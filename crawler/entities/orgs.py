"""Organisations: abbreviations (UBND, HĐND, BCĐ...), party and state bodies, and
capitalised names after a head word (Sở, Bộ, Công ty...), with the attached place."""

from __future__ import annotations

import re

from crawler.entities._text import Phrases, Token, longest
from crawler.entities.model import Mention

# Written form (lower case) -> expansion. Abbreviations are matched case-sensitively.
ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "MTTQ": "Mặt trận Tổ quốc", "BCĐ": "Ban Chỉ đạo", "BCH": "Ban Chấp hành", "BTV": "Ban Thường vụ",
    "BQL": "Ban Quản lý", "HTX": "Hợp tác xã", "CLB": "Câu lạc bộ", "LĐLĐ": "Liên đoàn Lao động",
    "VKSND": "Viện Kiểm sát nhân dân", "TAND": "Tòa án nhân dân", "BHXH": "Bảo hiểm xã hội",
    "UBKT": "Ủy ban Kiểm tra", "BCHQS": "Bộ Chỉ huy Quân sự", "MTTQVN": "Mặt trận Tổ quốc Việt Nam",
    "NHNN": "Ngân hàng Nhà nước", "CSGT": "Cảnh sát giao thông", "TNCS": "Thanh niên Cộng sản",
}  # fmt: skip
# Bodies recognised whatever the case ("Trưởng ban tuyên giáo tỉnh ủy"); canonical casing.
BODIES = {p.lower(): p for p in (
    "Tỉnh ủy", "Huyện ủy", "Thành ủy", "Thị ủy", "Quận ủy", "Đảng ủy", "Đảng bộ", "Tỉnh đoàn",
    "Huyện đoàn", "Thành đoàn", "Ban Chỉ đạo", "Ban Tuyên giáo", "Ban Tuyên giáo và Dân vận",
    "Ban Tổ chức", "Ban Dân vận", "Ban Nội chính", "Ban Thường vụ", "Ban Chấp hành", "Ban Kinh tế",
    "Ban Pháp chế", "Ban Văn hóa - Xã hội", "Ban Dân tộc", "Ủy ban Kiểm tra", "Ủy ban nhân dân",
    "Hội đồng nhân dân", "Mặt trận Tổ quốc", "Ủy ban Mặt trận Tổ quốc", "Bộ Chính trị", "Ban Bí thư",
    "Chính phủ", "Quốc hội", "Ban Chấp hành Trung ương", "Ban Thường trực", "Thường trực",
)}  # fmt: skip
_BODY_KEYS = tuple(sorted(BODIES, key=len, reverse=True))
_BODIES = Phrases(BODIES)
_CAP_ONLY = {"chính phủ", "quốc hội", "thường trực", "đảng bộ", "đảng ủy", "ban thường trực", "ban bí thư"}
HEADS = (
    "Sở", "Bộ", "Cục", "Chi cục", "Tổng cục", "Trung tâm", "Công ty", "Tập đoàn", "Ngân hàng", "Trường",
    "Bệnh viện", "Báo", "Đài", "Viện", "Học viện", "Đại học", "Hợp tác xã", "Hội", "Ban", "Ủy ban",
    "Liên đoàn", "Phòng", "Quỹ", "Câu lạc bộ", "Kho bạc", "Thanh tra", "Chi nhánh", "Nhà máy",
    "Văn phòng", "Công an", "Tòa án", "Viện Kiểm sát", "Quân khu", "Bộ Tư lệnh", "Lữ đoàn", "Sư đoàn",
    "Trung đoàn", "Đồn", "Đoàn", "Liên minh", "Tổng công ty", "Cảng vụ", "Đảng ủy", "Chi bộ",
    "Bộ Chỉ huy", "Bộ đội", "Tổ chức", "Hiệp hội", "Liên hiệp", "Tạp chí", "Nhà xuất bản", "Thông tấn xã",
    "HTX", "CLB", "Trường Đại học", "Cảnh sát", "Đảng", "Nhà hát", "Bảo tàng", "Thư viện",
)  # fmt: skip
_HEAD_KEYS = Phrases(h.lower() for h in HEADS)
_LEVEL_WORDS = Phrases(
    ("tỉnh", "huyện", "xã", "thành phố", "tp", "tp.", "thị xã", "tx", "phường", "thị trấn", "quận")
)
_PARTY_SUFFIX = Phrases(
    ("tỉnh ủy", "huyện ủy", "thành ủy", "thị ủy", "quận ủy", "tỉnh uỷ", "huyện uỷ", "trung ương")
)
_STOP = {"và", "của", "các", "với", "cho", "tại", "trong", "về"}
_NUM = re.compile(r"^\d+[A-Za-z]?$")


def _body(toks: list[Token], k: int, is_person) -> int:
    """Extend a name over capitalised words, each with at most one lower-case syllable."""
    lower_run = 0
    while k < len(toks):
        t = toks[k]
        if t.cap or (t.text.isupper() and len(t.text) > 1) or _NUM.match(t.text):
            if t.cap and lower_run and is_person(k):
                break
            lower_run = 0
        elif (t.text in {"và", "-", "–"} and k + 1 < len(toks) and toks[k + 1].cap and lower_run <= 1) or (
            t.text.isalpha()
            and not lower_run
            and t.low not in _STOP
            and longest(toks, k, _LEVEL_WORDS)[1] == 0
        ):
            lower_run = 1
        else:
            break
        k += 1
    return k


def _suffix(toks: list[Token], k: int) -> int:
    """Attached place: "Tỉnh ủy", "tỉnh", "huyện Quỳnh Nhai", "TP Quy Nhơn", "Việt Nam"."""
    _, n = longest(toks, k, _PARTY_SUFFIX)
    if n:
        return k + n
    _, n = longest(toks, k, _LEVEL_WORDS)
    if n and not (toks[k].text.isupper() and toks[k].low not in {"tp", "tx", "tp."}):
        k += n
        while k < len(toks) and toks[k].cap:
            k += 1
        return k
    if k + 1 < len(toks) and toks[k].text == "Việt" and toks[k + 1].text == "Nam":
        return k + 2
    return k


def _org_at(toks: list[Token], i: int, is_person) -> int:
    """End token index of an organisation starting at ``i``, or ``i`` when there is none."""
    t = toks[i]
    if t.text in ABBREVIATIONS or (t.text.startswith("BCĐ") and t.text[3:].isdigit()):
        k = i + 1
        while k < len(toks) and (_NUM.match(toks[k].text) or toks[k].text in ABBREVIATIONS):
            k += 1
        return _suffix(toks, _body(toks, k, is_person) if toks[i].text in {"HTX", "CLB"} else k)
    body, n = longest(toks, i, _BODIES)
    if n and (t.cap or body not in _CAP_ONLY):
        k = i + n
        while k < len(toks) and _NUM.match(toks[k].text):
            k += 1
        if t.cap and k < len(toks) and toks[k].cap and toks[k].low not in {"tỉnh", "huyện"}:
            k = _body(toks, k, is_person)
        return _suffix(toks, k)
    _, n = longest(toks, i, _HEAD_KEYS)
    if n and t.cap and i + n < len(toks) and (toks[i + n].cap or toks[i + n].text in ABBREVIATIONS):
        return _suffix(toks, _body(toks, i + n, is_person))
    return i


def _expand(text: str) -> str:
    """Abbreviations expanded and known bodies in their official casing."""
    s = " ".join(ABBREVIATIONS.get(w, w) for w in text.split())
    s = re.sub(r"\bBCĐ(\d+)", r"Ban Chỉ đạo \1", s).replace("uỷ", "ủy")
    for low in _BODY_KEYS:
        s = re.sub(rf"(?<!\w){re.escape(low)}(?!\w)", BODIES[low], s, flags=re.IGNORECASE)
    return s


def find_orgs(toks: list[Token], text: str, is_person) -> list[Mention]:
    """Organisation mentions; ``is_person(k)`` says a person's name starts at token ``k``."""
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        k = _org_at(toks, i, is_person)
        if k <= i:
            i += 1
            continue
        while k > i + 1 and toks[k - 1].text in {"-", "–", "và"}:
            k -= 1
        s, e = toks[i].start, toks[k - 1].end
        out.append(Mention(start=s, end=e, label="ORG", text=text[s:e], normalized=_expand(text[s:e]),
                           outer_start=s, priority=2))  # fmt: skip
        i = k
    return out
