"""ExtractArticlePipeline: a thin adapter over crawler.extract.extract_article."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.discovery import normalize_url
from crawler.extract import extract_article
from crawler.extract.overrides import apply_selectors
from crawler.items import PageItem
from crawler.registry import Site, load_registry


class ExtractArticlePipeline:
    """Fill ``item.article`` from the raw page: the site's CMS family as a hint, then the
    site's own selector overrides, then one canonical URL."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self._sites: dict[str, Site | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractArticlePipeline:
        return cls(crawler)

    def _site(self, site_key: str) -> Site | None:
        if site_key not in self._sites:
            site = getattr(self.crawler.spider, "site", None)
            if site is None or site.key != site_key:
                site = load_registry().get(site_key)
            self._sites[site_key] = site
        return self._sites[site_key]

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        site = self._site(item.site_key)
        article = extract_article(item.body, item.url, fetched_at=item.fetched_at,
                                  family=site.family if site else None)
        if site and site.selectors:
            article = apply_selectors(article, item.body, site.selectors, now=item.fetched_at)
        # One article, one identity: rel=canonical preferred, tracking parameters dropped.
        article.canonical_url = normalize_url(article.canonical_url or item.url)
        for problem in article.problems:
            self.crawler.stats.inc_value("provnews/extract/problems")
            self.crawler.stats.inc_value(f"provnews/extract/problem/{problem.split(':')[0][:40]}")
        item.article = article
        return item
