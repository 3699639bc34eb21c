"""The ceiling: a bare Scrapy spider that only follows links on the bench site.

It walks each site's category listings by ``rel=next``, requests every article link it
finds there (Scrapy's own duplicate filter), and does nothing with an article but count
it. Run as a child of ``bench/pipeline.py``; prints its counts as one JSON line.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class BareSpider(Spider):
    name = "bench_bare"

    def __init__(self, site_key: str, start_urls: list[str], article_pattern: str, proxy: str,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.site_key = site_key
        self.listing_urls = start_urls
        self.pattern = re.compile(article_pattern)
        self.proxy = proxy

    async def start(self) -> AsyncIterator[Any]:
        for url in self.listing_urls:
            yield Request(url, callback=self.parse_listing, meta={"proxy": self.proxy})

    def parse_listing(self, response: Response) -> Any:
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if self.pattern.search(urlsplit(url).path):
                yield Request(url, callback=self.parse_article, meta={"proxy": self.proxy})
        nxt = response.css('link[rel="next"]::attr(href)').get()
        if nxt:
            yield Request(response.urljoin(nxt), callback=self.parse_listing, meta={"proxy": self.proxy})

    def parse_article(self, response: Response) -> None:
        # Same stat name as provnews' spider, so the same progress extension reports it.
        self.crawler.stats.inc_value("provnews/article/fetched")


def run(config: dict) -> None:
    """``config``: {"settings": {...}, "sites": [{"key", "listings", "article_pattern"}], "proxy"}."""
    settings = {**config["settings"], "EXTENSIONS": {"crawler.extensions.ProgressExtension": 500},
                "TELNETCONSOLE_ENABLED": False}
    process = CrawlerProcess(settings)
    crawlers = []
    for site in config["sites"]:
        crawler = process.create_crawler(BareSpider)
        crawlers.append(crawler)
        process.crawl(crawler, site_key=site["key"], start_urls=site["listings"],
                      article_pattern=site["article_pattern"], proxy=config["proxy"])
    process.start()
    stats = [c.stats.get_stats() for c in crawlers]
    print(json.dumps({
        "fetched": sum(int(s.get("provnews/article/fetched", 0)) for s in stats),
        "requests": sum(int(s.get("downloader/request_count", 0)) for s in stats),
        "errors": sum(int(s.get("log_count/ERROR", 0)) for s in stats),
    }))


if __name__ == "__main__":
    run(json.loads(sys.argv[1]))
