"""Bylines and source credits, table-driven: prefixes off, several authors, sources apart, no impostors."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.bylines import credit, split_authors
from crawler.extract.generic import credit_line

CREDITS = [
    ("Tác giả: Minh Anh", "Minh Anh", None),
    ("Tác giả bài viết: Đình Hải", "Đình Hải", None),
    ("Tin, ảnh: Vũ Phương Thảo", "Vũ Phương Thảo", None),
    ("Bài, ảnh: Lò Thị Hương", "Lò Thị Hương", None),
    ("Bài và ảnh: Quàng Văn Dũng", "Quàng Văn Dũng", None),
    ("PV", "PV", None),
    ("Nhóm PV", "Nhóm PV", None),
    ("THUẬN VĂN - LÊ ÁNH", "THUẬN VĂN - LÊ ÁNH", None),
    ("Quang Phong - Tùng Nguyên", "Quang Phong - Tùng Nguyên", None),
    ("H.V.", "H.V.", None),
    ("HỒNG HÀ (Thực hiện)", "HỒNG HÀ", None),
    ("Theo TTXVN", None, "TTXVN"),
    ("(Theo TTXVN)", None, "TTXVN"),
    ("Nguồn: Báo Sơn La", None, "Báo Sơn La"),
    ("Nguồn tin: Cổng TTĐT tỉnh Sơn La", None, "Cổng TTĐT tỉnh Sơn La"),
    ("Theo Ngoisao", None, "Ngoisao"),
    ("Theo Thanh Niên", None, "Thanh Niên"),
    ("Theo Infonet", None, "Infonet"),
    ("Báo Sơn La", None, "Báo Sơn La"),
    ("genk.vn", None, "genk.vn"),
    ("Theo Sầm Hoa (Vietnamnet/Reuters)", "Sầm Hoa", "Vietnamnet/Reuters"),
    ("Theo Minh Nguyễn/Vcamp.vn", "Minh Nguyễn", "Vcamp.vn"),
    ("Theo Hoàng Minh/VOV", "Hoàng Minh", "VOV"),
    ("Theo Ngoisao | 25/12/2012 10:25", None, "Ngoisao"),
    ("Theo báo cáo của UBND huyện, năm 2025 toàn huyện có 15 xã đạt chuẩn nông thôn mới.", None, None),
    ("Báo cáo của huyện cho biết công tác chuyển đổi số đạt nhiều kết quả.", None, None),
    ("Ảnh: Misso", None, None),
]


@pytest.mark.parametrize(("line", "author", "source"), CREDITS, ids=[line for line, _, _ in CREDITS])
def test_credit_line(line: str, author: str | None, source: str | None) -> None:
    assert credit_line(line) == (author, source)


@pytest.mark.parametrize(
    ("byline", "authors"),
    [("THUẬN VĂN - LÊ ÁNH", ["THUẬN VĂN", "LÊ ÁNH"]), ("Minh Anh, Thu Hà", ["Minh Anh", "Thu Hà"]),
     ("Minh Anh và Thu Hà", ["Minh Anh", "Thu Hà"]), ("Nhóm PV", ["Nhóm PV"]), ("H.V.", ["H.V"])],
)  # fmt: skip
def test_several_authors_are_split(byline: str, authors: list[str]) -> None:
    assert split_authors(byline) == authors


def test_credit_keeps_initials() -> None:
    assert credit("H.V.") == ("H.V.", None)


TITLE = "Huyện Quỳnh Nhai tổng kết công tác chuyển đổi số năm 2025"
PROSE = "".join(
    f"<p>{sentence}</p>"
    for sentence in (
        "Sáng nay, Ủy ban nhân dân huyện Quỳnh Nhai tổ chức hội nghị tổng kết công tác chuyển đổi số.",
        "Năm 2025, toàn huyện đã hoàn thành phần lớn các chỉ tiêu đề ra trong kế hoạch của tỉnh Sơn La.",
        "Hội nghị đề ra nhiệm vụ trọng tâm cho năm 2026 với nhiều giải pháp cụ thể và khả thi hơn.",
    )
)


def _page(*, tail: str = "", head: str = "", extra: str = "") -> str:
    return (
        f"<html><head><title>{TITLE}</title>{head}</head><body><div class='article'>"
        f"<h1>{TITLE}</h1><div class='content'>{PROSE}{tail}</div>{extra}</div></body></html>"
    )


PAGES = {
    "right-aligned-last": ("<p style='text-align: right'><b>Lò Thị Hương</b></p>", "Lò Thị Hương", None),
    "bold-last-with-prefix": ("<p><b>Bài, ảnh: Quàng Văn Dũng</b></p>", "Quàng Văn Dũng", None),
    "pv": ("<p align='right'>PV</p>", "PV", None),
    "group": ("<p align='right'><b>Nhóm PV</b></p><p align='right'>Theo Infonet</p>", "Nhóm PV", "Infonet"),
    "source-only": ("<p align='right'>Theo TTXVN</p>", None, "TTXVN"),
    "nguon": ("<p><em>Nguồn: Báo Sơn La</em></p>", None, "Báo Sơn La"),
    "two-authors": ("<p class='author'>Minh Anh - Thu Hà</p>", "Minh Anh - Thu Hà", None),
}


@pytest.mark.parametrize(("tail", "author", "source"), PAGES.values(), ids=PAGES.keys())
def test_byline_on_a_page(tail: str, author: str | None, source: str | None) -> None:
    art = extract_article(_page(tail=tail))
    assert art.author == author
    assert art.source == source
    assert "Theo" not in (art.text or "")
    if author:
        assert author not in art.text


def test_commenter_is_not_the_author() -> None:
    comments = "<div class='comments'><div class='comment-author'>Nguyễn Văn An</div><p>Hay.</p></div>"
    assert extract_article(_page(extra=comments)).author is None


def test_social_link_is_not_the_author() -> None:
    social = "<div class='author-share'><a href='https://facebook.com/baosonla'>Báo Sơn La Facebook</a></div>"
    assert extract_article(_page(extra=social)).author is None


def test_publisher_in_metadata_is_not_the_author() -> None:
    head = "<meta property='article:author' content='Báo Sơn La'>"
    assert extract_article(_page(head=head)).author is None
