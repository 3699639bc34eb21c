"""Re-extract stored articles from their raw HTML (after a parser improves).

The parent walks the ids (a page of ``batch`` at a time, no long read transaction) and
hands each id range to a worker process, which reads those rows itself (no page bodies
are pickled), decompresses and extracts them, and compares the content digest and the
canonical URL with the stored ones: an unchanged article costs no write at all. Only
changed articles come back; the parent, the single writer, stores each through the
normal upsert (a new version with a diff) in one transaction per batch. Fewer than
``IN_PROCESS_BELOW`` rows are done in this process: starting workers would cost more.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler import db
from crawler.batch import worker_count
from crawler.db.engine import create_engine_for
from crawler.discovery import normalize_url
from crawler.enrich import PageJob, PageResult, process_page, warm_up
from crawler.extract import extract_article
from crawler.extract.model import Article
from crawler.extract.overrides import apply_selectors
from crawler.registry import Site, load_registry

IN_PROCESS_BELOW = 200
"""Rows under which no workers are started: measured, two forked workers only catch up with
this process at about 150 rows (and spawned ones, where fork is missing, start in ~1 s)."""


@dataclass(frozen=True)
class StoredPage:
    id: int
    site_key: str
    url: str
    last_seen_at: datetime
    http_status: int | None
    encoding: str | None
    discovered_via: str | None
    site_id: int
    canonical_url: str
    content_hash: str | None


@dataclass
class Changed:
    """A stored article whose extraction now differs: what the parent needs to write it."""

    stored: StoredPage
    body: bytes | None
    """The raw HTML when the article's key moved (a new row needs it), else None: the
    stored HTML stays as it is, not recompressed."""
    result: PageResult


def extract_stored(job: PageJob) -> Article:
    """``process_page``'s article without its near-duplicate sketch (a quarter of its time),
    which re-processing does not store."""
    article = extract_article(job.body, job.url, fetched_at=job.fetched_at, family=job.family)
    if job.selectors:
        article = apply_selectors(article, job.body, job.selectors, now=job.fetched_at)
    article.canonical_url = normalize_url(article.canonical_url or job.url)
    return article


def _ids(site_key: str | None) -> sa.Select:
    a, s = db.ArticleRow, db.SiteRow
    stmt = sa.select(a.id).where(a.raw_html.is_not(None))
    if site_key:
        stmt = stmt.join(s, s.id == a.site_id).where(s.key == site_key)
    return stmt


def _id_ranges(engine: Engine, site_key: str | None, batch: int) -> Iterator[tuple[int, int]]:
    """(first, last) id of each page of ``batch`` rows to re-process, in id order."""
    last = 0
    a = db.ArticleRow
    while True:
        with Session(engine) as session:
            ids = session.scalars(_ids(site_key).where(a.id > last).order_by(a.id)
                                  .limit(batch)).all()
        if not ids:
            return
        last = ids[-1]
        yield ids[0], last


def _at_least(engine: Engine, site_key: str | None, limit: int) -> bool:
    """Whether there are at least ``limit`` rows to re-process (without counting them all)."""
    with Session(engine) as session:
        found = session.scalar(sa.select(sa.func.count()).select_from(
            _ids(site_key).limit(limit).subquery()))
    return (found or 0) >= limit


class Reader:
    """Reads, extracts and compares the rows of an id range (in a worker or in-process)."""

    def __init__(self, engine: Engine, site_key: str | None, entities: bool):
        self.engine, self.site_key, self.entities = engine, site_key, entities
        self.sites: dict[str, Site] = load_registry()

    def rows(self, lo: int, hi: int) -> list[tuple[StoredPage, bytes]]:
        a, s = db.ArticleRow, db.SiteRow
        stmt = (
            sa.select(a.id, s.key, a.url, a.last_seen_at, a.http_status, a.raw_encoding,
                      a.discovered_via, a.site_id, a.canonical_url, a.content_hash, a.raw_html)
            .join(s, s.id == a.site_id).where(a.id.between(lo, hi), a.raw_html.is_not(None))
            .order_by(a.id)
        )
        if self.site_key:
            stmt = stmt.where(s.key == self.site_key)
        with Session(self.engine) as session:
            rows = session.execute(stmt).all()
        return [(StoredPage(*row[:10]), db.decompress_html(row[10]) or b"") for row in rows]

    def job(self, stored: StoredPage, body: bytes) -> PageJob:
        site = self.sites.get(stored.site_key)
        return PageJob(body=body, url=stored.url, fetched_at=stored.last_seen_at,
                       family=site.family if site else None,
                       selectors=dict(site.selectors) if site else {},
                       province=site.province if site else None, entities=self.entities)

    def extract(self, bounds: tuple[int, int]) -> tuple[int, list[Changed]]:
        """(number unchanged, the changed ones) of the rows with ids in ``bounds``.

        Unchanged means what ``upsert_article`` would call unchanged: same canonical URL
        and same ``content_hash`` of the same fields."""
        unchanged, changed = 0, []
        for stored, body in self.rows(*bounds):
            job = self.job(stored, body)
            article = extract_stored(job)
            digest = db.content_hash(article.title, article.text, article.published_at, article.author)
            key = article.canonical_url or article.url
            if digest == stored.content_hash and key == stored.canonical_url:
                unchanged += 1
                continue
            # Entities are stored for changed articles only: extract them for those alone.
            result = process_page(job) if self.entities else PageResult(article=article, sketch=[])
            changed.append(Changed(stored, body if key != stored.canonical_url else None, result))
        return unchanged, changed


_reader: Reader | None = None
"""The worker process's reader, made by ``_start_worker``."""


def _start_worker(db_url: str, site_key: str | None, entities: bool) -> None:
    global _reader
    warm_up(entities)
    engine = create_engine_for(db_url)
    multiprocessing.util.Finalize(engine, engine.dispose, exitpriority=10)  # close, not drop, at exit
    _reader = Reader(engine, site_key, entities)


def _extract_in_worker(bounds: tuple[int, int]) -> tuple[int, list[Changed]]:
    assert _reader is not None, "worker not started"
    return _reader.extract(bounds)


def reprocess(db_url: str | None, *, site_key: str | None = None, workers: int | None = None,
              batch: int = 100, entities: bool = False,
              progress: Callable[[Counter[str]], None] | None = None) -> Counter[str]:
    """Re-extract every stored article (of one site); returns outcome counts.

    ``workers``: extraction processes (default: one per CPU; 0: in this process).
    """
    url = db.resolve_database_url(db_url)
    engine = db.open_database(url)
    counts: Counter[str] = Counter()
    workers = worker_count("auto") if workers is None else workers
    try:
        if workers > 0 and _at_least(engine, site_key, IN_PROCESS_BELOW):
            results = _in_pool(engine, url, site_key, workers, batch, entities)
        else:
            results = _in_process(engine, site_key, batch, entities)
        with closing(results):
            for unchanged, changed in results:
                if unchanged:
                    counts["unchanged"] += unchanged
                if changed:
                    _write(engine, changed, counts)
                if progress:
                    progress(counts)
    finally:
        engine.dispose()
    return counts


def _in_process(engine: Engine, site_key: str | None, batch: int,
                entities: bool) -> Generator[tuple[int, list[Changed]], None, None]:
    reader = Reader(engine, site_key, entities)
    for bounds in _id_ranges(engine, site_key, batch):
        yield reader.extract(bounds)


def _in_pool(engine: Engine, url: str, site_key: str | None, workers: int, batch: int,
             entities: bool) -> Generator[tuple[int, list[Changed]], None, None]:
    """Results of the id ranges extracted by ``workers`` processes, in id order.

    Forked (no re-import, so no start-up cost to amortise), after closing this process's
    connections so no child inherits one; a few ranges are kept queued per worker.
    """
    ranges = _id_ranges(engine, site_key, batch)
    ahead = [r for _, r in zip(range(workers * 3), ranges, strict=False)]
    engine.dispose()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=_start_worker, initargs=(url, site_key, entities))
    try:
        queued: deque[Future[tuple[int, list[Changed]]]] = deque(
            pool.submit(_extract_in_worker, r) for r in ahead)
        while queued:
            result = queued.popleft().result()
            following = next(ranges, None)
            if following:
                queued.append(pool.submit(_extract_in_worker, following))
            yield result
    finally:
        pool.shutdown(cancel_futures=True)


def _write(engine: Engine, changed: list[Changed], counts: Counter[str]) -> None:
    """Store the changed articles in one transaction (``db.store_fetched``: new versions
    with diffs, a few statements for the whole batch)."""
    with Session(engine) as session, session.begin():
        by_site: dict[int, list[Changed]] = {}
        for item in changed:
            by_site.setdefault(item.stored.site_id, []).append(item)
        for site_id, items in by_site.items():
            done = db.store_fetched(session, site_id=site_id, run_id=None, items=[
                db.Fetched(article=item.result.article, raw_html=item.body,
                           encoding=item.stored.encoding, http_status=item.stored.http_status or 200,
                           discovered_via=item.stored.discovered_via,
                           seen_at=item.stored.last_seen_at)  # type: ignore[arg-type]
                for item in items
            ])
            for item, stored in zip(items, done, strict=True):
                if stored.outcome in ("new", "updated") and item.result.entities is not None:
                    db.store_entities(session, stored.article_id, item.result.entities)  # type: ignore[arg-type]
                counts[stored.outcome] += 1
