"""The article's date line on a page: furniture dates rejected, updates apart, script and URL fallbacks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from crawler.extract import extract_article
from crawler.extract.datelines import url_date

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
TITLE = "Huyện Quỳnh Nhai tổng kết công tác chuyển đổi số năm 2025"
BODY = "".join(
    f"<p>{sentence}</p>"
    for sentence in (
        "Sáng nay, Ủy ban nhân dân huyện Quỳnh Nhai tổ chức hội nghị tổng kết công tác chuyển đổi số.",
        "Năm 2025, toàn huyện đã hoàn thành phần lớn các chỉ tiêu đề ra trong kế hoạch của tỉnh Sơn La.",
        "Hội nghị đề ra nhiệm vụ trọng tâm cho năm 2026 với nhiều giải pháp cụ thể và khả thi hơn.",
    )
)
FURNITURE = {
    "related-list": '<div class="tin-lien-quan"><ul><li><a href="/a">Sơn La đẩy mạnh chuyển đổi số trong '
    "cơ quan nhà nước</a> <span class='time'>08:15 12/11/2025</span></li></ul></div>",
    "news-list-item": "<ul><li><a href='/b'>Quỳnh Nhai ra quân làm đường giao thông nông thôn mới</a>"
    "<span class='date'>09:30 10/11/2025</span></li></ul>",
    "comment": "<div class='comment-item'><b>Nguyễn Văn An</b><span class='date'>10:22 14/11/2025</span>"
    "<p>Bài viết rất hay.</p></div>",
    "event-box": "<div class='event-box'><span class='date'>08:00 20/11/2025</span> Hội nghị đầu tư</div>",
    "copyright": "<div class='date-copy'>© 2025 Báo Sơn La. Cập nhật 08:00 01/01/2025</div>",
    "most-read": "<div class='most-read'><p class='time'>07:45 13/11/2025</p>"
    "<a href='/c'>Tin đọc nhiều</a></div>",
    "headline-link": "<p><a href='/d'><span class='time'>07:45 13/11/2025</span> "
    "Quỳnh Nhai đón bằng công nhận nông thôn mới</a></p>",
}


def _page(*, dateline: str = "", furniture: str = "", head: str = "", script: str = "") -> str:
    return (
        f"<html><head><title>{TITLE} - Báo Sơn La</title>{head}</head><body>"
        f"<div class='article'><h1 class='title'>{TITLE}</h1>{dateline}{furniture}"
        f"<div class='content'>{BODY}</div></div>{script}</body></html>"
    )


@pytest.mark.parametrize("kind", FURNITURE, ids=FURNITURE.keys())
def test_furniture_dates_are_not_the_article_date(kind: str) -> None:
    art = extract_article(_page(furniture=FURNITURE[kind]), "https://baosonla.vn/tin/quynh-nhai-123.html")
    assert art.published_at is None
    assert art.published_raw is None


@pytest.mark.parametrize("kind", FURNITURE, ids=FURNITURE.keys())
def test_shown_date_wins_over_furniture_dates(kind: str) -> None:
    dateline = "<div class='meta'><span class='date'>Thứ Năm, 13/11/2025 - 16:42</span></div>"
    art = extract_article(_page(dateline=dateline, furniture=FURNITURE[kind]))
    assert art.published_at == datetime.fromisoformat("2025-11-13T16:42+07:00")


def test_updated_stamp_is_kept_apart_from_publication() -> None:
    dateline = (
        "<div class='meta'><span class='date'>Đăng lúc 08:00 13/11/2025</span>"
        "<span class='date-update'>Cập nhật: 14:22 13/11/2025</span></div>"
    )
    art = extract_article(_page(dateline=dateline))
    assert art.published_at == datetime.fromisoformat("2025-11-13T08:00+07:00")
    assert art.updated_at == datetime.fromisoformat("2025-11-13T14:22+07:00")


def test_only_an_update_stamp_is_also_the_best_publication_time() -> None:
    art = extract_article(_page(dateline="<p class='time'>Cập nhật thứ hai, ngày 24/12/12 11:05 tối</p>"))
    assert art.published_at == datetime.fromisoformat("2012-12-24T23:05+07:00")
    assert art.updated_at == art.published_at


def test_date_line_written_by_an_inline_script() -> None:
    dateline = '<span class="date" id="pDateTime"></span>'
    script = (
        '<script>document.getElementById("pDateTime").innerHTML='
        '"Th&#7913; n&#259;m, 20/12/2012, 16:10 GMT+7";</script>'
    )
    art = extract_article(_page(dateline=dateline, script=script))
    assert art.published_at == datetime.fromisoformat("2012-12-20T16:10+07:00")
    assert art.published_raw == "Thứ năm, 20/12/2012, 16:10 GMT+7"


def test_script_never_overwrites_shown_text() -> None:
    dateline = '<span class="date" id="when">Thứ Năm, 13/11/2025 - 16:42</span>'
    script = '<script>document.getElementById("when").innerHTML="01/01/2020 00:00";</script>'
    art = extract_article(_page(dateline=dateline, script=script))
    assert art.published_at == datetime.fromisoformat("2025-11-13T16:42+07:00")


def test_date_inside_a_link_to_the_date_archive_counts() -> None:
    archive = "<a href='/date/d21/m12/y2012.chn'><span>21/12/2012 - 08:04</span></a>"
    dateline = f"<div class='note'>| {archive}</div>"
    art = extract_article(_page(dateline=dateline))
    assert art.published_at == datetime.fromisoformat("2012-12-21T08:04+07:00")


def test_jquery_text_assignment_counts_too() -> None:
    script = "<script>$('#d').text('14:30 ngày 22/10/2025');</script>"
    art = extract_article(_page(dateline="<div class='time' id='d'></div>", script=script))
    assert art.published_at == datetime.fromisoformat("2025-10-22T14:30+07:00")


def test_js_only_date_on_a_real_page() -> None:
    art = extract_article((FIXTURES / "ngoisao-net_01.html").read_bytes())
    assert art.published_at == datetime.fromisoformat("2012-12-20T16:10+07:00")
    assert art.provenance["published_at"] == "generic"


def test_url_date_is_a_day_level_fallback() -> None:
    art = extract_article(_page(), "https://baosonla.vn/2025/10/22/quynh-nhai-tong-ket.html")
    assert art.published_at == datetime.fromisoformat("2025-10-22T00:00+07:00")
    assert art.provenance["published_at"] == "url"
    assert any("URL" in problem for problem in art.problems)


def test_url_date_never_beats_a_shown_date() -> None:
    dateline = "<span class='date'>Thứ Năm, 13/11/2025 - 16:42</span>"
    art = extract_article(_page(dateline=dateline), "https://baosonla.vn/2025/10/22/quynh-nhai.html")
    assert art.published_at == datetime.fromisoformat("2025-11-13T16:42+07:00")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.vn/2025/10/22/a.html", "2025-10-22"),
        ("https://x.vn/tin-tuc/a-20251022093000123.htm", "2025-10-22"),
        ("https://x.vn/2025-10-22/a", "2025-10-22"),
        ("https://ngoisao.net/tin-tuc/hollywood/2012/12/hoa-hau-224619/", None),  # month only
        ("https://x.vn/a-2025.html", None),
        ("https://x.vn/a.html?d=20251022", None),  # the query is not the path
        (None, None),
    ],
)
def test_url_date(url: str | None, expected: str | None) -> None:
    found = url_date(url)
    assert (found.isoformat() if found else None) == expected
