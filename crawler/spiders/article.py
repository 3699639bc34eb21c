"""The one generic spider: discovers article URLs of a registry site and fetches each once.

Discovery cascade: feeds, then sitemaps, then listing pages with pagination; every URL
records the channel that found it first. Crawls are incremental: stored articles are
not fetched again unless the revisit policy says they are due (or a sitemap's lastmod
says they changed), discovery URLs are fetched with conditional GETs, and listings stop
paginating once a page holds only known articles (plus a margin) unless backfilling.
Failures are counted in stats and listed in ``spider.failures`` for the store pipeline.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler import discovery, families, revisit
from crawler.extract.text import page_selector
from crawler.items import GoneItem, PageItem
from crawler.registry import RegistryError, Site, load_registry
from crawler.spiders.failures import classify_failure
from crawler.state import CrawlState

GONE_STATUSES = (404, 410)
DISCOVERY_PRIORITY = 10
"""Feeds, sitemaps and listing pages go before article pages. A listing's pages come one
after another (each names the next), so walked at the articles' pace a backfill ended
with the crawl process paging through listings alone while the workers had nothing to
do (4-5 s of a 57-s bench crawl); ahead of the articles, the walk overlaps their
extraction, and every URL is known sooner."""


def _page_tree(response: TextResponse) -> Any:
    """The page's tree, as ``response.selector`` has it but not kept on the response: that
    one refers back to the response, and the cycle kept every listing page and its tree
    until the next full garbage collection (a backfill pages through ~1,000 listings
    early on; the crawl process swung by ~40 MB). Parsed with the extractors' shared
    parser, which is also faster. The body goes to the parser as is when it is the text's
    UTF-8 (as extraction decides it: no byte-order mark, which the text does not have)."""
    body = response.body
    try:
        plain = not body.startswith(codecs.BOM_UTF8) and codecs.lookup(response.encoding).name == "utf-8"
    except LookupError:
        plain = False
    return page_selector(response.text, body if plain else None)


class ArticleSpider(Spider):
    name = "article"

    def __init__(self, site: str | None = None, registry_files: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not site:
            raise ValueError("the article spider needs -a site=<key>")
        self.site_key = site
        self._registry_files = registry_files
        self.site: Site | None = None
        self.state = CrawlState()  # nothing known unless PROVNEWS_INCREMENTAL loads it
        self.seen_articles: set[str] = set()
        """Article identities discovered in this crawl."""
        self.requested: set[str] = set()
        """Article identities requested in this crawl (each at most once)."""
        self.skipped: set[str] = set()
        """Known articles discovered and not fetched (not due, not changed)."""
        self.failures: list[dict[str, Any]] = []
        self.validators_seen: dict[str, tuple[str | None, str | None, int]] = {}
        self.sitemap_lastmods: dict[str, datetime] = {}
        """Sitemap lastmods written when the run closes: those of stored articles that are
        not fetched again, and of articles already requested when their sitemap was read.
        A fetched article's lastmod travels with its page (request meta) and is stored
        with it, so a fetch that fails does not record a lastmod whose page was never seen."""
        self.pending: deque[tuple[str, str, datetime | None]] = deque()
        """New article URLs (with the channel that found them and their sitemap lastmod)
        not requested yet. Requests are made as earlier ones are answered, at most
        ``max_queued`` waiting at a time:
        a sitemap of 100,000 URLs does not put 100,000 requests in the scheduler at once
        (a Request with its meta is ~0.7 KB, a waiting URL ~0.2 KB with its string)."""
        self.queued = 0
        """Article requests made from ``pending`` and not answered yet."""
        self.max_queued = 1000
        self.max_pages = 50
        self.family = families.get("generic")
        self.margin = 1
        self.backfill = False
        self.now = datetime.now(UTC)
        # One bound method per callback for the spider's life. Scrapy checks each generator
        # callback for a ``return <value>`` by parsing its source, and caches the answer
        # weakly by the bound method; with a new bound method per request the cache lost it
        # whenever that request was gone, and the source was parsed again for nearly every
        # response (~5 % of the crawl process's CPU, in ``inspect.getsource`` and ``ast``).
        for name in ("parse_feed", "parse_sitemap", "parse_listing", "parse_article"):
            setattr(self, name, getattr(self, name))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArticleSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        sites = load_registry(spider._registry_files or settings.getlist("PROVNEWS_REGISTRY_FILES") or None)
        if spider.site_key not in sites:
            raise RegistryError(f"unknown site key '{spider.site_key}'")
        spider.site = site = sites[spider.site_key]
        spider.family = families.get(site.family)
        spider.max_pages = min(site.max_listing_pages, settings.getint("PROVNEWS_MAX_LISTING_PAGES"))
        spider.margin = settings.getint("PROVNEWS_LISTING_MARGIN")
        spider.backfill = settings.getbool("PROVNEWS_BACKFILL")
        spider.max_queued = max(1, settings.getint("PROVNEWS_MAX_QUEUED_ARTICLES", 1000))
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        if settings.get("PROVNEWS_NOW"):
            spider.now = datetime.fromisoformat(settings.get("PROVNEWS_NOW")).astimezone(UTC)
        if settings.getbool("PROVNEWS_INCREMENTAL", True):
            spider.state = CrawlState.load(settings.get("PROVNEWS_DATABASE_URL"), site)
        if site.download_delay is not None:
            spider.download_delay = site.download_delay  # type: ignore[attr-defined]
        return spider

    # -- discovery ---------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        assert self.site is not None
        for path in self.site.feeds:
            yield self._discovery_request(self.site.absolute(path), self.parse_feed, "feed")
        for path in self.site.sitemaps:
            yield self._discovery_request(self.site.absolute(path), self.parse_sitemap, "sitemap")
        for path in self.site.listings:
            yield self._discovery_request(self.site.absolute(path), self.parse_listing, "listing")
        limit = self.crawler.settings.getint("PROVNEWS_MAX_REVISITS")
        for known in self.state.due_for_revisit(self.now, limit):
            yield self._revisit_request(known.url, None)

    def _discovery_request(self, url: str, callback: Any, channel: str, page: int = 1) -> Request:
        self.crawler.stats.inc_value(f"provnews/requests/{channel}")
        headers = {}
        etag, modified = self.state.validators.get(url, (None, None))
        if not self.backfill:
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        return Request(url, callback=callback, errback=self.on_error, headers=headers,
                       meta={"channel": channel, "page": page}, priority=DISCOVERY_PRIORITY)

    def _revisit_request(self, url: str, channel: str | None, lastmod: datetime | None = None) -> Request:
        self.crawler.stats.inc_value("provnews/revisits")
        identity = self._identity(url)
        self.requested.add(identity)
        if identity in self.skipped:
            self.skipped.discard(identity)
            self.crawler.stats.inc_value("provnews/skipped_known", -1)
        return Request(url, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                       meta={"channel": channel, "article": True, "known_url": url, "lastmod": lastmod})

    def _identity(self, url: str) -> str:
        assert self.site is not None
        return discovery.article_identity(url, self.site.article_id_pattern)

    def _article_requests(self, urls: Iterable[str], channel: str,
                          lastmods: dict[str, datetime] | None = None) -> Iterable[Request]:
        """Requests for article URLs not fetched yet in this crawl and not already stored
        (stored ones only when due for a revisit or changed according to a sitemap)."""
        assert self.site is not None
        stats = self.crawler.stats
        urls = [u for u in urls if discovery.same_site(u, self.site.base_url)
                and discovery.is_article_url(u, self.site.article_pattern)]
        fresh = [u for u in urls if self._identity(u) not in self.requested]
        stored = self.state.lookup_many(fresh)  # one query per discovery page
        for url in urls:
            lastmod = (lastmods or {}).get(url)
            identity = self._identity(url)
            known = stored.get(identity)
            if identity not in self.seen_articles:
                self.seen_articles.add(identity)
                stats.inc_value("provnews/discovered")
                stats.inc_value(f"provnews/discovered/{channel}")
            if identity in self.requested:
                if lastmod is not None:  # requested before this sitemap was read
                    self.sitemap_lastmods[identity] = lastmod
                continue
            if known is None:
                self.requested.add(identity)
                stats.inc_value("provnews/discovered_new")
                self.pending.append((url, channel, lastmod))
                continue
            changed = lastmod and known.source_modified_at and lastmod > known.source_modified_at
            if changed or revisit.is_due(known.next_check_at, self.now):
                yield self._revisit_request(known.url, None, lastmod)
                continue
            if lastmod is not None and known.source_modified_at != lastmod:
                self.sitemap_lastmods[identity] = lastmod  # not fetched: written when the run closes
            if identity not in self.skipped:
                # A later channel (a sitemap with lastmod) may still ask for it.
                self.skipped.add(identity)
                stats.inc_value("provnews/skipped_known")
        yield from self._release()

    def _release(self) -> Iterable[Request]:
        """Requests for pending article URLs, while fewer than ``max_queued`` wait."""
        while self.pending and self.queued < self.max_queued:
            url, channel, lastmod = self.pending.popleft()
            self.queued += 1
            # The spider dedupes articles itself; dont_filter lets a redirect loop
            # surface as an error instead of being silently dropped as a duplicate.
            yield Request(url, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                          meta={"channel": channel, "article": True, "queued": True, "lastmod": lastmod})

    def _answered(self, meta: Any) -> Iterable[Request]:
        """One queued article request answered (a page or a failure): make the next ones."""
        if meta.get("queued"):
            self.queued -= 1
        return self._release()

    def _on_idle(self) -> None:
        """Nothing in flight: request the next pending URLs (nothing is waiting, so none
        is queued) and keep the spider open while any remain."""
        if not self.pending:
            return
        self.queued = 0
        for request in self._release():
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def closed(self, reason: str) -> None:
        self.state.close()

    def _unusable(self, response: Response) -> bool:
        """Record errors and 304s; True when the response has nothing to parse."""
        channel = response.meta.get("channel")
        if response.status == 304:
            self.crawler.stats.inc_value(f"provnews/not_modified/{channel}")
            return True
        if response.status >= 400:
            self._record(response.url, f"http_{response.status}", response.status,
                         f"HTTP {response.status}", response.meta)
            return True
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        if etag or modified:
            self.validators_seen[response.request.url if response.request else response.url] = (
                etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None,
                response.status,
            )
        return False

    def parse_feed(self, response: Response) -> Any:
        if self._unusable(response):
            return
        try:
            links = discovery.feed_links(response.body, response.url)
        except discovery.FeedError as exc:
            self._record(response.url, "malformed_feed", response.status, str(exc), response.meta)
            return
        yield from self._article_requests(links, "feed")

    def parse_sitemap(self, response: Response) -> Any:
        if self._unusable(response):
            return
        try:
            result = discovery.sitemap_entries(response.body, response.url)
        except discovery.FeedError as exc:
            self._record(response.url, "malformed_sitemap", response.status, str(exc), response.meta)
            return
        if result.is_index:
            # An index rarely changes when a child does (WordPress gives no lastmod), so it
            # is always fetched in full; its children get conditional GETs.
            self.validators_seen.pop(response.request.url if response.request else response.url, None)
            for url in result.urls:
                yield self._discovery_request(url, self.parse_sitemap, "sitemap")
        else:
            yield from self._article_requests(result.urls, "sitemap", result.lastmods)

    def parse_listing(self, response: Response) -> Any:
        assert self.site is not None
        if self._unusable(response):
            return
        if not isinstance(response, TextResponse):
            self._record(response.url, "not_html", response.status, "listing is not HTML", response.meta)
            return
        tree = _page_tree(response)  # parsed once, for the links and the next page
        links = discovery.article_links(tree, response.url, self.site.article_pattern)
        before = self.crawler.stats.get_value("provnews/discovered_new", 0)
        yield from self._article_requests(links, "listing")
        found_new = self.crawler.stats.get_value("provnews/discovered_new", 0) > before
        known_pages = response.meta.get("known_pages", 0) + (0 if found_new else 1)
        page = response.meta["page"]
        nxt = self.family.next_page(tree, response.url)
        go_on = self.backfill or known_pages <= self.margin
        if links and nxt and page < self.max_pages and go_on:
            req = self._discovery_request(nxt, self.parse_listing, "listing", page + 1)
            req.meta["known_pages"] = known_pages
            yield req

    # -- articles ------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Any:
        assert self.site is not None
        yield from self._answered(response.meta)
        known_url = response.meta.get("known_url")
        if known_url and (response.status in GONE_STATUSES or not discovery.is_article_url(
                response.url, self.site.article_pattern)):
            self.crawler.stats.inc_value("provnews/article/gone")
            yield GoneItem(site_key=self.site_key, url=known_url, status=response.status,
                           seen_at=datetime.now(UTC))
            return
        if self._unusable(response):
            return
        self.crawler.stats.inc_value("provnews/article/fetched")
        yield PageItem(
            site_key=self.site_key,
            url=response.url,
            status=response.status,
            body=response.body,
            encoding=getattr(response, "encoding", None),
            fetched_at=datetime.now(UTC),
            discovered_via=response.meta.get("channel"),  # None for a revisit
            source_modified_at=response.meta.get("lastmod"),
        )

    # -- failures ------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> list[Request]:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        meta = request.meta if request is not None else {}
        kind, status, message = classify_failure(failure)
        self._record(url, kind, status, message, meta)
        return list(self._answered(meta))

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
