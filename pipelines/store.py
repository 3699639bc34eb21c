"""StoreArticlePipeline: extracts and stores fetched pages, and keeps the crawl run.

Opens one ``crawl_run`` row when the spider opens. Pages are buffered and handed in
batches (``PROVNEWS_STORE_BATCH`` pages or every ``PROVNEWS_STORE_FLUSH_SECONDS``) to
``PROVNEWS_WORKERS`` worker processes (``crawler.batch.write_batch``: extraction, then one
transaction per batch: upsert — idempotent, an edit becomes a new version — near-duplicate
link, entities; revisited pages that are gone marked, removed after two misses), so the
crawl process only downloads. The run is closed with the counts, the crawl report, every
failure and the discovery validators.
"""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, wait
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy.crawler import Crawler
from sqlalchemy.orm import Session
from twisted.internet import reactor

from crawler import db
from crawler.batch import (
    BatchJob,
    BatchResult,
    GoneIn,
    PageIn,
    trim_heap,
    worker_count,
    worker_init,
    worker_niceness,
    write_batch,
)
from crawler.items import GoneItem, PageItem
from crawler.registry import Site
from crawler.workers import ProcessPool

logger = logging.getLogger(__name__)
BATCHES_PER_WORKER = 2
"""Batches in flight per worker before a flush waits: the one it runs and the next, which
the pool hands it ahead (``crawler.workers``) so it does not wait to be fed between
batches. Back-pressure, so pages wait in bounded memory (c's peak stayed under 400 MB
with 2: bench/RESULTS.md). Each worker trims its heap after every batch
(``crawler.batch``), so it lives for the whole crawl without growing."""


class WorkerPool:
    """The crawl process's one pool of extraction workers, shared by every site's pipeline
    (a crawl of 140 sites must not start 140 processes). Started by the first pipeline
    to open, shut down when the last one closes. Bounds the batches in flight over all
    sites to ``BATCHES_PER_WORKER`` per worker."""

    _pool: ClassVar[ProcessPool | None] = None
    _users: ClassVar[int] = 0
    _limit: ClassVar[int] = 0
    in_flight: ClassVar[set[Future[BatchResult]]] = set()

    @classmethod
    def acquire(cls, workers: int, entities: bool, niceness: int = 0) -> ProcessPool:
        if cls._pool is None:
            cls._pool = ProcessPool(workers, initializer=worker_init, initargs=(entities, niceness))
            cls._limit = workers * BATCHES_PER_WORKER
        cls._users += 1
        return cls._pool

    @classmethod
    def submit(cls, job: BatchJob) -> Future[BatchResult]:
        assert cls._pool is not None
        cls.in_flight = {f for f in cls.in_flight if not f.done()}
        if len(cls.in_flight) >= cls._limit:
            wait(cls.in_flight, return_when=FIRST_COMPLETED)
        future = cls._pool.submit(write_batch, job)
        cls.in_flight.add(future)
        return future

    @classmethod
    def release(cls) -> None:
        cls._users -= 1
        if cls._users == 0 and cls._pool is not None:
            cls._pool.shutdown(wait=True)
            cls._pool = None


def run_status(fetched: int, failed: int, discovered: int, not_modified: int) -> str:
    """``ok`` without failures; ``failed`` when errors left nothing fetched, or when the
    crawl saw nothing at all (no article discovered or fetched, no "not modified");
    else ``partial``."""
    if (fetched == 0 and failed > 0) or (discovered == 0 and not_modified == 0 and fetched == 0):
        return "failed"
    return "partial" if failed else "ok"


def crawl_report(stats: dict[str, Any]) -> dict[str, Any]:
    """The per-site crawl report kept with the run, from the crawl stats."""

    def prefixed(prefix: str) -> dict[str, int]:
        return {k.removeprefix(prefix): int(v) for k, v in stats.items() if k.startswith(prefix)}

    return {
        "discovered_by_channel": prefixed("provnews/discovered/"),
        "requests_by_channel": prefixed("provnews/requests/"),
        "not_modified_by_channel": prefixed("provnews/not_modified/"),
        "http_status_counts": prefixed("downloader/response_status_count/"),
        "requests": int(stats.get("downloader/request_count", 0)),
        "discovered_new": int(stats.get("provnews/discovered_new", 0)),
        "skipped_known": int(stats.get("provnews/skipped_known", 0)),
        "revisits": int(stats.get("provnews/revisits", 0)),
        "missing": int(stats.get("provnews/stored/missing", 0)),
    }


class StoreArticlePipeline:
    """Buffers fetched pages and hands each batch to a worker process that extracts and
    stores it (``crawler.batch.write_batch``); the crawl process only downloads."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.db_url = db.resolve_database_url(settings.get("PROVNEWS_DATABASE_URL"))
        self.engine = db.open_database(self.db_url)
        self.keep_html = settings.getbool("PROVNEWS_STORE_RAW_HTML", True)
        self.group_duplicates = settings.getbool("PROVNEWS_NEAR_DUPLICATES", True)
        self.entities = settings.getbool("PROVNEWS_ENTITIES", True)
        self.batch_size = max(1, settings.getint("PROVNEWS_STORE_BATCH", 25))
        self.flush_seconds = settings.getfloat("PROVNEWS_STORE_FLUSH_SECONDS", 0.5)
        self.outcomes: Counter[str] = Counter()
        self.pending: list[PageIn | GoneIn] = []
        self.store_failures: list[dict[str, Any]] = []
        self._timer: Any = None
        workers = worker_count(settings.get("PROVNEWS_WORKERS"))
        niceness = worker_niceness(settings.get("PROVNEWS_WORKER_NICE", 10))
        self.pool = WorkerPool.acquire(workers, self.entities, niceness) if workers > 0 else None
        self.in_flight: list[tuple[Future[BatchResult], list[str]]] = []
        self.site: Site | None = None
        self.site_id = 0
        self.run_id = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.site = site = getattr(self.crawler.spider, "site", None)
        if site is None:
            raise RuntimeError("StoreArticlePipeline needs the article spider (spider.site)")
        with Session(self.engine) as session, session.begin():
            self.site_id = db.ensure_site(session, site)
            self.run_id = db.start_run(
                session,
                self.site_id,
                datetime.now(UTC),
                scheduled_at=self._scheduled_at(),
                trigger=self.crawler.settings.get("PROVNEWS_TRIGGER") or "manual",
            )
        self.crawler.stats.set_value("provnews/run_id", self.run_id)

    def _scheduled_at(self) -> datetime | None:
        """The due time the scheduler passes in (``PROVNEWS_SCHEDULED_AT``), if any."""
        value = self.crawler.settings.get("PROVNEWS_SCHEDULED_AT")
        return datetime.fromisoformat(value) if value else None

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            self.pending.append(PageIn(item.url, item.body, item.encoding, item.status,
                                       item.fetched_at, item.discovered_via, item.source_modified_at))
        elif isinstance(item, GoneItem):
            self.pending.append(GoneIn(item.url, item.seen_at))
        else:
            return item
        if len(self.pending) >= self.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = reactor.callLater(self.flush_seconds, self.flush)  # type: ignore[attr-defined,arg-type]
        return item

    # -- writing -------------------------------------------------------------------------
    def _job(self, pages: list[PageIn | GoneIn]) -> BatchJob:
        site = self.site
        assert site is not None
        return BatchJob(
            db_url=self.db_url, site_id=self.site_id, run_id=self.run_id, pages=pages,
            family=site.family, selectors=dict(site.selectors), province=site.province,
            id_pattern=site.article_id_pattern, entities=self.entities,
            keep_html=self.keep_html, group_duplicates=self.group_duplicates,
        )  # fmt: skip

    def flush(self) -> None:
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        if self.pool is None:
            self._collect(write_batch(self._job(batch)))
            return
        self._drain()
        urls = [page.url for page in batch]  # not the bodies: enough to record a lost batch
        self.in_flight.append((WorkerPool.submit(self._job(batch)), urls))
        del batch
        trim_heap()  # give the heap of earlier responses back (80 KB bodies fragment it)

    def _drain(self) -> None:
        """Count the results of this site's finished batches."""
        running = []
        for future, urls in self.in_flight:
            if not future.done():
                running.append((future, urls))
            elif (error := future.exception()) is not None:
                self._lost(urls, error)
            else:
                self._collect(future.result())
        self.in_flight = running

    def _lost(self, urls: list[str], error: BaseException) -> None:
        """A batch whose worker failed: each page is recorded as failed (not stored, so the
        next crawl fetches it again)."""
        logger.error("a batch of %d pages was not stored: %s", len(urls), error)
        self._collect(BatchResult(
            stats=Counter({"provnews/failed": len(urls), "provnews/errors/worker_error": len(urls)}),
            failures=[{"url": url, "kind": "worker_error", "http_status": None,
                       "message": f"{type(error).__name__}: {error}"[:500], "at": datetime.now(UTC)}
                      for url in urls]))

    def _collect(self, result: BatchResult) -> None:
        stats = self.crawler.stats
        self.outcomes.update(result.outcomes)
        for outcome, n in result.outcomes.items():
            stats.inc_value(f"provnews/stored/{outcome}", n)
        for key, n in result.stats.items():
            stats.inc_value(key, n)
        self.store_failures += result.failures

    # -- closing -------------------------------------------------------------------------
    def close_spider(self) -> None:
        self.flush()
        if self.pool is not None:
            wait([future for future, _urls in self.in_flight])  # every batch stored before the run closes
            self._drain()
            WorkerPool.release()
        stats = self.crawler.stats
        spider = self.crawler.spider
        failures: list[dict[str, Any]] = [*getattr(spider, "failures", []), *self.store_failures]
        errors = Counter(f["kind"] for f in failures)
        report = crawl_report(stats.get_stats())
        counts = {
            "discovered": stats.get_value("provnews/discovered", 0),
            "fetched": stats.get_value("provnews/article/fetched", 0),
            "stored_new": self.outcomes["new"],
            "updated": self.outcomes["updated"],
            "unchanged": self.outcomes["unchanged"],
            "removed": self.outcomes["removed"],
            "failed": len(failures),
        }
        not_modified = sum(report["not_modified_by_channel"].values())
        status = run_status(counts["fetched"], counts["failed"], counts["discovered"], not_modified)
        summary = ", ".join(f"{kind}: {n}" for kind, n in errors.most_common()) or None
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            for f in failures:
                db.record_error(
                    session,
                    self.run_id,
                    url=f["url"],
                    kind=f["kind"],
                    http_status=f["http_status"],
                    message=f["message"],
                    at=f["at"],
                )
            db.save_fetch_states(session, self.site_id, getattr(spider, "validators_seen", {}), at=now)
            db.record_source_modified(session, self.site_id, getattr(spider, "sitemap_lastmods", {}))
            db.finish_run(
                session,
                self.run_id,
                ended_at=now,
                status=status,
                counts=counts,
                errors=dict(errors),
                error_summary=summary,
                report=report,
            )
        stats.set_value("provnews/status", status)
        for key, value in counts.items():
            stats.set_value(f"provnews/summary/{key}", value)
        self.engine.dispose()
