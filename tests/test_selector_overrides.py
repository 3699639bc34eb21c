"""A site's own selectors override the extraction layers, with provenance."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.extract import extract_article
from crawler.extract.overrides import apply_selectors

PAGE = """<html><head><title>Tin tức - Cổng TTĐT xã Chiềng Bằng</title></head><body>
<div class="menu"><h1>Cổng thông tin điện tử xã Chiềng Bằng</h1></div>
<div class="tin-chi-tiet"><div class="tieu-de">Xã Chiềng Bằng ra quân làm đường giao thông nông thôn</div>
<span class="ngay-dang">Cập nhật: 08:15 24/11/2026</span>
<div class="noi-dung"><p>Sáng 24/11, xã Chiềng Bằng tổ chức ra quân làm đường giao thông nông thôn.</p>
<p>Tham gia có hơn 300 đoàn viên, thanh niên và nhân dân các bản.</p></div>
<p class="tac-gia">Tin, ảnh: Lò Văn Hùng</p></div></body></html>"""
SELECTORS = {"title": ".tieu-de", "published": ".ngay-dang", "author": ".tac-gia", "body": ".noi-dung p"}
NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_selectors_replace_fields_and_record_provenance():
    article = apply_selectors(extract_article(PAGE, "http://x.example/a.html", fetched_at=NOW),
                              PAGE, SELECTORS, now=NOW)
    assert article.title == "Xã Chiềng Bằng ra quân làm đường giao thông nông thôn"
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2026-11-24T08:15:00+07:00"
    assert article.author == "Lò Văn Hùng"
    assert article.text.startswith("Sáng 24/11") and article.text.endswith("các bản.")
    assert {article.provenance[f] for f in ("title", "published_at", "author", "body")} == {"site:selectors"}


def test_selector_matching_nothing_keeps_the_field_and_says_so():
    base = extract_article(PAGE, "http://x.example/a.html", fetched_at=NOW)
    title = base.title
    article = apply_selectors(base, PAGE, {"title": ".no-such-class"}, now=NOW)
    assert article.title == title
    assert any("matched nothing" in p for p in article.problems)
