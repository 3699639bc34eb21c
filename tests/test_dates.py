"""Vietnamese displayed dates, table-driven from real page strings."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from crawler.extract import dates
from crawler.extract.dates import VN_TZ, parse_datetime, parse_time

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2025, 10, 22, 15, 0, tzinfo=VN_TZ)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


FORMS = [
    ("Thứ sáu - 30/05/2025 19:38", "2025-05-30T19:38+07:00"),
    ("Thứ năm, 2/11/2023, 19:20 (GMT+7)", "2023-11-02T19:20+07:00"),
    ("19:20 02/11/2023", "2023-11-02T19:20+07:00"),
    ("02-11-2023 - 19:20", "2023-11-02T19:20+07:00"),
    ("14:22 | 13/11/2023", "2023-11-13T14:22+07:00"),
    ("Cập nhật: 14:22 13/11/2023", "2023-11-13T14:22+07:00"),
    ("Ngày 13 tháng 11 năm 2023", "2023-11-13T00:00+07:00"),
    # Month words: WordPress's Vietnamese "F j, Y" and written-out dates.
    ("Tháng Sáu 20, 2025", "2025-06-20T00:00+07:00"),
    ("20 Tháng Sáu, 2025", "2025-06-20T00:00+07:00"),
    ("Thứ Sáu, 20 tháng sáu 2025", "2025-06-20T00:00+07:00"),
    ("20 tháng Mười Hai, 2024 lúc 14:30", "2024-12-20T14:30+07:00"),
    ("13 tháng Giêng năm 2025", "2025-01-13T00:00+07:00"),
    ("Tháng Năm 3, 2025 10:05", "2025-05-03T10:05+07:00"),
    ("03:04 AM (GMT+7) 24/12/2012", "2012-12-24T03:04+07:00"),
    ("15:20 PM | 21/12/2012", "2012-12-21T15:20+07:00"),
    ("Cập nhật thứ hai, ngày 24/12/12 11:05 tối", "2012-12-24T23:05+07:00"),
    ("Cập nhật thứ sáu, ngày 30/11/12 04:00 chiều", "2012-11-30T16:00+07:00"),
    ("Thứ Hai, 22/10/2025, 14:30 (GMT+7)", "2025-10-22T14:30+07:00"),
    ("14:30 ngày 22/10/2025", "2025-10-22T14:30+07:00"),
    ("22-10-2025 | 14:30", "2025-10-22T14:30+07:00"),
    ("Chủ nhật, 05/01/2025 - 07:05", "2025-01-05T07:05+07:00"),
    ("08/05/2026 06:11:00 PM", "2026-05-08T18:11+07:00"),
    ("12:30 AM 01/01/2024", "2024-01-01T00:30+07:00"),
    ("21/12/2012 | 08:04 (GMT+8)", "2012-12-21T08:04+08:00"),
    ("2026-11-13T20:47:36+07:00", "2026-11-13T20:47:36+07:00"),
    ("2023-11-02T12:20:00Z", "2023-11-02T19:20+07:00"),
    ("2025-05-30+0719:38:00", "2025-05-30T19:38+07:00"),  # NukeViet's malformed meta
    ("2012-12-23 14:02", "2012-12-23T14:02+07:00"),
    ("Thu\u0301 sa\u0301u - 30/05/2025 19:38", "2025-05-30T19:38+07:00"),  # NFD input
]


@pytest.mark.parametrize(("raw", "expected"), FORMS, ids=[raw for raw, _ in FORMS])
def test_parses_displayed_form(raw: str, expected: str) -> None:
    found = parse_datetime(raw)
    assert found == _at(expected)
    assert found.tzinfo is not None


def _label_displays() -> list[tuple[str, str]]:
    rows = {}
    files = [
        FIXTURES / "nukeviet" / "labels.jsonl",
        FIXTURES / "nukeviet" / "articles_default" / "labels.jsonl",
        FIXTURES / "nukeviet" / "articles_mobile_egov" / "labels.jsonl",
        FIXTURES / "articles" / "labels.jsonl",
    ]
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            label = json.loads(line)
            if label.get("published_display") and label.get("published"):
                rows[label["published_display"]] = label["published"]
    return sorted(rows.items())


LABELED = _label_displays()


@pytest.mark.parametrize(("raw", "expected"), LABELED, ids=[raw for raw, _ in LABELED])
def test_parses_labeled_display_string(raw: str, expected: str) -> None:
    assert parse_datetime(raw) == _at(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11:05 tối", time(23, 5)),
        ("04:00 chiều", time(16, 0)),
        ("09:15 sáng", time(9, 15)),
        ("12:10 trưa", time(12, 10)),
        ("1:10 trưa", time(13, 10)),
        ("11:30 đêm", time(23, 30)),
        ("03:04 AM (GMT+7)", time(3, 4)),
        ("12:00 PM", time(12, 0)),
        ("15:20 PM", time(15, 20)),
        ("19h20", time(19, 20)),
    ],
)
def test_parses_twelve_hour_and_vietnamese_day_parts(raw: str, expected: time) -> None:
    assert parse_time(raw) == expected


def test_parses_gmt7_suffix_as_plus_seven() -> None:
    found = parse_datetime("Thứ năm, 2/11/2023, 19:20 (GMT+7)")
    assert found.utcoffset() == timedelta(hours=7)


def test_naive_time_is_ho_chi_minh() -> None:
    assert parse_datetime("30/05/2025 19:38").tzinfo is VN_TZ


def test_bare_time_needs_now() -> None:
    assert parse_datetime("11:05 tối") is None
    assert parse_datetime("11:05 tối", now=NOW) == _at("2025-10-22T23:05+07:00")


def test_relative_time_needs_now() -> None:
    assert parse_datetime("2 giờ trước") is None
    assert parse_datetime("2 giờ trước", now=NOW) == NOW - timedelta(hours=2)
    assert parse_datetime("15 phút trước", now=NOW) == NOW - timedelta(minutes=15)


def test_day_month_without_year_takes_the_year_of_now() -> None:
    assert parse_datetime("22/10") is None
    assert parse_datetime("14:30 22/10", now=NOW) == _at("2025-10-22T14:30+07:00")
    # a day-month later than now belongs to last year
    assert parse_datetime("25/12", now=NOW) == _at("2024-12-25T00:00+07:00")


def test_day_comes_first() -> None:
    assert parse_datetime("02/11/2023") == _at("2023-11-02T00:00+07:00")


@pytest.mark.parametrize("raw", ["", "   ", "không có ngày", "32/13/2023", "99:99", None])
def test_returns_none_without_a_date(raw: str | None) -> None:
    assert parse_datetime(raw) is None


COMMON_SHAPES = [
    "Thứ Hai, 22/10/2025, 14:30 (GMT+7)",
    "14:30 ngày 22/10/2025",
    "22-10-2025 | 14:30",
    "Cập nhật: 14:22 13/11/2023",
    "Thứ sáu - 30/05/2025 19:38",
    "30/05/2025 19:38",
    "22/10/2025",
    "08/05/2026 06:11:00 PM",
    "12:30 AM 01/01/2024",
    "14:22 | 13/11/2023",
    "02-11-2023 - 19:20",
    "22.10.2025 (UTC-5)",
]
# Close to the common shapes, but the general search reads them differently or not at all.
NEAR_MISSES = [
    "2/1/2025 (GMT+07:00)",  # a zone with minutes: parse_datetime cuts it out first
    "22-10-2025-14:30",
    "14:30-22/10/2025",
    "14:30 - 22/10/2025",
    "x-14:30 22/10/2025",
    "22/10/2025 14:30/5",
    "31/02/2025 14:30",
    "22/10/2025 25:61",
    "22/10/2025 14:30:99 PM",
    "22/10/20255 14:30",
    "Thứ 2, 22/10/2025 14:30",
    "22/10/2025 11:05 tối",
]


@pytest.mark.parametrize("raw", COMMON_SHAPES + NEAR_MISSES)
def test_fast_path_agrees_with_general_search(raw: str) -> None:
    fast = dates._parse_fast(raw, NOW)
    day, rest = dates._find_dmy(raw, NOW)
    assert fast is None or fast == (day, parse_time(rest))


@pytest.mark.parametrize("raw", COMMON_SHAPES)
def test_common_shapes_take_the_fast_path(raw: str) -> None:
    assert dates._parse_fast(raw, NOW) is not None


def test_find_dmy_matches_find_date_and_strip_dates() -> None:
    for raw in COMMON_SHAPES + NEAR_MISSES + ["ngày 5/6 và 7/8/2024", "không có ngày", "1/2/3/4"]:
        day, rest = dates._find_dmy(raw, NOW)
        assert day == dates._find_date(raw, NOW)
        assert rest == dates._DMY.sub(" ", raw)


@pytest.mark.parametrize(("text", "expected"), [
    # A zone with minutes and no time: the zone, not a time of 07:00.
    ("22/10/2025 (GMT+07:00)", datetime(2025, 10, 22, 0, 0, tzinfo=VN_TZ)),
    ("22/10/2025 14:30 GMT+07:00", datetime(2025, 10, 22, 14, 30, tzinfo=VN_TZ)),
    # An impossible offset is a typo: the date and time stay, the zone is Vietnam's.
    ("22/10/2025 14:30 (GMT+82)", datetime(2025, 10, 22, 14, 30, tzinfo=VN_TZ)),
    ("Thứ Hai, 22/10/2025, 14:30 (GMT+30)", datetime(2025, 10, 22, 14, 30, tzinfo=VN_TZ)),
    ("2025-10-22T14:30:00+25:00", datetime(2025, 10, 22, 14, 30, tzinfo=VN_TZ)),
])
def test_zone_text_is_a_zone_and_an_impossible_offset_does_not_fail(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


def test_a_page_with_an_impossible_offset_still_extracts() -> None:
    from crawler.extract import extract_article

    html = ("<html><head><title>T</title></head><body><h1>Tiêu đề bài viết về huyện</h1>"
            "<div class='date'>22/10/2025 14:30 (GMT+82)</div><p>"
            + "Nội dung bài viết dài về tình hình kinh tế xã hội của huyện. " * 30 + "</p></body></html>")
    article = extract_article(html.encode(), "http://news.example/a.html")
    assert article.title and article.text
    assert not [p for p in article.problems if p.startswith("extraction failed")]
