"""ExtractArticlePipeline: a thin adapter over crawler.extract.extract_article."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.discovery import normalize_url
from crawler.extract import extract_article
from crawler.items import PageItem
from crawler.registry import load_registry


class ExtractArticlePipeline:
    """Fill ``item.article`` from the raw page, using the site's CMS family as a hint."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self._families: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractArticlePipeline:
        return cls(crawler)

    def _family(self, site_key: str) -> str | None:
        if site_key not in self._families:
            spider = self.crawler.spider
            site = getattr(spider, "site", None)
            if site is None or site.key != site_key:
                site = load_registry().get(site_key)
            self._families[site_key] = site.family if site else "generic"
        return self._families[site_key]

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        item.article = extract_article(
            item.body, item.url, fetched_at=item.fetched_at, family=self._family(item.site_key)
        )
        # One article, one identity: rel=canonical preferred, tracking parameters dropped.
        item.article.canonical_url = normalize_url(item.article.canonical_url or item.url)
        for problem in item.article.problems:
            self.crawler.stats.inc_value("provnews/extract/problems")
            self.crawler.stats.inc_value(f"provnews/extract/problem/{problem.split(':')[0][:40]}")
        return item
