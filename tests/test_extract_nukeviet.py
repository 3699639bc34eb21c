"""NukeViet family parser against every labeled page of the three themes."""

from __future__ import annotations

import json
import time
import unicodedata
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from unittest import mock

import pytest

from crawler.extract import Article, extract_article

FIXTURES = Path(__file__).parent / "fixtures" / "nukeviet"
LABEL_FILES = {
    "egov": FIXTURES / "labels.jsonl",
    "default": FIXTURES / "articles_default" / "labels.jsonl",
    "mobile": FIXTURES / "articles_mobile_egov" / "labels.jsonl",
}


def _labels() -> list[dict]:
    out = []
    for theme, path in LABEL_FILES.items():
        for line in path.read_text(encoding="utf-8").splitlines():
            label = json.loads(line)
            label["case"] = f"{theme}-{label['id']}"
            out.append(label)
    return out


LABELS = _labels()
IDS = [label["case"] for label in LABELS]


@cache
def _extract(file: str, url: str) -> Article:
    return extract_article((FIXTURES / file).read_bytes(), url)


def _article(label: dict) -> Article:
    return _extract(label["file"], label["url"])


def test_every_theme_has_labels() -> None:
    assert len(LABELS) == 93 + 20 + 20


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_title(label: dict) -> None:
    assert _article(label).title == label["title"]


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_published_at_is_the_visible_date_to_the_minute(label: dict) -> None:
    art = _article(label)
    assert art.published_at is not None
    assert art.published_at.utcoffset() == timedelta(hours=7)
    assert art.published_at == datetime.fromisoformat(label["published"])
    assert art.published_raw == label["published_display"]


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_author_is_the_byline_not_the_admin_login(label: dict) -> None:
    art = _article(label)
    assert art.author == label["author"]
    assert art.author != "quantri"


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_source(label: dict) -> None:
    assert _article(label).source == label["source"]


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_category(label: dict) -> None:
    assert _article(label).category == label["category"]


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_lead_is_the_hometext(label: dict) -> None:
    art = _article(label)
    assert art.lead == label["hometext"]
    if label["lead"]:
        assert label["lead"] in art.lead


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_text_holds_first_and_last_sentence(label: dict) -> None:
    text = _article(label).text
    assert text is not None
    assert unicodedata.is_normalized("NFC", text)
    assert label["body_first"] in text
    assert label["body_last"] in text
    assert "Tác giả bài viết" not in text


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_provenance_is_the_family_layer(label: dict) -> None:
    art = _article(label)
    assert art.family == "nukeviet"
    for field in ("title", "published_at", "text", "category"):
        assert art.provenance[field] == "family:nukeviet"
    assert art.problems == []


SEED_EXCLUDED = [
    "Thống kê truy cập", "Đang truy cập", "Đăng nhập", "Tác giả bài viết", "Tags",
    "Trang nhất", "Giới thiệu", "Văn bản", "Những tin mới hơn", "Những tin cũ hơn",
    "Ý kiến bạn đọc",
]  # fmt: skip


def test_seed_page() -> None:
    art = extract_article((FIXTURES / "articles" / "103.html").read_bytes())
    assert art.title == "Đoàn khảo sát Ban chỉ đạo 35 Tỉnh ủy làm việc tại huyện Quỳnh Nhai"
    assert art.published_at == datetime.fromisoformat("2026-11-13T16:42:00+07:00")
    assert art.author == "Đình Hải"
    assert art.category == "Tin tức - Sự kiện"
    assert art.text.startswith("Ngày 13/11 Đoàn khảo sát")
    assert art.text.endswith("các tầng lớp nhân dân.")
    for snippet in SEED_EXCLUDED:
        assert snippet not in art.text, snippet


def test_seed_page_excludes_related_news_titles() -> None:
    page = (FIXTURES / "articles" / "103.html").read_text(encoding="utf-8")
    assert "Những tin cũ hơn" in page  # the trap is on the page...
    art = extract_article(page)
    for related in _related_titles(page):
        assert related not in art.text  # ...and stays out of the text


def _related_titles(page: str) -> list[str]:
    from parsel import Selector

    sel = Selector(text=page)
    titles = sel.css("#news-related a::attr(title), #news-relatednew a::attr(title)").getall()
    assert titles
    return [t.strip() for t in titles if t.strip()]


def test_hint_generic_still_uses_no_family_parser() -> None:
    art = extract_article((FIXTURES / "articles" / "13.html").read_bytes(), family="generic")
    assert art.family is None
    assert "family:nukeviet" not in art.provenance.values()


def test_family_path_never_calls_trafilatura() -> None:
    with mock.patch("trafilatura.extract", side_effect=AssertionError("trafilatura called")):
        for label in LABELS[:20]:
            art = extract_article((FIXTURES / label["file"]).read_bytes(), label["url"])
            assert art.text


def test_family_path_is_fast() -> None:
    pages = [(FIXTURES / label["file"]).read_bytes() for label in LABELS[:30]]
    start = time.perf_counter()
    for page in pages:
        extract_article(page)
    per_page = (time.perf_counter() - start) / len(pages)
    assert per_page < 0.05, f"{per_page * 1000:.1f} ms per page"
