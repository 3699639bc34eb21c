"""provnews' own body extractor: container choice, furniture dropped, captions apart, images."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from lxml import html as lxml_html

from crawler.extract import extract_article
from crawler.extract.body import extract_body, is_dateline

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
LABELS = [json.loads(line) for line in (FIXTURES / "labels.jsonl").read_text(encoding="utf-8").splitlines()]

PROSE = [
    "Sáng 13/11, Đoàn khảo sát Ban chỉ đạo 35 Tỉnh ủy đã làm việc với Ban Thường vụ Huyện ủy Quỳnh Nhai.",
    "Báo cáo của huyện cho biết công tác bảo vệ nền tảng tư tưởng của Đảng được triển khai đồng bộ.",
    "Phát biểu kết luận, trưởng đoàn đề nghị huyện tiếp tục phát huy những kết quả đã đạt được.",
]
FURNITURE = {
    "related": '<div class="tin-lien-quan"><a href="/a">Huyện Quỳnh Nhai tổ chức hội nghị tổng kết</a></div>',
    "share": '<div class="share-tools"><a href="#">Chia sẻ</a> <a href="#">In bài</a></div>',
    "back": "<p><a href='javascript:history.back()'>Quay lại</a></p>",
    "tags": "<p>Tags: Quỳnh Nhai, Sơn La, khảo sát</p>",
    "comments": '<div id="comments"><p>Bạn đọc Minh Hà viết rằng bài này rất hay và bổ ích.</p></div>',
    "counter": '<div class="counter">Lượt xem: 1.234</div>',
    "link-list": '<ul><li><a href="/1">Tin một về huyện</a></li><li><a href="/2">Tin hai</a></li></ul>',
    "ads": '<div class="banner"><p>Quảng cáo: mua bán nhà đất giá rẻ tại Sơn La, liên hệ ngay.</p></div>',
}


def _page(*blocks: str, title: str = "Đoàn khảo sát làm việc tại Quỳnh Nhai") -> str:
    body = "\n".join(blocks)
    return (
        f"<html><head><title>{title} - Báo Sơn La</title></head><body>"
        f"<nav><a href='/'>Trang chủ</a></nav><div class='main'><h1>{title}</h1>"
        f"<div class='content'>{body}</div></div>"
        "<footer>Bản quyền © Báo Sơn La</footer></body></html>"
    )


def _body(page: str, **known: str) -> list[str]:
    found = extract_body(lxml_html.document_fromstring(page), url="https://baosonla.vn/a.html", **known)
    assert found is not None
    return found.paragraphs


@pytest.mark.parametrize("kind", FURNITURE, ids=FURNITURE.keys())
def test_furniture_is_dropped(kind: str) -> None:
    paragraphs = _body(_page(*(f"<p>{p}</p>" for p in PROSE), FURNITURE[kind]))
    assert paragraphs == PROSE


def test_related_news_heading_ends_the_body() -> None:
    tail = "<p>Tin liên quan</p><p>Huyện Quỳnh Nhai triển khai kế hoạch chuyển đổi số năm 2026 rất sớm.</p>"
    assert _body(_page(*(f"<p>{p}</p>" for p in PROSE), tail)) == PROSE


def test_captions_go_to_images_not_to_the_text() -> None:
    figure = (
        "<figure><img src='/img/a.jpg' alt='ảnh'><figcaption>Đoàn khảo sát làm việc với huyện."
        "</figcaption></figure>"
    )
    page = _page(f"<p>{PROSE[0]}</p>", figure, *(f"<p>{p}</p>" for p in PROSE[1:]))
    found = extract_body(lxml_html.document_fromstring(page), url="https://baosonla.vn/tin/a.html")
    assert found is not None
    assert found.paragraphs == PROSE
    assert found.images == [
        {"url": "https://baosonla.vn/img/a.jpg", "caption": "Đoàn khảo sát làm việc với huyện."}
    ]


def test_photo_story_keeps_its_captions_as_text() -> None:
    captions = [f"<table><tr><td><img src='/{i}.jpg'></td></tr><tr><td class='Image'>{p}</td></tr></table>"
                for i, p in enumerate(PROSE)]  # fmt: skip
    assert _body(_page(*captions)) == PROSE


def test_lead_title_dateline_and_byline_are_not_body() -> None:
    lead = "Đoàn khảo sát Ban chỉ đạo 35 Tỉnh ủy đã có buổi làm việc tại huyện Quỳnh Nhai."
    blocks = ["<p>Thứ Năm, 13/11/2025 | 16:42</p>", f"<h2>{lead}</h2>", *(f"<p>{p}</p>" for p in PROSE),
              "<p><b>Đình Hải</b></p>", "<p>Chia sẻ bài viết của bạn tại đây.</p>"]  # fmt: skip
    assert _body(_page(*blocks), lead=lead, author="Đình Hải") == PROSE


def test_weak_page_has_no_convincing_container() -> None:
    page = "<html><body><div><p>Liên hệ</p><p>Trang chủ</p></div></body></html>"
    assert extract_body(lxml_html.document_fromstring(page)) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [("15:20 PM | 21/12/2012", True), ("Thứ Ba, 25/12/2012 - 10:03", True),
     ("Cập nhật lúc 08:00 1/2/2024", True),
     ("Ngày 13/11 Đoàn khảo sát Ban chỉ đạo 35 Tỉnh ủy làm việc", False), ("Quỳnh Nhai", False)],
)  # fmt: skip
def test_dateline(line: str, expected: bool) -> None:
    assert is_dateline(line) is expected


def test_news_pages_need_no_trafilatura() -> None:
    with mock.patch("trafilatura.extract", side_effect=AssertionError("trafilatura called")):
        for label in LABELS:
            art = extract_article((FIXTURES / f"{label['id']}.html").read_bytes(), label["url"])
            assert label["body_first"] in art.text, label["id"]
            assert label["body_last"] in art.text, label["id"]


def test_trafilatura_remains_the_last_resort() -> None:
    page = "<html><body><p>Một câu ngắn.</p><p>Hai câu ngắn nữa ở đây rồi.</p></body></html>"
    with mock.patch(
        "trafilatura.extract", return_value="Văn bản trafilatura tìm thấy trong trang này"
    ) as extract:
        art = extract_article(page)
    assert extract.called
    assert art.text == "Văn bản trafilatura tìm thấy trong trang này"


def test_images_have_absolute_urls_and_captions() -> None:
    label = next(item for item in LABELS if item["id"] == "vnexpress-net_01")
    art = extract_article((FIXTURES / "vnexpress-net_01.html").read_bytes(), label["url"])
    assert art.images
    assert all(image["url"].startswith("http") for image in art.images)
    assert art.images[0]["caption"].startswith("Ông Hồ Đức Phớc, Bộ trưởng Tài chính")
    assert art.to_json()["images"] == art.images
