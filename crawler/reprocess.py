"""Re-extract stored articles from their raw HTML (after a parser improves).

Rows are read in id order, a page of ``batch`` at a time (no long read transaction),
extracted in a process pool, and written back through the normal upsert: a changed
extraction becomes a new version with a diff, an unchanged one costs one UPDATE.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler import db
from crawler.enrich import PageJob, PageResult, process_page
from crawler.registry import load_registry


@dataclass(frozen=True)
class StoredPage:
    id: int
    site_key: str
    url: str
    last_seen_at: object
    http_status: int | None
    encoding: str | None
    discovered_via: str | None
    site_id: int


def _pages(engine: Engine, site_key: str | None, batch: int) -> Iterator[list[tuple[StoredPage, bytes]]]:
    last = 0
    a, s = db.ArticleRow, db.SiteRow
    while True:
        stmt = (
            sa.select(a.id, s.key, a.url, a.last_seen_at, a.http_status, a.raw_encoding,
                      a.discovered_via, a.site_id, a.raw_html)
            .join(s, s.id == a.site_id).where(a.id > last, a.raw_html.is_not(None))
            .order_by(a.id).limit(batch)
        )
        if site_key:
            stmt = stmt.where(s.key == site_key)
        with Session(engine) as session:
            rows = session.execute(stmt).all()
        if not rows:
            return
        last = rows[-1][0]
        yield [(StoredPage(*row[:8]), db.decompress_html(row[8]) or b"") for row in rows]


def reprocess(db_url: str | None, *, site_key: str | None = None, workers: int = 2,
              batch: int = 200, entities: bool = False,
              progress: Callable[[Counter[str]], None] | None = None) -> Counter[str]:
    """Re-extract every stored article (of one site); returns outcome counts."""
    engine = db.open_database(db_url)
    sites = load_registry()
    counts: Counter[str] = Counter()
    pool = (ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            if workers > 0 else None)
    try:
        for page in _pages(engine, site_key, batch):
            jobs = [_job(stored, body, sites, entities) for stored, body in page]
            mapper = pool.map if pool else map
            results = list(mapper(process_page, jobs))
            _write(engine, page, results, counts)
            if progress:
                progress(counts)
    finally:
        if pool:
            pool.shutdown()
        engine.dispose()
    return counts


def _job(stored: StoredPage, body: bytes, sites: dict, entities: bool) -> PageJob:
    site = sites.get(stored.site_key)
    return PageJob(body=body, url=stored.url, fetched_at=stored.last_seen_at,  # type: ignore[arg-type]
                   family=site.family if site else None,
                   selectors=dict(site.selectors) if site else {},
                   province=site.province if site else None, entities=entities)


def _write(engine: Engine, page: list[tuple[StoredPage, bytes]], results: list[PageResult],
           counts: Counter[str]) -> None:
    with Session(engine) as session, session.begin():
        for (stored, body), result in zip(page, results, strict=True):
            outcome = db.upsert_article(
                session, site_id=stored.site_id, run_id=None, article=result.article, raw_html=body,
                encoding=stored.encoding, http_status=stored.http_status or 200,
                discovered_via=stored.discovered_via, seen_at=stored.last_seen_at,  # type: ignore[arg-type]
            )
            if outcome == "updated" and result.entities is not None:
                db.store_entities(session, stored.id, result.entities)  # type: ignore[arg-type]
            counts[outcome] += 1
