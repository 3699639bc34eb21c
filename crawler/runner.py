"""Run crawls in this process with Scrapy's CrawlerProcess (one reactor per process).

The CLI calls :func:`run_crawls` once; the scheduler runs each crawl in a child process
because the Twisted reactor cannot be restarted.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawler.registry import Site, load_registry

ENVIRONMENTS = ("dev", "test", "prod")


@dataclass
class RunSummary:
    """What one site's crawl did, read from its stats after the crawl."""

    site_key: str
    status: str
    discovered: int
    fetched: int
    stored_new: int
    updated: int
    unchanged: int
    removed: int
    failed: int
    errors: dict[str, int]
    run_id: int | None
    requests: int = 0


def build_settings(env: str | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """The Scrapy settings of ``settings.<env>`` (default ``$PROVNEWS_ENV`` or dev)."""
    env = env or os.environ.get("PROVNEWS_ENV", "dev")
    if env not in ENVIRONMENTS:
        raise ValueError(f"unknown environment '{env}' (choose from {', '.join(ENVIRONMENTS)})")
    settings = Settings()
    settings.setmodule(f"settings.{env}", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    from crawler.batch import worker_count, worker_niceness

    worker_count(settings.get("PROVNEWS_WORKERS"))  # a bad value fails here, in one line
    worker_niceness(settings.get("PROVNEWS_WORKER_NICE"))
    if "USER_AGENT" not in (overrides or {}):
        settings.set("USER_AGENT", user_agent(settings.get("PROVNEWS_CONTACT")), priority="cmdline")
    return settings


def user_agent(contact: str | None) -> str:
    """A descriptive User-Agent naming whom a site operator can contact."""
    version = "0.1"
    return f"provnews/{version} (+{contact or 'https://github.com/provnews/provnews'}; news monitoring)"


def _summary(site_key: str, stats: dict[str, Any]) -> RunSummary:
    def get(name: str) -> int:
        return int(stats.get(f"provnews/summary/{name}", 0))

    errors = {
        key.removeprefix("provnews/errors/"): int(value)
        for key, value in stats.items()
        if key.startswith("provnews/errors/")
    }
    return RunSummary(
        site_key=site_key,
        status=str(stats.get("provnews/status", "failed")),
        discovered=get("discovered"),
        fetched=get("fetched"),
        stored_new=get("stored_new"),
        updated=get("updated"),
        unchanged=get("unchanged"),
        removed=get("removed"),
        failed=get("failed"),
        errors=errors,
        run_id=stats.get("provnews/run_id"),
        requests=int(stats.get("downloader/request_count", 0)),
    )


def site_settings(settings: Settings, site: Site) -> Settings:
    """The crawl settings for one site: its politeness and robots.txt overrides applied."""
    out = settings.copy()
    if site.robots_obey is not None:
        out.set("ROBOTSTXT_OBEY", site.robots_obey, priority="spider")
    slot: dict[str, Any] = {}
    if site.concurrency:
        slot["concurrency"] = site.concurrency
    if site.download_delay is not None:
        slot["delay"] = site.download_delay
    if slot:
        out.set("DOWNLOAD_SLOTS", {**out.getdict("DOWNLOAD_SLOTS"), site.host: slot}, priority="spider")
    return out


def _freeze_gc() -> None:
    """Before the reactor starts: what is loaded by now (modules, settings, the crawlers)
    lives as long as the process, so freeze it out of every later collection. Full
    collections walked all of it: GC took 6.6 s of the crawl process's CPU at 20,000 bench
    pages (~11 %), 3.1 s with this (bench/RESULTS.md). Collecting less often (a first
    threshold of 5,000) saved more CPU but let cyclic garbage holding response bodies
    live longer: +80 MB in the crawl process with entities, so the thresholds stay."""
    gc.collect()
    gc.freeze()


def run_crawls(site_keys: list[str], settings: Settings) -> list[RunSummary]:
    """Crawl the given sites concurrently and return one summary per site."""
    from crawler.spiders.article import ArticleSpider

    sites = load_registry(settings.getlist("PROVNEWS_REGISTRY_FILES") or None)
    process = CrawlerProcess(settings)
    crawlers = []
    for i, key in enumerate(site_keys):
        # The first crawler installs the reactor, as CrawlerProcess.create_crawler does.
        crawler = Crawler(ArticleSpider, site_settings(settings, sites[key]), init_reactor=i == 0)
        crawlers.append((key, crawler))
        process.crawl(crawler, site=key)
    _freeze_gc()
    process.start()
    return [_summary(key, crawler.stats.get_stats()) for key, crawler in crawlers]
