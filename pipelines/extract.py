"""ExtractArticlePipeline: a thin adapter running ``crawler.enrich.process_page``.

With ``PROVNEWS_EXTRACT_WORKERS`` > 0 (default 1) the work runs in a process pool, off
the reactor thread; 0 runs it inline. Entities are extracted too unless
``PROVNEWS_ENTITIES`` is false.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler

from crawler.enrich import PageJob, PageResult, process_page, warm_up
from crawler.items import PageItem
from crawler.registry import Site, load_registry

logger = logging.getLogger(__name__)


class ExtractArticlePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.entities = crawler.settings.getbool("PROVNEWS_ENTITIES", True)
        workers = crawler.settings.getint("PROVNEWS_EXTRACT_WORKERS", 1)
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self.pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=warm_up, initargs=(self.entities,),
            )
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

    def _job(self, item: PageItem) -> PageJob:
        site = self._site(item.site_key)
        return PageJob(
            body=item.body, url=item.url, fetched_at=item.fetched_at,
            family=site.family if site else None, selectors=dict(site.selectors) if site else {},
            province=site.province if site else None, entities=self.entities,
        )

    async def _run(self, job: PageJob) -> PageResult:
        if self.pool is not None:
            try:
                return await asyncio.wrap_future(self.pool.submit(process_page, job))
            except BrokenProcessPool:
                logger.error("extraction worker died; extracting in the crawl process from now on")
                self.crawler.stats.inc_value("provnews/extract/worker_died")
                self.pool = None
        return process_page(job)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        result = await self._run(self._job(item))
        item.article, item.sketch, item.entities = result.article, result.sketch, result.entities
        stats = self.crawler.stats
        if result.entity_error:
            stats.inc_value("provnews/entities/errors")
            logger.error("entities of %s not extracted: %s", item.url, result.entity_error)
        for problem in result.article.problems:
            stats.inc_value("provnews/extract/problems")
            stats.inc_value(f"provnews/extract/problem/{problem.split(':')[0][:40]}")
        return item

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=False)
