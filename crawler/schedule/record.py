"""The scheduler's reads and writes of ``crawl_run`` (session first; the caller commits)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.db.models import ArticleRow, CrawlRunRow, SiteRow
from crawler.registry import Site

SUMMARY_MAX = 500


def last_scheduled(session: Session) -> dict[str, datetime]:
    """The latest due time recorded per site for scheduled runs (any status)."""
    latest = sa.func.max(CrawlRunRow.scheduled_at, type_=CrawlRunRow.__table__.c.scheduled_at.type)
    stmt = (sa.select(SiteRow.key, latest)
            .join(CrawlRunRow, CrawlRunRow.site_id == SiteRow.id)
            .where(CrawlRunRow.trigger == "schedule", CrawlRunRow.scheduled_at.is_not(None))
            .group_by(SiteRow.key))
    return {key: value for key, value in session.execute(stmt) if value is not None}


def max_run_id(session: Session) -> int:
    return session.scalar(sa.select(sa.func.max(CrawlRunRow.id))) or 0


def record_run(session: Session, site: Site, *, status: str, scheduled_at: datetime,
               started_at: datetime, ended_at: datetime, summary: str | None) -> int:
    """A run the crawl itself did not record (skipped, missed, or a child that never
    started its run): one ``crawl_run`` row with trigger ``schedule``."""
    site_id = db.ensure_site(session, site)
    run_id = db.start_run(session, site_id, started_at, scheduled_at=scheduled_at, trigger="schedule")
    db.finish_run(session, run_id, ended_at=ended_at, status=status, counts={}, errors={},
                  error_summary=_short(summary))
    return run_id


def child_run(session: Session, site_key: str, after_id: int) -> CrawlRunRow | None:
    """The run row a scheduled child crawl wrote: the first of the site after ``after_id``
    that is not one of the scheduler's own skipped/missed records (one scheduled crawl
    runs per site at a time)."""
    stmt = (sa.select(CrawlRunRow).join(SiteRow, CrawlRunRow.site_id == SiteRow.id)
            .where(SiteRow.key == site_key, CrawlRunRow.id > after_id,
                   CrawlRunRow.status.not_in(("skipped", "missed")))
            .order_by(CrawlRunRow.id).limit(1))
    return session.scalar(stmt)


def close_child_run(row: CrawlRunRow, *, scheduled_at: datetime, status: str | None, ended_at: datetime,
                    note: str | None) -> None:
    """Complete a child's own row: mark it scheduled (if the crawl did not), and overrule it
    for a time limit, a kill or a crash the crawl could not record."""
    row.trigger = "schedule"
    if row.scheduled_at is None:
        row.scheduled_at = scheduled_at
    if status:
        row.status = status
    if row.ended_at is None:
        row.ended_at = ended_at
    if note:
        row.error_summary = _short(f"{note}; {row.error_summary}" if row.error_summary else note)


def sites_due_revisit(session: Session, keys: list[str], now: datetime) -> list[str]:
    """Sites (among ``keys``) with a stored active article whose re-check is due."""
    stmt = (sa.select(SiteRow.key).join(ArticleRow, ArticleRow.site_id == SiteRow.id)
            .where(SiteRow.key.in_(keys), ArticleRow.status == "active", ArticleRow.next_check_at <= now)
            .group_by(SiteRow.key).order_by(SiteRow.key))
    return list(session.scalars(stmt))


def _short(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"
