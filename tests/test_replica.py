"""The replica server over a real socket: routing, content, NukeViet URL rules, faults."""

# The URLs and XML parsed here come from our own local replica, not from the network.
# ruff: noqa: S310, S314

from __future__ import annotations

import hashlib
import http.client
import json
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, ProxyHandler, Request, build_opener

import pytest

from crawler.registry import SETTINGS_DIR, load_registry
from crawler.replica import FAULT_KINDS, ReplicaServer, article_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NUKEVIET = FIXTURES / "nukeviet"
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile Safari/537.36"
ANDROID_TABLET_UA = "Mozilla/5.0 (Linux; Android 14; Pixel Tablet) Chrome/120.0 Safari/537.36"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def manifest_rows() -> list[dict]:
    lines = (NUKEVIET / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def article_row(article_id: int, theme: str = "egov") -> dict:
    return next(
        r
        for r in manifest_rows()
        if r["kind"] == "article" and r["id"] == article_id and r.get("theme", "egov") == theme
    )


@dataclass
class Fetched:
    status: int
    headers: Message
    body: bytes
    url: str


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(
    srv: ReplicaServer, url: str, *, user_agent: str | None = None, follow: bool = True
) -> Fetched:
    """GET through the replica as a proxy; HTTP errors come back as a Fetched too."""
    handlers: list = [ProxyHandler({"http": srv.proxy_url})]
    if not follow:
        handlers.append(_NoRedirect())
    request = Request(url, headers={"User-Agent": user_agent} if user_agent else {})
    try:
        with build_opener(*handlers).open(request, timeout=10) as resp:
            return Fetched(resp.status, resp.headers, resp.read(), resp.url)
    except HTTPError as err:
        with err:
            return Fetched(err.code, err.headers, err.read(), err.url)


@pytest.fixture
def srv():
    with ReplicaServer(slow_seconds=0.3) as server:
        yield server


# -- portal.example (NukeViet) ---------------------------------------------------------


def test_serves_every_manifest_row_with_its_status_and_content_type(srv):
    for row in manifest_rows():
        theme = row.get("theme", "egov")
        if theme == "default" or (row["kind"] == "404"):
            continue
        ua = IPHONE_UA if theme == "mobile_egov" else None
        got = fetch(srv, row["url"], user_agent=ua, follow=False)
        assert (got.status, got.headers["Content-Type"]) == (row["status"], row["content_type"]), (
            row["file"]
        )
        assert hashlib.sha256(got.body).hexdigest() == row["sha256"], row["file"]


def test_article_page_is_served_byte_identical(srv):
    row = article_row(102)
    got = fetch(srv, row["url"])
    assert got.status == 200
    assert got.body == (NUKEVIET / row["file"]).read_bytes()


def test_wrong_alias_redirects_to_canonical_article(srv):
    canonical = article_row(102)["url"]
    got = fetch(srv, "http://portal.example/chinh-tri/sai-ten-bai-102.html", follow=False)
    assert got.status == 301
    assert got.headers["Location"] == canonical


def test_article_under_another_category_redirects_to_canonical(srv):
    canonical = article_row(102)["url"]
    got = fetch(srv, "http://portal.example/kinh-te/hoi-nghi-102.html")
    assert (got.status, got.url) == (200, canonical)


def test_unknown_article_id_gets_the_404_page(srv):
    got = fetch(srv, "http://portal.example/chinh-tri/khong-co-bai-nay-99998.html")
    assert got.status == 404
    assert got.body == (NUKEVIET / "404.html").read_bytes()


def test_unknown_path_gets_the_404_page(srv):
    got = fetch(srv, "http://portal.example/abc/")
    assert got.status == 404
    assert got.body == (NUKEVIET / "404.html").read_bytes()


def test_listing_links_to_the_next_page(srv):
    got = fetch(srv, "http://portal.example/tin-tuc-su-kien/")
    assert got.status == 200
    assert b'href="/tin-tuc-su-kien/page-2/"' in got.body
    assert b'rel="next"' in got.body


def test_listing_page_past_the_end_is_200(srv):
    assert fetch(srv, "http://portal.example/tin-tuc-su-kien/page-4/").status == 200


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        pytest.param("http://portal.example/rss/", "text/xml", id="portal-rss"),
        pytest.param("http://portal.example/rss/chinh-tri/", "text/xml", id="portal-cat-rss"),
        pytest.param("http://portal.example/sitemap.xml", "text/xml", id="portal-sitemap"),
        pytest.param("http://portal.example/sitemap-vi.news.xml", "text/xml", id="portal-news-sm"),
        pytest.param("http://portal.example/feeds/", "text/html", id="portal-feeds-page"),
        pytest.param("http://news.example/rss.xml", "application/rss+xml", id="news-rss"),
        pytest.param("http://news.example/sitemap.xml", "application/xml", id="news-sitemap"),
    ],
)
def test_feeds_and_sitemaps_have_their_content_type(srv, url, content_type):
    got = fetch(srv, url)
    assert got.status == 200
    assert got.headers.get_content_type() == content_type
    if content_type != "text/html":
        ET.fromstring(got.body)


@pytest.mark.parametrize("host", ["portal.example", "news.example"])
def test_robots_txt_names_the_sitemap(srv, host):
    got = fetch(srv, f"http://{host}/robots.txt")
    assert got.status == 200
    assert got.headers.get_content_type() == "text/plain"
    assert f"Sitemap: http://{host}/sitemap.xml" in got.body.decode()
    assert "Disallow: /admin/" in got.body.decode()


@pytest.mark.parametrize(
    ("user_agent", "theme"),
    [
        pytest.param(IPHONE_UA, "mobile_egov", id="iphone"),
        pytest.param(ANDROID_PHONE_UA, "mobile_egov", id="android-phone"),
        pytest.param(ANDROID_TABLET_UA, "egov", id="android-tablet"),
        pytest.param(None, "egov", id="desktop"),
    ],
)
def test_theme_follows_the_user_agent(srv, user_agent, theme):
    mobile = next(
        r for r in manifest_rows() if r.get("theme") == "mobile_egov" and r["kind"] == "article"
    )
    got = fetch(srv, mobile["url"], user_agent=user_agent)
    expected = article_row(mobile["id"], theme)
    assert got.body == (NUKEVIET / expected["file"]).read_bytes()


def test_mobile_user_agent_gets_desktop_page_when_no_mobile_capture(srv):
    mobile_ids = {
        r["id"]
        for r in manifest_rows()
        if r.get("theme") == "mobile_egov" and r["kind"] == "article"
    }
    row = next(r for r in manifest_rows() if r["kind"] == "article" and r["id"] not in mobile_ids)
    got = fetch(srv, row["url"], user_agent=IPHONE_UA)
    assert got.body == (NUKEVIET / row["file"]).read_bytes()


def test_portal_article_urls_are_the_manifest_articles(srv):
    expected = {
        r["url"]
        for r in manifest_rows()
        if r["kind"] == "article" and r.get("theme", "egov") == "egov"
    }
    urls = srv.article_urls("portal.example")
    assert len(urls) == 93
    assert set(urls) == expected


# -- news.example ----------------------------------------------------------------------


def test_article_path_maps_label_id_to_slug():
    assert article_path("vnexpress-net_01") == "/bai/vnexpress-net-01.html"


def test_news_article_urls_match_the_registry_pattern(srv):
    sites = load_registry([SETTINGS_DIR / "replica_sites.toml"])
    for key, host in (("news_example", "news.example"), ("portal_example", "portal.example")):
        pattern = re.compile(sites[key].article_pattern)
        for url in srv.article_urls(host):
            assert pattern.search(url.removeprefix(f"http://{host}")), url
    assert len(srv.article_urls("news.example")) == 15


def test_news_article_keeps_original_bytes_and_declared_charset(srv):
    got = fetch(srv, "http://news.example/bai/vnexpress-net-01.html")
    assert got.status == 200
    assert got.headers["Content-Type"] == "text/html; charset=utf-8"
    assert got.body == (FIXTURES / "articles" / "vnexpress-net_01.html").read_bytes()


def test_news_listing_pages_reach_every_article(srv):
    url, seen, pages = "http://news.example/", [], 0
    while url:
        got = fetch(srv, url)
        assert got.status == 200
        page = got.body.decode()
        assert '<ul class="pagination">' in page
        links = re.findall(r'<h3 class="title-news"><a href="(/bai/[^"]+)"', page)
        assert len(links) <= 5
        seen += [f"http://news.example{link}" for link in links]
        next_link = re.search(r'<link rel="next" href="([^"]+)">', page)
        trang_sau = re.search(r'<a href="([^"]+)" rel="next">Trang sau</a>', page)
        assert bool(next_link) == bool(trang_sau)
        url = next_link[1] if next_link else None
        pages += 1
    assert pages == 3
    assert seen == srv.article_urls("news.example")


def test_news_feed_has_ten_newest_items_with_rfc822_dates(srv):
    channel = ET.fromstring(fetch(srv, "http://news.example/rss.xml").body).find("channel")
    items = channel.findall("item")
    assert len(items) == 10
    assert [i.findtext("link") for i in items] == srv.article_urls("news.example")[:10]
    for item in items:
        assert item.findtext("pubDate").endswith(" +0700")
        assert parsedate_to_datetime(item.findtext("pubDate")).utcoffset().total_seconds() == 25200


def test_news_sitemap_lists_every_article_with_lastmod(srv):
    root = ET.fromstring(fetch(srv, "http://news.example/sitemap.xml").body)
    urls = root.findall(f"{SITEMAP_NS}url")
    assert {u.findtext(f"{SITEMAP_NS}loc") for u in urls} == set(srv.article_urls("news.example"))
    assert all(u.findtext(f"{SITEMAP_NS}lastmod") for u in urls)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/gioi-thieu/", 200),
        ("/lien-he/", 200),
        ("/admin/", 403),
        ("/khong-co/", 404),
        ("/trang-9/", 404),
        ("/bai/khong-co.html", 404),
    ],
)
def test_news_non_article_pages(srv, path, status):
    assert fetch(srv, f"http://news.example{path}").status == status


# -- proxy routing and the request log -------------------------------------------------


def test_routes_by_host_header_for_origin_form_requests(srv):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("GET", "/robots.txt", headers={"Host": "news.example"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert b"http://news.example/sitemap.xml" in resp.read()
    finally:
        conn.close()


def test_unknown_host_is_502(srv):
    got = fetch(srv, "http://elsewhere.example/")
    assert got.status == 502
    assert got.headers.get_content_type() == "text/plain"


def test_request_log_records_host_path_and_status(srv):
    fetch(srv, "http://portal.example/chinh-tri/sai-102.html")
    fetch(srv, "http://news.example/khong-co/?q=1")
    canonical_path = article_row(102)["url"].removeprefix("http://portal.example")
    assert srv.requests == [
        ("portal.example", "/chinh-tri/sai-102.html", 301),
        ("portal.example", canonical_path, 200),
        ("news.example", "/khong-co/?q=1", 404),
    ]
    assert srv.counters[("portal.example", 301)] == 1
    assert srv.count(host="portal.example") == 2
    srv.clear_requests()
    assert srv.requests == []


def test_stop_closes_idle_keep_alive_connections():
    server = ReplicaServer().start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "http://news.example/")
        conn.getresponse().read()
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
    finally:
        conn.close()


# -- faults ----------------------------------------------------------------------------


def test_error500_fault_hits_every_path_of_one_host(srv):
    srv.set_fault("portal.example", "error500")
    assert fetch(srv, "http://portal.example/robots.txt").status == 500
    assert fetch(srv, "http://portal.example/rss/").status == 500
    assert fetch(srv, "http://news.example/robots.txt").status == 200
    srv.set_fault("portal.example", None)
    assert fetch(srv, "http://portal.example/robots.txt").status == 200


def test_slow_fault_delays_the_answer(srv):
    srv.set_fault("news.example", "slow")
    started = time.monotonic()
    assert fetch(srv, "http://news.example/robots.txt").status == 200
    assert time.monotonic() - started >= 0.3


def test_redirect_loop_fault_bounces_between_two_articles(srv):
    srv.set_fault("news.example", "redirect_loop")
    first, second = srv.article_urls("news.example")[:2]
    assert fetch(srv, first, follow=False).headers["Location"] == second
    assert fetch(srv, second, follow=False).headers["Location"] == first
    assert fetch(srv, first).status == 302  # urllib gives up on the loop
    assert fetch(srv, "http://news.example/").status == 200


def test_drop_fault_closes_the_connection_without_answer(srv):
    srv.set_fault("portal.example", "drop")
    with pytest.raises(http.client.RemoteDisconnected):
        fetch(srv, "http://portal.example/")
    assert srv.requests[-1] == ("portal.example", "/", 0)


def test_bad_encoding_fault_sends_a_wrong_charset_on_articles(srv):
    srv.set_fault("portal.example", "bad_encoding")
    row = article_row(102)
    got = fetch(srv, row["url"])
    assert got.headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert got.body == (NUKEVIET / row["file"]).read_bytes()
    listing = fetch(srv, "http://portal.example/chinh-tri/")
    assert listing.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "url",
    [
        "http://portal.example/rss/",
        "http://portal.example/sitemap-vi.news.xml",
        "http://news.example/rss.xml",
        "http://news.example/sitemap.xml",
    ],
)
def test_malformed_feed_fault_truncates_xml(url):
    host = url.split("/")[2]
    with ReplicaServer(faults={host: "malformed_feed"}) as server:
        got = fetch(server, url)
        assert got.status == 200
        with pytest.raises(ET.ParseError):
            ET.fromstring(got.body)
        assert fetch(server, f"http://{host}/robots.txt").status == 200


def test_unknown_fault_or_host_is_rejected(srv):
    with pytest.raises(ValueError, match="unknown fault"):
        srv.set_fault("news.example", "explode")
    with pytest.raises(ValueError, match="unknown replica host"):
        srv.set_fault("other.example", "slow")
    assert {
        "error500",
        "slow",
        "redirect_loop",
        "drop",
        "bad_encoding",
        "malformed_feed",
    } == FAULT_KINDS
