"""Generated replica sites (WordPress block/classic, Liferay) and conditional GET, over a socket."""

# The URLs and XML parsed here come from our own local replica, not from the network.
# ruff: noqa: S310, S314

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import pytest
from parsel import Selector

from crawler import discovery
from crawler.replica import GENERATED_HOSTS, REPLICA_HOSTS, ReplicaServer
from tests.test_replica import fetch

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FEEDS = {
    "wp.example": "http://wp.example/feed/",
    "wpclassic.example": "http://wpclassic.example/feed/",
    "liferay.example": "http://liferay.example/web/guest/tin-tuc/-/asset_publisher/tQ7xLmB2kPzR/rss",
}
SITEMAPS = {
    "wp.example": "http://wp.example/wp-sitemap-posts-post-1.xml",
    "wpclassic.example": "http://wpclassic.example/wp-sitemap-posts-post-1.xml",
    "liferay.example": "http://liferay.example/sitemap.xml",
}
HOME = {"wp.example": "/", "wpclassic.example": "/", "liferay.example": "/web/guest/tin-tuc"}


@pytest.fixture
def srv():
    with ReplicaServer(slow_seconds=0.3) as server:
        yield server


def _next(html: str, url: str) -> str | None:
    """rel=next, the Liferay "Tiếp" button, or the WordPress classic "older posts" link."""
    found = discovery.next_page(html, url)
    if found:
        return found
    older = Selector(text=html).css(".nav-links .nav-previous a::attr(href)").get()
    return urljoin(url, older) if older else None


def listed(srv, host: str) -> tuple[list[str], int]:
    """Article links of every listing page in order, and the number of pages."""
    url: str | None = f"http://{host}{HOME[host]}"
    seen: list[str] = []
    pages = 0
    while url:
        got = fetch(srv, url)
        assert got.status == 200, url
        html = got.body.decode()
        if host == "liferay.example":
            links = [
                discovery.normalize_url(urljoin(url, h))
                for h in Selector(text=html).css(".asset-title a::attr(href)").getall()
            ]
        else:
            links = [
                discovery.normalize_url(h)
                for h in Selector(text=html)
                .css("h2.wp-block-post-title a::attr(href), h2.entry-title a::attr(href)")
                .getall()
            ]
        assert len(links) <= 10
        seen += links
        url = _next(html, url)
        pages += 1
    return seen, pages


def feed_items(srv, host: str) -> list[str]:
    return discovery.feed_links(fetch(srv, FEEDS[host]).body, FEEDS[host])


def sitemap_lastmods(srv, host: str) -> dict[str, str]:
    root = ET.fromstring(fetch(srv, SITEMAPS[host]).body)
    return {
        u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod")
        for u in root.findall(f"{SM}url")
        if u.findtext(f"{SM}lastmod")
    }


def test_replica_hosts_include_the_generated_sites():
    assert set(GENERATED_HOSTS) <= set(REPLICA_HOSTS)
    assert len(REPLICA_HOSTS) == len(set(REPLICA_HOSTS)) == 5


@pytest.mark.parametrize("host", GENERATED_HOSTS)
def test_listings_paginate_ten_per_page_over_every_article(srv, host):
    urls = srv.article_urls(host)
    assert 25 <= len(urls) <= 30
    seen, pages = listed(srv, host)
    assert pages == 3
    assert seen == urls
    for url in urls:
        assert fetch(srv, url).status == 200


@pytest.mark.parametrize("host", GENERATED_HOSTS)
def test_feed_has_the_ten_newest_and_sitemap_every_article(srv, host):
    urls = srv.article_urls(host)
    assert feed_items(srv, host) == urls[:10]
    assert set(sitemap_lastmods(srv, host)) == set(urls)


@pytest.mark.parametrize("host", GENERATED_HOSTS)
def test_added_articles_come_first_everywhere(srv, host):
    before = srv.article_urls(host)
    added = srv.site(host).add_articles(5)
    assert len(added) == 5
    assert srv.article_urls(host) == added + before
    assert feed_items(srv, host) == (added + before)[:10]
    assert listed(srv, host)[0] == added + before
    assert set(added) <= set(sitemap_lastmods(srv, host))
    published = [a.published for a in srv.site(host).articles()[:6]]
    assert published == sorted(published, reverse=True)


@pytest.mark.parametrize("host", GENERATED_HOSTS)
def test_edits_change_title_body_and_lastmod_but_not_order(srv, host):
    gs = srv.site(host)
    before_urls, before_mods = srv.article_urls(host), sitemap_lastmods(srv, host)
    old = {gs.url_of(a): a for a in gs.articles()}
    edited = gs.edit_articles(3)
    assert len(set(edited)) == 3 and before_urls[0] not in edited
    assert srv.article_urls(host) == before_urls
    mods = sitemap_lastmods(srv, host)
    assert {u for u in mods if mods[u] != before_mods[u]} == set(edited)
    new = {gs.url_of(a): a for a in gs.articles()}
    for url in edited:
        page = fetch(srv, url).body.decode()
        assert new[url].title != old[url].title and new[url].title.startswith(old[url].title)
        assert new[url].modified > old[url].modified and new[url].published == old[url].published
        assert sum(a != b for a, b in zip(new[url].paragraphs, old[url].paragraphs, strict=True)) == 1
        assert new[url].title.replace("–", "&#8211;") in page or new[url].title in page
        if host == "wp.example":
            assert f'"dateModified": "{new[url].modified.isoformat()}"' in page


@pytest.mark.parametrize("host", GENERATED_HOSTS)
def test_removed_articles_vanish_from_indexes_and_answer_404(srv, host):
    before = srv.article_urls(host)
    removed = srv.site(host).remove_articles(2)
    assert len(removed) == 2 and before[0] not in removed
    remaining = [u for u in before if u not in removed]
    assert srv.article_urls(host) == remaining
    assert listed(srv, host)[0] == remaining
    assert not set(removed) & set(feed_items(srv, host))
    assert not set(removed) & set(sitemap_lastmods(srv, host))
    for url in removed:
        assert fetch(srv, url).status == 404


def test_site_is_only_for_generated_hosts(srv):
    with pytest.raises(ValueError, match="not a generated replica host"):
        srv.site("portal.example")


def test_same_seed_gives_the_same_site():
    with ReplicaServer() as a, ReplicaServer() as b:
        for host in GENERATED_HOSTS:
            assert a.site(host).articles() == b.site(host).articles()
            assert fetch(a, a.article_urls(host)[3]).body == fetch(b, b.article_urls(host)[3]).body


def test_mutations_are_thread_safe(srv):
    gs = srv.site("wp.example")
    start = len(gs.articles())

    def work() -> None:
        for _ in range(5):
            gs.add_articles(1)
            gs.edit_articles(1)
            fetch(srv, "http://wp.example/feed/")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(gs.articles()) == start + 20
    assert len(set(gs.article_urls())) == start + 20


# -- conditional GET ---------------------------------------------------------------------


def conditional(srv, url: str, **headers: str):
    from urllib.request import ProxyHandler, Request, build_opener

    names = {"etag": "If-None-Match", "since": "If-Modified-Since"}
    request = Request(url, headers={names[k]: v for k, v in headers.items()})
    try:
        with build_opener(ProxyHandler({"http": srv.proxy_url})).open(request, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except Exception as err:  # urllib raises HTTPError for 304
        code = getattr(err, "code", None)
        if code is None:
            raise
        with err:
            return code, err.headers, err.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://portal.example/rss/",
        "http://portal.example/tin-tuc-su-kien/",
        "http://news.example/sitemap.xml",
        "http://news.example/bai/vnexpress-net-01.html",
        "http://wp.example/wp-sitemap.xml",
        "http://wpclassic.example/feed/",
        "http://liferay.example/web/guest/tin-tuc",
        "http://liferay.example/robots.txt",
    ],
)
def test_every_host_answers_etag_and_last_modified_and_304(srv, url):
    status, headers, _ = conditional(srv, url)
    assert status == 200
    tag, modified = headers["ETag"], headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{20}"', tag) and modified.endswith(" GMT")
    status, headers304, body = conditional(srv, url, etag=tag)
    assert (status, body, headers304["ETag"]) == (304, b"", tag)
    assert conditional(srv, url, since=modified)[0] == 304
    assert conditional(srv, url, etag='"other"')[0] == 200
    assert conditional(srv, url, etag='"other"', since=modified)[0] == 200  # ETag wins
    assert conditional(srv, url, since="Mon, 01 Jan 2001 00:00:00 GMT")[0] == 200
    assert conditional(srv, url, since="not a date")[0] == 200
    path = url.split("/", 3)[3]
    assert [s for _, p, s in srv.requests if p == "/" + path] == [200, 304, 304, 200, 200, 200, 200]


def test_changed_content_gets_a_new_etag_and_a_200(srv):
    url = "http://wp.example/feed/"
    _, headers, _ = conditional(srv, url)
    srv.site("wp.example").add_articles(1)
    status, new_headers, body = conditional(srv, url, etag=headers["ETag"], since=headers["Last-Modified"])
    assert status == 200 and body and new_headers["ETag"] != headers["ETag"]
    assert new_headers["Last-Modified"] != headers["Last-Modified"]
    assert conditional(srv, url, since=headers["Last-Modified"])[0] == 200


def test_edit_changes_only_the_edited_article_validators(srv):
    gs = srv.site("liferay.example")
    urls = gs.article_urls()
    tags = {u: conditional(srv, u)[1]["ETag"] for u in urls}
    edited = set(gs.edit_articles(2))
    fresh = {u for u in urls if conditional(srv, u, etag=tags[u])[0] == 304}
    assert fresh == set(urls) - edited


def test_errors_carry_no_validators(srv):
    status, headers, _ = conditional(srv, "http://wp.example/khong-co/")
    assert status == 404 and headers["ETag"] is None
    srv.set_fault("news.example", "error500")
    status, headers, _ = conditional(srv, "http://news.example/", etag="*")
    assert status == 500 and headers["ETag"] is None
