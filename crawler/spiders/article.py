"""The one generic spider: discovers article URLs of a registry site and fetches each once.

Discovery cascade: feeds, then sitemaps, then listing pages with pagination. Every
URL records the channel that found it first. Failures (HTTP errors, timeouts, DNS,
malformed feeds, redirect loops) are counted in stats and listed in
``spider.failures`` for the store pipeline to record.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import discovery
from crawler.items import PageItem
from crawler.registry import RegistryError, Site, load_registry
from crawler.spiders.failures import classify_failure


class ArticleSpider(Spider):
    name = "article"

    def __init__(self, site: str | None = None, registry_files: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not site:
            raise ValueError("the article spider needs -a site=<key>")
        self.site_key = site
        self._registry_files = registry_files
        self.site: Site | None = None
        self.seen_articles: set[str] = set()
        self.failures: list[dict[str, Any]] = []
        self.max_pages = 50

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArticleSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        files = spider._registry_files or crawler.settings.getlist("PROVNEWS_REGISTRY_FILES")
        sites = load_registry(files or None)
        if spider.site_key not in sites:
            raise RegistryError(f"unknown site key '{spider.site_key}'")
        spider.site = sites[spider.site_key]
        spider.max_pages = min(
            spider.site.max_listing_pages, crawler.settings.getint("PROVNEWS_MAX_LISTING_PAGES")
        )
        if spider.site.download_delay is not None:
            spider.download_delay = spider.site.download_delay  # type: ignore[attr-defined]
        return spider

    # -- discovery ---------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        assert self.site is not None
        for path in self.site.feeds:
            yield self._discovery_request(self.site.absolute(path), self.parse_feed, "feed")
        for path in self.site.sitemaps:
            yield self._discovery_request(self.site.absolute(path), self.parse_sitemap, "sitemap")
        for path in self.site.listings:
            req = self._discovery_request(self.site.absolute(path), self.parse_listing, "listing")
            req.meta["page"] = 1
            yield req

    def _discovery_request(self, url: str, callback: Any, channel: str) -> Request:
        self.crawler.stats.inc_value(f"provnews/requests/{channel}")
        return Request(url, callback=callback, errback=self.on_error, meta={"channel": channel})

    def _article_requests(self, urls: list[str], channel: str) -> list[Request]:
        assert self.site is not None
        out = []
        for url in urls:
            if not discovery.same_site(url, self.site.base_url):
                continue
            if not discovery.is_article_url(url, self.site.article_pattern):
                continue
            identity = discovery.article_identity(url, self.site.article_id_pattern)
            if identity in self.seen_articles:
                continue
            self.seen_articles.add(identity)
            self.crawler.stats.inc_value("provnews/discovered")
            self.crawler.stats.inc_value(f"provnews/discovered/{channel}")
            out.append(
                # The spider dedupes articles itself; dont_filter lets a redirect loop
                # surface as an error instead of being silently dropped as a duplicate.
                Request(url, callback=self.parse_article, errback=self.on_error,
                        dont_filter=True, meta={"channel": channel, "article": True})
            )
        return out

    def _error_response(self, response: Response) -> bool:
        if response.status < 400:
            return False
        self._record(response.url, f"http_{response.status}", response.status,
                     f"HTTP {response.status}", response.meta)
        return True

    def parse_feed(self, response: Response) -> Any:
        if self._error_response(response):
            return
        try:
            links = discovery.feed_links(response.body, response.url)
        except discovery.FeedError as exc:
            self._record(response.url, "malformed_feed", response.status, str(exc), response.meta)
            return
        yield from self._article_requests(links, "feed")

    def parse_sitemap(self, response: Response) -> Any:
        if self._error_response(response):
            return
        try:
            result = discovery.sitemap_entries(response.body, response.url)
        except discovery.FeedError as exc:
            self._record(response.url, "malformed_sitemap", response.status, str(exc), response.meta)
            return
        if result.is_index:
            for url in result.urls:
                yield self._discovery_request(url, self.parse_sitemap, "sitemap")
        else:
            yield from self._article_requests(result.urls, "sitemap")

    def parse_listing(self, response: Response) -> Any:
        assert self.site is not None
        if self._error_response(response):
            return
        if not hasattr(response, "text"):
            self._record(response.url, "not_html", response.status, "listing is not HTML", response.meta)
            return
        links = discovery.article_links(response.text, response.url, self.site.article_pattern)
        yield from self._article_requests(links, "listing")
        page = response.meta.get("page", 1)
        nxt = discovery.next_page(response.text, response.url)
        if links and nxt and page < self.max_pages:
            req = self._discovery_request(nxt, self.parse_listing, "listing")
            req.meta["page"] = page + 1
            yield req

    # -- articles ------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Any:
        if self._error_response(response):
            return
        self.crawler.stats.inc_value("provnews/article/fetched")
        encoding = getattr(response, "encoding", None)
        yield PageItem(
            site_key=self.site_key,
            url=response.url,
            status=response.status,
            body=response.body,
            encoding=encoding,
            fetched_at=datetime.now(UTC),
            discovered_via=response.meta.get("channel", "unknown"),
        )

    # -- failures ------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        meta = request.meta if request is not None else {}
        kind, status, message = classify_failure(failure)
        self._record(url, kind, status, message, meta)

    def _record(self, url: str, kind: str, status: int | None, message: str, meta: Any) -> None:
        stats = self.crawler.stats
        stats.inc_value("provnews/failed")
        stats.inc_value(f"provnews/errors/{kind}")
        if meta.get("article"):
            stats.inc_value("provnews/article/failed")
        self.failures.append({
            "url": url, "kind": kind, "http_status": status, "message": message[:500],
            "at": datetime.now(UTC), "channel": meta.get("channel"),
        })
        self.logger.warning("%s: %s (%s)", kind, url, message)
