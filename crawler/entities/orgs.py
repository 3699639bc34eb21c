"""Organisations: abbreviations (UBND, HĐND, BCĐ...), party and state bodies, and
capitalised names after a head word (Sở, Bộ, Công ty...), with the attached place."""

from __future__ import annotations

import re

from crawler.entities import lexicon as lx
from crawler.entities._text import Phrases, Token, longest
from crawler.entities.model import Mention

# Written form (lower case) -> expansion. Abbreviations are matched case-sensitively.
ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "MTTQ": "Mặt trận Tổ quốc", "BCĐ": "Ban Chỉ đạo", "BCH": "Ban Chấp hành", "BTV": "Ban Thường vụ",
    "BQL": "Ban Quản lý", "HTX": "Hợp tác xã", "CLB": "Câu lạc bộ", "LĐLĐ": "Liên đoàn Lao động",
    "VKSND": "Viện Kiểm sát nhân dân", "TAND": "Tòa án nhân dân", "BHXH": "Bảo hiểm xã hội",
    "UBKT": "Ủy ban Kiểm tra", "BCHQS": "Bộ Chỉ huy Quân sự", "MTTQVN": "Mặt trận Tổ quốc Việt Nam",
    "NHNN": "Ngân hàng Nhà nước", "TNCS": "Thanh niên Cộng sản", "CA": "Công an", "VKS": "Viện Kiểm sát",
}  # fmt: skip
# Bodies recognised whatever the case ("Trưởng ban tuyên giáo tỉnh ủy"); canonical casing.
BODIES = {p.lower(): p for p in (
    "Tỉnh ủy", "Huyện ủy", "Thành ủy", "Thị ủy", "Quận ủy", "Đảng ủy", "Đảng bộ", "Tỉnh đoàn",
    "Huyện đoàn", "Thành đoàn", "Ban Chỉ đạo", "Ban Tuyên giáo", "Ban Tuyên giáo và Dân vận",
    "Ban Tổ chức", "Ban Dân vận", "Ban Nội chính", "Ban Thường vụ", "Ban Chấp hành", "Ban Kinh tế",
    "Ban Pháp chế", "Ban Văn hóa - Xã hội", "Ban Dân tộc", "Ủy ban Kiểm tra", "Ủy ban nhân dân",
    "Hội đồng nhân dân", "Mặt trận Tổ quốc", "Ủy ban Mặt trận Tổ quốc", "Bộ Chính trị", "Ban Bí thư",
    "Chính phủ", "Quốc hội", "Ban Chấp hành Trung ương", "Ban Thường trực", "Thường trực",
    "Trung ương Đảng", "Ban Chấp hành Trung ương Đảng", "Quân đội nhân dân", "Ngân hàng Thế giới",
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
    "HTX", "CLB", "Trường Đại học", "Cảnh sát", "Nhà hát", "Bảo tàng", "Thư viện", "Hội đồng",
    "Quân đội", "Trạm", "Công đoàn", "Chi đoàn", "Đội", "Tòa soạn",
)  # fmt: skip
_HEAD_KEYS = Phrases(h.lower() for h in HEADS)
_LEVEL_WORDS = Phrases(
    ("tỉnh", "huyện", "xã", "thành phố", "tp", "tp.", "thị xã", "tx", "phường", "thị trấn", "quận")
)
_PARTY_SUFFIX = Phrases(
    ("tỉnh ủy", "huyện ủy", "thành ủy", "thị ủy", "quận ủy", "tỉnh uỷ", "huyện uỷ", "trung ương")
)
# Lower-case words that end a name (verbs, prepositions, time words).
_STOP = set(lx.ROLE_STOPS) | set(
    lx._words("""
và của các với cho tại trong về tổ khóa nhận bàn giao xử thực ban vừa mới phối làm năm ngày
tháng lần thứ trên dưới này đó ra vào bị ở thuộc theo từ đến số trao tặng tuyên dương giành kịp
""")
)
_JOIN = {"và", "-", "–", "&", ","}
_HCM = {"tp.hcm", "tphcm"}
_CASED = {"ban tổ chức"}  # "Ban tổ chức" (organising committee) is not the party's "Ban Tổ chức"
_NEEDS_PLACE = {"đảng bộ", "CA"}  # "lực lượng CA" is the police in general
_NUM = re.compile(r"^\d+[A-Za-z]?$")


def _abbr(t: Token) -> bool:
    return len(t.text) > 1 and t.text.isupper()


def _lower_ok(toks: list[Token], k: int) -> int:
    """Length of a run of lower-case syllables at ``k`` that belongs to a name, or 0."""
    n = 0
    while k + n < len(toks) and n < 3:
        t = toks[k + n]
        if (
            not t.text.isalpha()
            or t.cap
            or _abbr(t)
            or t.low in _STOP
            or longest(toks, k + n, _LEVEL_WORDS)[1]
        ):
            break
        n += 1
    if n <= 1:
        return n
    nxt = toks[k + n] if k + n < len(toks) else None
    resumes = nxt is not None and (
        nxt.cap or _abbr(nxt) or nxt.low == "và" or longest(toks, k + n, _LEVEL_WORDS)[1]
    )
    ends = nxt is None or nxt.text in {".", ",", "(", ")", ";", ":", "\n", "-", "–"}
    return n if resumes or ends else 1


def _body(toks: list[Token], k: int, is_person) -> int:
    """Extend a name over capitalised words and abbreviations with their lower-case syllables."""
    start = k
    while k < len(toks):
        t = toks[k]
        if t.cap or _abbr(t) or _NUM.match(t.text):
            if t.cap and k > start and is_person(k) and not _abbr(toks[k - 1]):
                break
            k += 1
        elif t.low == "số" and k + 1 < len(toks) and _NUM.match(toks[k + 1].text):
            k += 2
        elif t.text in _JOIN and k + 1 < len(toks) and (toks[k + 1].cap or _abbr(toks[k + 1])) and k > start:
            if t.text == "," and not _list_ends_with_va(toks, k):
                break
            if t.low == "và" and longest(toks, k + 1, _HEAD_KEYS)[1]:
                break  # "Trường A và Trường B": two organisations
            k += 1
        elif k > start and (n := _lower_ok(toks, k)):
            k += n
        else:
            break
    return k


def _list_ends_with_va(toks: list[Token], k: int) -> bool:
    """ "Sở Văn hóa, Thể thao và Du lịch": a comma inside a name is followed by "và" soon."""
    for t in toks[k + 1 : k + 6]:
        if t.low == "và":
            return True
        if t.text in {",", ".", ";", "(", "\n"}:
            return False
    return False


def _suffix(toks: list[Token], k: int, is_person) -> int:
    """Attached place: "Tỉnh ủy", "tỉnh", "huyện Quỳnh Nhai", "TP.HCM", "Việt Nam", "khu vực 7"."""
    if k + 1 < len(toks) and toks[k].text == "Việt" and toks[k + 1].text == "Nam":
        k += 2
    if (
        k + 2 < len(toks)
        and toks[k].low == "khu"
        and toks[k + 1].low == "vực"
        and _NUM.match(toks[k + 2].text)
    ):
        k += 3
        if k + 1 < len(toks) and toks[k].text in {"-", "–"} and toks[k + 1].low in _HCM:
            k += 2
    if k < len(toks) and toks[k].low in _HCM:
        return k + 1
    _, n = longest(toks, k, _PARTY_SUFFIX)
    if n:
        return k + n
    _, n = longest(toks, k, _LEVEL_WORDS)
    if n and not (toks[k].text.isupper() and toks[k].low not in {"tp", "tx", "tp."}):
        k += n
        j = k
        while k < len(toks) and k - j < 4 and toks[k].cap and not is_person(k):
            k += 1
    return k


def _org_at(toks: list[Token], i: int, is_person) -> int:
    """End token index of an organisation starting at ``i``, or ``i`` when there is none."""
    t = toks[i]
    if i > 1 and toks[i - 1].text == "-" and "/" in toks[i - 2].text and toks[i - 1].start == toks[i - 2].end:
        return i  # the issuer in a document number ("55/KH-UBND")
    if t.text in ABBREVIATIONS or (t.text.startswith("BCĐ") and t.text[3:].isdigit()):
        k = i + 1
        while k < len(toks) and (_NUM.match(toks[k].text) or toks[k].text in ABBREVIATIONS):
            k += 1
        if t.text in {"HTX", "CLB"}:
            k = _body(toks, k, is_person)
        end = _suffix(toks, k, is_person)
        return i if t.text in _NEEDS_PLACE and end == k else end
    body, n = longest(toks, i, _BODIES)
    if (
        n
        and (t.cap or body not in _CAP_ONLY)
        and (body not in _CASED or t.text + toks[i + 1].text == "BanTổ")
    ):
        k = i + n
        while k < len(toks) and _NUM.match(toks[k].text):
            k += 1
        if k < len(toks) and toks[k].text in ABBREVIATIONS:
            return _org_at(toks, k, is_person)
        if (
            t.cap
            and k < len(toks)
            and toks[k].cap
            and toks[k].low not in {"tỉnh", "huyện"}
            and not is_person(k)
        ):
            k = _body(toks, k, is_person)
        end = _suffix(toks, k, is_person)
        return i if body in _NEEDS_PLACE and end == i + n else end
    _, n = longest(toks, i, _HEAD_KEYS)
    if n and t.cap and i + n < len(toks):
        nxt = toks[i + n]
        if nxt.text in ABBREVIATIONS:
            return max(_org_at(toks, i + n, is_person), i + n + 1)
        if nxt.cap or _abbr(nxt) or _NUM.match(nxt.text):
            return _suffix(toks, _body(toks, i + n, is_person), is_person)
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
