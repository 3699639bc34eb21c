"""StoreArticlePipeline: writes extracted articles and the crawl run to the database.

Opens one ``crawl_run`` row when the spider opens, upserts each article (idempotent:
a second crawl stores no duplicates and only bumps ``last_seen_at``), and closes the run
with the counts from the crawl stats and every recorded failure.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy.orm import Session

from crawler.db import (
    ensure_site,
    finish_run,
    open_database,
    record_error,
    start_run,
    upsert_article,
)
from crawler.items import PageItem


def run_status(fetched: int, failed: int, discovered: int) -> str:
    """``ok`` without failures; ``failed`` when nothing was fetched; else ``partial``."""
    if discovered == 0 or (fetched == 0 and failed > 0):
        return "failed"
    return "partial" if failed else "ok"


class StoreArticlePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.engine = open_database(crawler.settings.get("PROVNEWS_DATABASE_URL"))
        self.keep_html = crawler.settings.getbool("PROVNEWS_STORE_RAW_HTML", True)
        self.outcomes: Counter[str] = Counter()
        self.site_id = 0
        self.run_id = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        site = getattr(self.crawler.spider, "site", None)
        if site is None:
            raise RuntimeError("StoreArticlePipeline needs the article spider (spider.site)")
        with Session(self.engine) as session, session.begin():
            self.site_id = ensure_site(session, site)
            self.run_id = start_run(session, self.site_id, datetime.now(UTC))
        self.crawler.stats.set_value("provnews/run_id", self.run_id)

    def process_item(self, item: PageItem) -> PageItem:
        assert item.article is not None, "ExtractArticlePipeline must run first"
        with Session(self.engine) as session, session.begin():
            outcome = upsert_article(
                session,
                site_id=self.site_id,
                run_id=self.run_id,
                article=item.article,
                raw_html=item.body if self.keep_html else b"",
                encoding=item.encoding,
                http_status=item.status,
                discovered_via=item.discovered_via,
                seen_at=item.fetched_at,
            )
        self.outcomes[outcome] += 1
        self.crawler.stats.inc_value(f"provnews/stored/{outcome}")
        return item

    def close_spider(self) -> None:
        stats = self.crawler.stats
        failures: list[dict[str, Any]] = getattr(self.crawler.spider, "failures", [])
        errors = Counter(f["kind"] for f in failures)
        counts = {
            "discovered": stats.get_value("provnews/discovered", 0),
            "fetched": stats.get_value("provnews/article/fetched", 0),
            "stored_new": self.outcomes["new"],
            "updated": self.outcomes["updated"],
            "unchanged": self.outcomes["unchanged"],
            "failed": len(failures),
        }
        status = run_status(counts["fetched"], counts["failed"], counts["discovered"])
        summary = ", ".join(f"{kind}: {n}" for kind, n in errors.most_common()) or None
        with Session(self.engine) as session, session.begin():
            for f in failures:
                record_error(session, self.run_id, url=f["url"], kind=f["kind"],
                             http_status=f["http_status"], message=f["message"], at=f["at"])
            finish_run(session, self.run_id, ended_at=datetime.now(UTC), status=status,
                       counts=counts, errors=dict(errors), error_summary=summary)
        stats.set_value("provnews/status", status)
        for key, value in counts.items():
            stats.set_value(f"provnews/summary/{key}", value)
        self.engine.dispose()
