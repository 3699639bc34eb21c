"""StoreArticlePipeline: writes extracted articles and the crawl run to the database.

Opens one ``crawl_run`` row when the spider opens. Items are buffered and written in
batches (``PROVNEWS_STORE_BATCH`` items or every ``PROVNEWS_STORE_FLUSH_SECONDS``), one
transaction per batch: each article upserted (idempotent: a second crawl stores no
duplicates; an edit becomes a new version), linked to its near-duplicate group, and its
entities stored; revisited articles that are gone are marked (removed after two misses).
A batch that fails is retried item by item, so one bad row costs only itself. The run is
closed with the counts, the crawl report, every failure and the discovery validators.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from scrapy.crawler import Crawler
from sqlalchemy.orm import Session
from twisted.internet import reactor

from crawler import db, discovery
from crawler.items import GoneItem, PageItem

logger = logging.getLogger(__name__)
STORED = ("new", "updated")
MAX_BATCHES_IN_FLIGHT = 4


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
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.engine = db.open_database(settings.get("PROVNEWS_DATABASE_URL"))
        self.keep_html = settings.getbool("PROVNEWS_STORE_RAW_HTML", True)
        self.group_duplicates = settings.getbool("PROVNEWS_NEAR_DUPLICATES", True)
        self.batch_size = max(1, settings.getint("PROVNEWS_STORE_BATCH", 50))
        self.flush_seconds = settings.getfloat("PROVNEWS_STORE_FLUSH_SECONDS", 0.5)
        self.outcomes: Counter[str] = Counter()
        self.pending: list[Any] = []
        self.store_failures: list[dict[str, Any]] = []
        self._timer: Any = None
        self.lock = threading.Lock()
        # SQLite and zlib release the GIL: writing in a thread lets the crawl go on meanwhile.
        self.writer = (
            ThreadPoolExecutor(1, thread_name_prefix="provnews-store")
            if settings.getbool("PROVNEWS_STORE_THREAD", True)
            else None
        )
        self.in_flight: list[Future[None]] = []
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
        if isinstance(item, PageItem | GoneItem):
            self.pending.append(item)
            if len(self.pending) >= self.batch_size:
                self.flush()
            elif self._timer is None:
                self._timer = reactor.callLater(self.flush_seconds, self.flush)  # type: ignore[attr-defined,arg-type]
        return item

    # -- writing -------------------------------------------------------------------------
    def flush(self) -> None:
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        if self.writer is None:
            self._write_batch(batch)
            return
        self.in_flight = [f for f in self.in_flight if not f.done()]
        if len(self.in_flight) >= MAX_BATCHES_IN_FLIGHT:  # back-pressure: the writer is behind
            wait(self.in_flight, return_when=FIRST_COMPLETED)
        self.in_flight.append(self.writer.submit(self._write_batch, batch))

    def _write_batch(self, batch: list[Any]) -> None:
        """One transaction for the batch (in the writer thread when there is one)."""
        try:
            with Session(self.engine) as session, session.begin():
                outcomes: list[str | None] = [self._write(session, item) for item in batch]
        except Exception:
            logger.exception("a batch of %d items failed; retrying them one by one", len(batch))
            outcomes = [self._write_alone(item) for item in batch]
        with self.lock:
            for outcome in outcomes:
                if outcome is not None:
                    self.outcomes[outcome] += 1
                    self.crawler.stats.inc_value(f"provnews/stored/{outcome}")

    def _write_alone(self, item: Any) -> str | None:
        try:
            with Session(self.engine) as session, session.begin():
                return self._write(session, item)
        except Exception as exc:
            self.crawler.stats.inc_value("provnews/failed")
            self.crawler.stats.inc_value("provnews/errors/store_error")
            with self.lock:
                self.store_failures.append(
                    {
                        "url": item.url,
                        "kind": "store_error",
                        "http_status": None,
                        "message": f"{type(exc).__name__}: {exc}"[:500],
                        "at": datetime.now(UTC),
                    }
                )
            return None

    def _write(self, session: Session, item: Any) -> str:
        if isinstance(item, GoneItem):
            return db.mark_missing(session, item.url, item.seen_at)
        assert item.article is not None, "ExtractArticlePipeline must run first"
        outcome = db.upsert_article(
            session,
            site_id=self.site_id,
            run_id=self.run_id,
            article=item.article,
            raw_html=item.body if self.keep_html else b"",
            encoding=item.encoding,
            http_status=item.status,
            discovered_via=item.discovered_via,
            seen_at=item.fetched_at,
            identity=self._identity(item.url),
        )
        item.stored_outcome = outcome
        if outcome in STORED and (self.group_duplicates or item.entities is not None):
            key = item.article.canonical_url or item.article.url
            article_id = session.scalars(
                sa.select(db.ArticleRow.id).where(db.ArticleRow.canonical_url == key)
            ).one()  # just upserted in this transaction
            if self.group_duplicates and db.link_near_duplicates(session, article_id, sketch=item.sketch):
                self.crawler.stats.inc_value("provnews/near_duplicates")
            if item.entities is not None:
                mentions = db.store_entities(session, article_id, item.entities)
                self.crawler.stats.inc_value("provnews/entities/articles")
                self.crawler.stats.inc_value("provnews/entities/mentions", mentions)
        return outcome

    def _identity(self, url: str) -> str:
        site = getattr(self.crawler.spider, "site", None)
        return discovery.article_identity(url, site.article_id_pattern if site else None)

    # -- closing -------------------------------------------------------------------------
    def close_spider(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.shutdown(wait=True)  # every batch written before the run is closed
            for future in self.in_flight:
                future.result()
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
            for url, (etag, modified, status_code) in getattr(spider, "validators_seen", {}).items():
                db.save_fetch_state(
                    session,
                    self.site_id,
                    url,
                    etag=etag,
                    last_modified=modified,
                    http_status=status_code,
                    at=now,
                )
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
