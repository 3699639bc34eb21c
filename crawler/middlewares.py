"""Downloader middlewares."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached


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
