"""Vietnamese date strings as shown on pages, parsed into aware datetimes.

Day comes first, always. A time with no zone is Asia/Ho_Chi_Minh; ``GMT+7`` is +07:00.
Relative forms ("2 giờ trước") and dates without a year need ``now``, which is passed
in: this module never reads the clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<z>Z|[+-]\d{2}:?\d{2})?)?"
)
# NukeViet's ``article:published_time``: PHP's ``T`` (zone abbreviation) where a literal
# T belongs, e.g. ``2025-05-30+0719:38:00``.
_NUKEVIET_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?P<z>[+-]\d{2})(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})$"
)
_DMY = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})(?:\s*[/.-]\s*(?P<y>\d{4}|\d{2}))?(?![\d/])"
)
_WORDS_DMY = re.compile(
    r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s*(?:,\s*)?năm\s+(?P<y>\d{4}))?",
    re.IGNORECASE,
)
# "20 tháng 6, 2025", "20 tháng 6 năm 2025" (no "ngày"), and WordPress's Vietnamese
# "F j, Y": "Tháng Sáu 20, 2025" (month words are turned into numbers first).
_DAY_MONTH = re.compile(
    r"(?<![\d/.-])(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s*,?\s*(?:năm\s+)?(?P<y>\d{4}))?",
    re.IGNORECASE,
)
_MONTH_FIRST = re.compile(r"tháng\s+(?P<m>\d{1,2})\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})", re.IGNORECASE)
_MONTH_WORDS = {
    "mười hai": 12, "mười một": 11, "mười": 10, "chạp": 12, "giêng": 1, "một": 1, "hai": 2,
    "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
}  # fmt: skip
_MONTH_WORD = re.compile(
    r"(tháng)\s+(" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)).replace(" ", r"\s+") + r")\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"(?<![\d/.-])(?P<H>\d{1,2})\s*(?::|h|giờ)\s*(?P<M>\d{2})(?::(?P<S>\d{2}))?(?!\s*[/-]\s*\d)"
    r"(?:\s*(?P<ampm>am|pm|sáng|trưa|chiều|tối|đêm)\b)?",
    re.IGNORECASE,
)
_ZONE = re.compile(r"\b(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?", re.I)
# Fast paths for the common shapes, whole-string: "[words] dd/mm/yyyy[, hh:mm[:ss][ PM]]"
# and "[words] hh:mm[:ss][ PM] [ngày] dd/mm/yyyy", optionally ending "(GMT+7)". The prefix
# has no digits and the separators keep _DMY and _TIME to the same matches, so these give
# what the general search gives; anything else (or an invalid value) takes the general path.
_FAST_DMY = r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
_FAST_HM = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\s*(?P<ampm>[AaPp][Mm]))?"
# No ":mm" in the zone: with no time before it, _TIME reads "GMT+07:00" as 07:00.
_FAST_ZONE = r"(?:\s*\((?:GMT|UTC)[+-]\d{1,2}\))?"
_FAST_DATE_FIRST = re.compile(rf"\D*{_FAST_DMY}(?:(?:\s*[,|-])?\s+{_FAST_HM})?{_FAST_ZONE}")
_FAST_TIME_FIRST = re.compile(
    rf"(?:\D*[^\d/.-])?{_FAST_HM}(?:\s*[,|]\s*|\s+)(?:[Nn]gày\s+)?{_FAST_DMY}{_FAST_ZONE}"
)
# In the order they are tried; all but _DMY need the word "tháng".
_DATE_PATTERNS = (_WORDS_DMY, _MONTH_FIRST, _DAY_MONTH, _DMY)
_RELATIVE = re.compile(r"(?P<n>\d+)\s*(?P<unit>giây|phút|giờ|tiếng|ngày|tuần)\s*trước", re.IGNORECASE)
_UNIT_SECONDS = {"giây": 1, "phút": 60, "giờ": 3600, "tiếng": 3600, "ngày": 86400, "tuần": 604800}


def parse_datetime(raw: str | None, *, now: datetime | None = None) -> datetime | None:
    """Parse a displayed date string; ``None`` when it holds no recognisable date.

    A date without a time is midnight local time. ``now`` (aware) resolves relative
    forms, a missing year and a bare time (today); without it those give ``None``.
    """
    if not raw:
        return None
    text = unicodedata.normalize("NFC", raw).strip()
    lower = text.lower()
    # Each regex below needs its keyword; looking for the word first skips most of them.
    has_thang = "tháng" in lower
    if has_thang:
        text = _month_numbers(text)
    found = _parse_iso(text)
    if found is not None:
        return found
    if now is not None and "trước" in lower:
        relative = _RELATIVE.search(text)
        if relative:
            seconds = int(relative["n"]) * _UNIT_SECONDS[relative["unit"].lower()]
            return now - timedelta(seconds=seconds)
    zone: tzinfo = VN_TZ
    if "gmt" in lower or "utc" in lower:
        found_zone = _ZONE.search(text)
        if found_zone:  # read, then cut out, so "GMT+07:00" is not also read as 07:00
            offset = _fixed_zone(found_zone["sign"], int(found_zone["h"]), int(found_zone["m"] or 0))
            zone = offset or VN_TZ
            text = f"{text[:found_zone.start()]} {text[found_zone.end():]}"
    if has_thang:
        clock = parse_time(_strip_dates(text))
        day = _find_date(text, now)
    elif fast := _parse_fast(text, now):
        day, clock = fast
    else:
        day, rest = _find_dmy(text, now)
        clock = parse_time(rest)
    if day is None and clock is not None and now is not None:
        day = now.astimezone(zone).date()  # a bare time ("11:05 tối") means today
    if day is None:
        return None
    return datetime.combine(day, clock or time(0, 0), tzinfo=zone)


def _parse_fast(text: str, now: datetime | None) -> tuple[date, time | None] | None:
    """Day and time of the common shapes (see ``_FAST_DATE_FIRST``), else ``None``."""
    match = _FAST_DATE_FIRST.fullmatch(text) or _FAST_TIME_FIRST.fullmatch(text)
    if not match:
        return None
    day = _make_date(match["d"], match["m"], match["y"], now)
    if day is None:
        return None
    if match["H"] is None:
        return day, None
    hour = _apply_period(int(match["H"]), (match["ampm"] or "").lower())
    try:
        return day, time(hour, int(match["M"]), int(match["S"] or 0))
    except ValueError:
        return None


def _parse_iso(text: str) -> datetime | None:
    if text[4:5] != "-":  # both patterns start with a four-digit year and a dash
        return None
    match = _NUKEVIET_ISO.match(text) or _ISO.match(text)
    if not match:
        return None
    parts = match.groupdict()
    try:
        day = date(int(parts["y"]), int(parts["m"]), int(parts["d"]))
        clock = time(int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0))
    except ValueError:
        return None
    return datetime.combine(day, clock, tzinfo=_offset(parts["z"]) or VN_TZ)


def _offset(zone: str | None) -> tzinfo | None:
    if not zone:
        return None
    if zone == "Z":
        return UTC
    digits = zone[1:].replace(":", "")
    return _fixed_zone(zone[0], int(digits[:2]), int(digits[2:4] or 0))


@lru_cache(maxsize=64)
def _fixed_zone(sign: str, hours: int, minutes: int) -> timezone | None:
    """A fixed UTC offset, None when out of range ("GMT+82" is a typo, not a zone); cached
    because building one costs as much as parsing a date."""
    if hours > 23 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


def _month_numbers(text: str) -> str:
    """Month words as numbers: "Tháng Sáu" → "tháng 6" (but not "tháng năm 2025")."""

    def number(match: re.Match[str]) -> str:
        word = " ".join(match[2].lower().split())
        if word == "năm" and re.match(r"\s+\d{4}", match.string[match.end() :]):
            return match[0]  # "tháng năm 2025" is "month ... year 2025", not May
        return f"tháng {_MONTH_WORDS[word]}"

    return _MONTH_WORD.sub(number, text)


def _find_date(text: str, now: datetime | None) -> date | None:
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            found = _make_date(match["d"], match["m"], match["y"], now)
            if found is not None:
                return found
    return None


def _make_date(d: str, m: str, y: str | None, now: datetime | None) -> date | None:
    if y is None:
        if now is None:
            return None
        year = now.year
    else:
        year = int(y) + (2000 if len(y) == 2 else 0)
    try:
        found = date(year, int(m), int(d))
    except ValueError:
        return None
    if y is None and now is not None and found > now.date() + timedelta(days=1):
        found = found.replace(year=year - 1)
    return found


def _find_dmy(text: str, now: datetime | None) -> tuple[date | None, str]:
    """``_find_date`` and ``_strip_dates`` in one pass, for text where only ``_DMY`` can match."""
    day = None
    pieces, start = [], 0
    for match in _DMY.finditer(text):
        if day is None:
            day = _make_date(match["d"], match["m"], match["y"], now)
        pieces.append(text[start : match.start()])
        start = match.end()
    if not pieces:
        return None, text
    pieces.append(text[start:])
    return day, " ".join(pieces)


def _strip_dates(text: str) -> str:
    for pattern in _DATE_PATTERNS:
        text = pattern.sub(" ", text)
    return text


def parse_time(text: str) -> time | None:
    """The first clock time in ``text``, 12-hour forms turned into 24-hour."""
    for match in _TIME.finditer(text):
        hour, minute = int(match["H"]), int(match["M"])
        hour = _apply_period(hour, (match["ampm"] or "").lower())
        try:
            return time(hour, minute, int(match["S"] or 0))
        except ValueError:
            continue
    return None


def _apply_period(hour: int, period: str) -> int:
    """12-hour clocks: AM/PM and the Vietnamese parts of the day."""
    if hour > 12:
        return hour  # "15:20 PM": already a 24-hour time
    if period in ("am", "sáng"):
        return 0 if hour == 12 else hour
    if period in ("pm", "chiều", "tối"):
        return hour if hour == 12 else hour + 12
    if period == "trưa":
        return hour if hour >= 11 else hour + 12
    if period == "đêm":
        return hour + 12 if 6 <= hour < 12 else (0 if hour == 12 else hour)
    return hour
