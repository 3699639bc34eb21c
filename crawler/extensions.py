"""Scrapy extensions."""

from __future__ import annotations

import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressExtension:
    """Print one progress line per site every ``PROVNEWS_PROGRESS_INTERVAL`` seconds.

    Long crawls otherwise look frozen at LOG_LEVEL=WARNING. Off when the interval is 0.
    """

    def __init__(self, crawler: Crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        interval = crawler.settings.getfloat("PROVNEWS_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def report(self) -> None:
        stats = self.crawler.stats
        spider = self.crawler.spider
        key = getattr(spider, "site_key", "?")
        print(
            f"  … {key}: discovered {stats.get_value('provnews/discovered', 0)}, "
            f"fetched {stats.get_value('provnews/article/fetched', 0)}, "
            f"failed {stats.get_value('provnews/failed', 0)}",
            file=sys.stderr,
            flush=True,
        )

    def spider_closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
