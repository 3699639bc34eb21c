"""Downloader middlewares."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import redirect as metarefresh
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.task import deferLater


def backoff_delay(retry_times: int, base: float, cap: float) -> float:
    """Seconds to wait before retry number ``retry_times`` (1, 2, ...): base, 2*base, 4*base..."""
    if base <= 0 or retry_times < 1:
        return 0.0
    return min(cap, base * 2 ** (retry_times - 1))


class HostMapMiddleware:
    """Send requests for mapped hosts through a given HTTP proxy.

    ``PROVNEWS_HOST_MAP = {"portal.example": "http://127.0.0.1:8123"}`` makes every
    request to ``portal.example`` go to the replica server as a proxy request, so URLs
    (and the canonical URLs we store) keep the site's own host name. Disabled when the
    map is empty.
    """

    def __init__(self, host_map: dict[str, str]):
        self.host_map = {host.lower(): proxy for host, proxy in host_map.items()}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        host_map = crawler.settings.getdict("PROVNEWS_HOST_MAP")
        if not host_map:
            raise NotConfigured("PROVNEWS_HOST_MAP is empty")
        return cls(host_map)

    def process_request(self, request: Request) -> Request | Response | None:
        host = (urlparse_cached(request).hostname or "").lower()
        proxy = self.host_map.get(host)
        if proxy and "proxy" not in request.meta:
            request.meta["proxy"] = proxy
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry (5xx, 429, timeouts, lost connections) with exponential backoff.

    A struggling portal gets ``PROVNEWS_RETRY_BACKOFF`` seconds before the first retry,
    twice that before the second, up to ``PROVNEWS_RETRY_BACKOFF_MAX``. The wait holds
    only that request; the crawl goes on.
    """

    backoff: float = 0.0
    backoff_max: float = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = super().from_crawler(crawler)
        mw.backoff = crawler.settings.getfloat("PROVNEWS_RETRY_BACKOFF")
        mw.backoff_max = crawler.settings.getfloat("PROVNEWS_RETRY_BACKOFF_MAX")
        return mw

    async def _wait(self, result: object) -> None:
        if isinstance(result, Request):
            delay = backoff_delay(result.meta.get("retry_times", 0), self.backoff, self.backoff_max)
            if delay > 0:
                await deferred_to_future(deferLater(reactor, delay, lambda: None))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        await self._wait(result)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        await self._wait(result)
        return result


class MetaRefreshMiddleware(metarefresh.MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding every page to find none.

    Scrapy's middleware decodes the whole body (``response.text``) to look for a
    ``<meta http-equiv="refresh">`` in its first 4,096 characters; an 80 KB article page
    costs a decode of all 80 KB. A refresh tag needs the ASCII word "refresh", which in
    any ASCII-compatible encoding is those bytes; so when the first bytes that can hold
    4,096 characters lack it (and hold no NUL, as UTF-16/32 text would), there is nothing
    to find. Otherwise Scrapy's own code decides, unchanged. (Not ASCII-compatible and free
    of NULs is EBCDIC, which no site of ours serves.)
    """

    HEAD_BYTES = 4 * 4096 + 4  # 4,096 characters of up to 4 bytes each, and a BOM

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        head = response.body[:self.HEAD_BYTES]
        if b"\x00" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)
