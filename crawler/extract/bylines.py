"""Bylines: role prefixes off, several authors split, byline lines told from prose."""

from __future__ import annotations

import re

from crawler.extract.text import clean

_PREFIX = re.compile(
    r"^(?:(?:tác giả(?: bài viết)?|bài(?: và|,)? ảnh|tin(?: và|,)? ảnh|bài|tin|"
    r"thực hiện|người viết|phóng viên|pv|nhóm phóng viên)\s*[:：-]\s*|theo\s+)",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|&|\s-\s|\s–\s|\bvà\b)\s*")
_CREDIT_LINE = re.compile(
    r"^\(?\s*(?:theo|nguồn|tác giả|bài(?: và|,)? ảnh|tin(?: và|,)? ảnh|ảnh)\b\s*:?\s*.{1,80}\)?\.?$",
    re.IGNORECASE,
)
_OUTLET_SUFFIX = re.compile(r"\s*\([^()]*\)$")  # "Sầm Hoa (Vietnamnet/Reuters)"
_ROLE_SUFFIX = re.compile(r"\s*\((?:thực hiện|tổng hợp|lược dịch|dịch|ghi)\)\.?$", re.IGNORECASE)


def clean_byline(raw: str | None) -> str | None:
    """A displayed byline without role prefixes ("Tác giả:", "Tin, ảnh:", "Theo ")."""
    value = clean(raw)
    if not value:
        return None
    for _ in range(2):  # "Tác giả: Theo X" carries two prefixes
        value = _PREFIX.sub("", value).strip()
    value = _ROLE_SUFFIX.sub("", value)
    value = _OUTLET_SUFFIX.sub("", value).strip(" ,:;-–")
    return value or None


def split_authors(author: str | None) -> list[str]:
    """``"THUẬN VĂN - LÊ ÁNH"`` -> ``["THUẬN VĂN", "LÊ ÁNH"]``."""
    if not author:
        return []
    return [part for part in (p.strip(" .") for p in _SPLIT.split(author)) if part]


def looks_like_name(line: str) -> bool:
    """A short upper-case name line such as ``T.SỸ`` or ``HỒNG HÀ (Thực hiện)``."""
    core = _ROLE_SUFFIX.sub("", line).strip(" .")
    letters = [c for c in core if c.isalpha()]
    if not letters or len(core) > 40 or len(core.split()) > 6:
        return False
    return all(c.isupper() for c in letters)


def is_byline_line(line: str, author: str | None = None) -> bool:
    """True for a paragraph that is a byline or credit, not prose."""
    if len(line) > 90:
        return False
    if author and clean_byline(line) == author:
        return True
    if _CREDIT_LINE.match(line):
        return True
    return looks_like_name(line)


def drop_trailing_bylines(paragraphs: list[str], author: str | None = None) -> list[str]:
    """Remove byline/credit lines at the end of a body (at most two)."""
    out = list(paragraphs)
    for _ in range(2):
        if len(out) > 1 and is_byline_line(out[-1], author):
            out.pop()
    return out


_SOURCE_PREFIX = re.compile(r"^(?:nguồn(?: tin)?|source)\s*[:：-]\s*", re.IGNORECASE)
_THEO = re.compile(r"^theo\s+", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(r"^(?:ảnh|photo|video|đồ họa|clip)\s*[:：]", re.IGNORECASE)
_OUTLET = re.compile(
    r"^(?:báo|đài|tạp chí|cổng|trang|kênh|thông tấn|tt|ttx|sở|ubnd|ủy ban|ban|bộ|hội|trung tâm|"
    r"văn phòng|phòng|huyện|tỉnh|thành phố|xã|phường|công an|bệnh viện)\b"
    r"|\.(?:vn|com|net|org|info)\b"
    r"|^(?:ttxvn|vna|vov|vtv|vtc|afp|reuters|ap|bbc|cnn|xinhua|tass|thanh niên|tuổi trẻ|dân trí|"
    r"vnexpress|vietnamnet|infonet|ngoisao|zing|znews|tiền phong|lao động|nhân dân|quân đội nhân dân|"
    r"công an nhân dân|người lao động|pháp luật|plo|sggp|sài gòn giải phóng|hà nội mới|vietnamplus|"
    r"soha|kenh14|genk|24h|cafef|cafebiz|forbes|bloomberg|vcamp)\b",
    re.IGNORECASE,
)
_PAREN_OUTLET = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<outlet>[^()]+)\)$")


def _name_like(text: str | None) -> bool:
    """A short run of capitalised words or a domain ("Báo Sơn La", "genk.vn"), not prose."""
    words = (text or "").split()
    return 0 < len(words) <= 7 and all(w[0].isupper() or w[0].isdigit() or "." in w for w in words)


def is_outlet(name: str | None) -> bool:
    """True for a publisher, agency or office name ("TTXVN", "Báo Sơn La", "genk.vn")."""
    return name is not None and bool(_OUTLET.search(name.strip(" .")))


def credit(line: str | None) -> tuple[str | None, str | None]:
    """``(author, source)`` from a credit line: ``Theo TTXVN`` and ``Nguồn: Báo Sơn La`` are sources.

    ``Theo Sầm Hoa (Vietnamnet/Reuters)`` and ``Theo Minh Nguyễn/Vcamp.vn`` name a person
    and a source; a bare single word after ``Theo`` is taken as an outlet (``Theo Ngoisao``).
    """
    text = (clean(line) or "").strip()
    if text.startswith("(") and text.rstrip(".").endswith(")"):
        text = text.rstrip(".")[1:-1].strip()
    if not text or len(text) > 120:
        return None, None
    if _SOURCE_PREFIX.match(text):
        return None, _SOURCE_PREFIX.sub("", text) or None
    if _PHOTO_CREDIT.match(text):
        return None, None  # "Ảnh: Misso" credits the photos, not the article
    if not _THEO.match(text):
        author = clean_byline(text)
        return (None, author) if is_outlet(author) and _name_like(author) else (author, None)
    rest = _THEO.sub("", text)
    if not _name_like(rest.split("(")[0].split("/")[0]):
        return None, None  # "Theo báo cáo của huyện, ...": prose
    person, outlet = rest, None
    paren = _PAREN_OUTLET.match(rest)
    if paren:
        person, outlet = paren["name"], paren["outlet"]
    elif "/" in rest:
        person, outlet = (part.strip() for part in rest.split("/", 1))
    if is_outlet(person) or (outlet is None and len(person.split()) == 1):
        return None, rest
    return clean_byline(person), outlet
