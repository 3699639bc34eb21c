"""Extract and store a batch of fetched pages: the work of a crawl's worker processes.

The crawl process only downloads; each batch of article pages goes to a worker, which
extracts every page (``crawler.enrich.process_page``: fields, selectors, sketch, entities)
and then writes the whole batch in one transaction: upsert (versions, revisit schedule),
near-duplicate link, entities; revisited pages that are gone are marked. A batch that
fails is retried item by item, so one bad row costs only itself. Each worker keeps one
database engine for its life.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler import db, discovery
from crawler.db.engine import create_engine_for
from crawler.enrich import PageJob, PageResult, process_page, warm_up

logger = logging.getLogger(__name__)
STORED = ("new", "updated")
_ENGINES: dict[str, Engine] = {}


@dataclass(frozen=True)
class PageIn:
    url: str
    body: bytes
    encoding: str | None
    status: int
    fetched_at: datetime
    discovered_via: str | None
    source_modified_at: datetime | None = None


@dataclass(frozen=True)
class GoneIn:
    url: str
    seen_at: datetime


@dataclass(frozen=True)
class BatchJob:
    db_url: str
    site_id: int
    run_id: int
    pages: list[PageIn | GoneIn]
    family: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    province: str | None = None
    id_pattern: str | None = None
    entities: bool = False
    keep_html: bool = True
    group_duplicates: bool = True


@dataclass
class BatchResult:
    outcomes: Counter[str] = field(default_factory=Counter)
    stats: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)


def _engine(url: str) -> Engine:
    """The worker's engine for ``url``; the crawl process has already migrated it."""
    if url not in _ENGINES:
        _ENGINES[url] = create_engine_for(url)
    return _ENGINES[url]


def worker_count(value: Any) -> int:
    """``PROVNEWS_WORKERS``: a number (0: extract in the crawl process), or empty / ``auto``
    for one per CPU this process may use."""
    if value in (None, "", "auto"):
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"PROVNEWS_WORKERS must be a number or 'auto', got {value!r}") from None
    if count < 0:
        raise ValueError(f"PROVNEWS_WORKERS must be 0 or more, got {count}")
    return count


def worker_niceness(value: Any) -> int:
    """``PROVNEWS_WORKER_NICE``: how much lower the workers' CPU priority is than the crawl
    process's (0-19, as ``nice``)."""
    try:
        niceness = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"PROVNEWS_WORKER_NICE must be a number from 0 to 19, got {value!r}") from None
    if not 0 <= niceness <= 19:
        raise ValueError(f"PROVNEWS_WORKER_NICE must be from 0 to 19, got {niceness}")
    return niceness


def worker_init(entities: bool, niceness: int = 0) -> None:
    """Start a worker: lower its priority (the crawl process feeds every worker, so a worker
    must not take the crawl process's CPU), then load what its pages need."""
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    warm_up(entities)


def write_batch(job: BatchJob) -> BatchResult:
    """Extract every page of the batch, then store them all in one transaction."""
    result = BatchResult()
    extracted: list[tuple[PageIn | GoneIn, PageResult | None]] = []
    for page in job.pages:
        extracted.append((page, _extract(job, page, result) if isinstance(page, PageIn) else None))
    engine = _engine(job.db_url)
    try:
        with Session(engine) as session, session.begin():
            outcomes: list[str | None] = list(_write(session, job, extracted, result.stats))
    except Exception:
        logger.exception("a batch of %d pages failed; storing them one by one", len(extracted))
        outcomes = [_write_alone(engine, job, page, res, result) for page, res in extracted]
    result.outcomes.update(o for o in outcomes if o is not None)
    trim_heap()
    return result


def trim_heap() -> None:
    """Give freed heap back to the system after a batch (glibc ``malloc_trim``): a batch's
    60-100 KB pages and their trees leave holes that otherwise keep a long-lived worker's
    resident memory growing (the crawl process, whose responses are as large, trims after
    handing each batch over: -15 MB at 5,000 pages). A no-op where there is no glibc."""
    if _LIBC:
        _LIBC[0].malloc_trim(0)


def _load_libc() -> list[Any]:
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return [libc] if hasattr(libc, "malloc_trim") else []
    except OSError:
        return []


_LIBC = _load_libc()


def _extract(job: BatchJob, page: PageIn, result: BatchResult) -> PageResult:
    res = process_page(PageJob(body=page.body, url=page.url, fetched_at=page.fetched_at,
                               family=job.family, selectors=job.selectors,
                               province=job.province, entities=job.entities))
    if res.entity_error:
        result.stats["provnews/entities/errors"] += 1
        logger.error("entities of %s not extracted: %s", page.url, res.entity_error)
    for problem in res.article.problems:
        result.stats["provnews/extract/problems"] += 1
        result.stats[f"provnews/extract/problem/{problem.split(':')[0][:40]}"] += 1
    return res


def _write_alone(engine: Engine, job: BatchJob, page: PageIn | GoneIn, res: PageResult | None,
                 result: BatchResult) -> str | None:
    try:
        with Session(engine) as session, session.begin():
            return _write(session, job, [(page, res)], result.stats)[0]
    except Exception as exc:
        result.stats["provnews/failed"] += 1
        result.stats["provnews/errors/store_error"] += 1
        result.failures.append({"url": page.url, "kind": "store_error", "http_status": None,
                                "message": f"{type(exc).__name__}: {exc}"[:500],
                                "at": datetime.now(UTC)})
        return None


def _write(session: Session, job: BatchJob, extracted: list[tuple[PageIn | GoneIn, PageResult | None]],
           stats: Counter[str]) -> list[str]:
    """Store the pages (``db.store_fetched``: a few statements for the whole batch), their
    entities, and mark the gone ones; one outcome per item, in order."""
    pages = [(i, page, res) for i, (page, res) in enumerate(extracted)
             if isinstance(page, PageIn) and res is not None]
    stored = db.store_fetched(session, site_id=job.site_id, run_id=job.run_id, items=[
        db.Fetched(article=res.article, raw_html=page.body if job.keep_html else b"",
                   encoding=page.encoding, http_status=page.status,
                   discovered_via=page.discovered_via, seen_at=page.fetched_at,
                   identity=discovery.article_identity(page.url, job.id_pattern),
                   source_modified_at=page.source_modified_at,
                   sketch=res.sketch if job.group_duplicates else None)
        for _i, page, res in pages
    ])
    outcomes: dict[int, str] = {}
    entities: dict[bool, list[tuple[int, Any]]] = {True: [], False: []}  # by "just inserted"
    for (i, _page, res), done in zip(pages, stored, strict=True):
        outcomes[i] = done.outcome
        if done.duplicate_of is not None:
            stats["provnews/near_duplicates"] += 1
        if done.outcome in STORED and res.entities is not None:
            entities[done.outcome == "new"].append((done.article_id, res.entities))
    for fresh, items in entities.items():  # all the batch's entities in a few statements
        stats["provnews/entities/articles"] += len(items)
        stats["provnews/entities/mentions"] += db.store_entities_many(session, items, fresh=fresh)
    for i, (page, _res) in enumerate(extracted):
        if isinstance(page, GoneIn):
            outcomes[i] = db.mark_missing(session, page.url, page.seen_at)
    return [outcomes[i] for i in range(len(extracted))]
