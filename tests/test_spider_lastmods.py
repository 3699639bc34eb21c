"""Where a sitemap's lastmod goes: with the page when the article is fetched, else kept
for the end of the run.

A fetched article's lastmod rides in its request's meta and is stored with the page, so
a fetch that fails records no lastmod (the next crawl still sees the change and fetches
it); only the lastmods of articles not fetched are held until the run closes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.db import KnownArticle
from crawler.spiders.article import ArticleSpider

NOW = datetime(2026, 11, 20, tzinfo=UTC)
OLD, NEW = NOW - timedelta(days=30), NOW - timedelta(days=1)
BASE = "http://portal.example/tin-tuc/"


class KnownOnly:
    """A crawl state that knows some articles (by URL), answering as ``CrawlState`` does:
    keyed by the identity of each URL asked for."""

    def __init__(self, known: dict[str, KnownArticle]):
        self.known = known
        self.identity = str

    def lookup_many(self, urls: list[str]) -> dict[str, KnownArticle]:
        return {self.identity(u): self.known[u] for u in urls if u in self.known}


def known(url: str, lastmod: datetime | None, due: bool = False) -> KnownArticle:
    return KnownArticle(url=url, canonical_url=url, status="active", last_seen_at=OLD,
                        next_check_at=NOW - timedelta(hours=1) if due else NOW + timedelta(days=3),
                        source_modified_at=lastmod)


def spider(state: KnownOnly) -> ArticleSpider:
    crawler = get_crawler(ArticleSpider, {"PROVNEWS_INCREMENTAL": False, "PROVNEWS_NOW": NOW.isoformat()})
    out = ArticleSpider.from_crawler(crawler, site="portal_example")
    out.state = state  # type: ignore[assignment]
    state.identity = out._identity
    return out


def test_lastmods_travel_with_fetched_pages_and_wait_only_for_the_rest():
    new, edited, quiet, unseen = (f"{BASE}bai-{n}-{i}.html" for i, n in enumerate(
        ["moi", "sua", "yen", "chua-co"], start=1))
    s = spider(KnownOnly({edited: known(edited, OLD), quiet: known(quiet, NEW),
                          unseen: known(unseen, None)}))
    requests = list(s._article_requests([new, edited, quiet, unseen], "sitemap",
                                        {new: NEW, edited: NEW, quiet: NEW, unseen: NEW}))
    by_url = {r.url: r for r in requests if isinstance(r, Request)}
    # A new article and one whose lastmod moved are fetched, each with its lastmod.
    assert set(by_url) == {new, edited}
    assert by_url[new].meta["lastmod"] == NEW
    assert by_url[edited].meta["lastmod"] == NEW
    assert by_url[edited].meta["known_url"] == edited
    # Not fetched: an article holding this lastmod needs nothing; one that has none
    # (stored before its sitemap gave one) gets it when the run closes.
    assert s.sitemap_lastmods == {s._identity(unseen): NEW}


def test_a_lastmod_read_after_the_request_was_made_waits_for_the_close():
    url = f"{BASE}bai-moi-9.html"
    s = spider(KnownOnly({}))
    first = list(s._article_requests([url], "listing"))
    assert [r.meta["lastmod"] for r in first] == [None]
    assert list(s._article_requests([url], "sitemap", {url: NEW})) == []  # requested once
    assert s.sitemap_lastmods == {s._identity(url): NEW}


def test_pending_urls_keep_their_lastmod_until_requested():
    urls = [f"{BASE}bai-{i}.html" for i in range(5)]
    s = spider(KnownOnly({}))
    s.max_queued = 2
    lastmods = {u: NEW - timedelta(minutes=i) for i, u in enumerate(urls)}
    made = list(s._article_requests(urls, "sitemap", lastmods))
    assert [r.url for r in made] == urls[:2]
    assert [lm for _u, _c, lm in s.pending] == [lastmods[u] for u in urls[2:]]
    later = list(s._answered(made[0].meta))
    assert [(r.url, r.meta["lastmod"]) for r in later] == [(urls[2], lastmods[urls[2]])]
    assert s.sitemap_lastmods == {}


def test_callbacks_are_checked_once_not_per_request(monkeypatch):
    """Scrapy parses a generator callback's source to warn about ``return <value>``,
    caching the answer weakly by the bound method: each callback must be one object for
    the spider's life, or the cache forgets it as requests come and go."""
    import inspect

    from scrapy.utils import misc

    s = spider(KnownOnly({}))
    urls = [f"{BASE}bai-{i}.html" for i in range(3)]
    callbacks = {id(r.callback) for r in s._article_requests(urls, "sitemap", {})}
    assert len(callbacks) == 1 and s.parse_article is s.parse_article
    calls = []
    real = inspect.getsource
    monkeypatch.setattr(misc.inspect, "getsource", lambda obj: calls.append(obj) or real(obj))
    for _ in range(3):
        misc.warn_on_generator_with_return_value(s, s.parse_article)
    assert len(calls) <= 1
