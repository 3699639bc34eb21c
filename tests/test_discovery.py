"""Discovery functions on the real NukeViet listing pages, feeds and sitemaps."""

from __future__ import annotations

import json

import pytest

from crawler import discovery
from tests.conftest import FIXTURES

NV = FIXTURES / "nukeviet"
NV_PATTERN = r"^/[a-z0-9-]+/[a-z0-9-]+-\d+\.html$"
MANIFEST = [json.loads(line) for line in (NV / "manifest.jsonl").read_text().splitlines()]
LISTINGS = [row for row in MANIFEST if row["kind"] == "listing" and row["file"].startswith("listing/")]


@pytest.mark.parametrize("row", LISTINGS, ids=[r["file"] for r in LISTINGS])
def test_listing_pages_yield_article_links(row: dict) -> None:
    html = (NV / row["file"]).read_text(encoding="utf-8")
    links = discovery.article_links(html, row["url"], NV_PATTERN)
    assert 1 <= len(links) <= 10 + 10  # 10 listed per page, plus a few in side boxes
    assert all(link.startswith("http://portal.example/") for link in links)


def test_listing_next_page_follows_rel_next_until_last() -> None:
    page1 = (NV / "listing/tin-tuc-su-kien.html").read_text(encoding="utf-8")
    page3 = (NV / "listing/tin-tuc-su-kien_page-3.html").read_text(encoding="utf-8")
    base = "http://portal.example/tin-tuc-su-kien/"
    assert discovery.next_page(page1, base) == "http://portal.example/tin-tuc-su-kien/page-2/"
    assert discovery.next_page(page3, base + "page-3/") is None


def test_page_beyond_last_has_no_articles_in_its_list() -> None:
    html = (NV / "listing/tin-tuc-su-kien_page-4_beyond-last.html").read_text(encoding="utf-8")
    page1 = (NV / "listing/tin-tuc-su-kien.html").read_text(encoding="utf-8")
    url = "http://portal.example/tin-tuc-su-kien/page-4/"
    beyond = set(discovery.article_links(html, url, NV_PATTERN))
    first = set(discovery.article_links(page1, url, NV_PATTERN))
    assert len(beyond) < len(first)


def test_rss_feed_lists_items() -> None:
    data = (NV / "rss/news.xml").read_bytes()
    links = discovery.feed_links(data, "http://portal.example/rss/")
    assert len(links) == 30
    assert links[0].endswith("-105.html")


def test_sitemap_index_and_news_sitemap() -> None:
    index = discovery.sitemap_entries((NV / "sitemap/sitemap.xml").read_bytes(), "http://portal.example/sitemap.xml")
    assert index.is_index
    assert "http://portal.example/sitemap-vi.news.xml" in index.urls
    news = discovery.sitemap_entries((NV / "sitemap/sitemap-vi.news.xml").read_bytes(),
                                     "http://portal.example/sitemap-vi.news.xml")
    articles = [row for row in MANIFEST if row["kind"] == "article"]
    assert not news.is_index
    assert set(news.urls) == {row["url"] for row in articles}


@pytest.mark.parametrize(
    "data",
    [b"", b"<rss><channel><item><link>http://x/a.html</link>", b"<html><body>not a feed</body></html>"],
    ids=["empty", "truncated", "html-not-feed"],
)
def test_malformed_feed_raises_feed_error(data: bytes) -> None:
    with pytest.raises(discovery.FeedError):
        discovery.feed_links(data, "http://portal.example/rss/")


def test_malformed_sitemap_raises_feed_error() -> None:
    with pytest.raises(discovery.FeedError, match="not well-formed"):
        discovery.sitemap_entries(b"<urlset><url><loc>http://a/", "http://a/sitemap.xml")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://portal.example/chinh-tri/abc-12.html", True),
        ("http://portal.example/chinh-tri/", False),
        ("http://portal.example/chinh-tri/page-2/", False),
        ("http://portal.example/tag/quỳnh-nhai", False),
        ("http://portal.example/page/thong-bao.html", False),
    ],
)
def test_article_pattern(url: str, expected: bool) -> None:
    assert discovery.is_article_url(url, NV_PATTERN) is expected


def test_normalize_url_drops_fragment_and_lowercases_host() -> None:
    assert discovery.normalize_url("HTTP://Portal.Example/a.html#x") == "http://portal.example/a.html"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://baosonla.vn/a-1.html?utm_source=fb&utm_medium=x", "https://baosonla.vn/a-1.html"),
        ("https://baosonla.vn/a-1.html?fbclid=IwAR0&id=3", "https://baosonla.vn/a-1.html?id=3"),
        ("https://x.gov.vn/web/a;jsessionid=ABC123?p=1", "https://x.gov.vn/web/a?p=1"),
        ("https://x.vn/a.html?zarsrc=30&gidzl=abc", "https://x.vn/a.html"),
        ("https://x.vn/list?page=2", "https://x.vn/list?page=2"),
    ],
    ids=["utm", "fbclid-keeps-id", "jsessionid", "zalo", "keeps-page"],
)
def test_normalize_url_strips_tracking_and_sessions(url: str, expected: str) -> None:
    assert discovery.normalize_url(url) == expected
