"""Read helpers for the CLI. Each takes the session first and loads what it returns.

Returned rows have their ``site`` loaded; every other relationship raises on access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, defer, joinedload

from crawler.db.models import ArticleRow, CrawlRunRow, SiteRow


@dataclass(frozen=True)
class SiteSummary:
    """A site row with how many articles it has and when it was last crawled."""

    id: int
    key: str
    name: str
    base_url: str
    province: str
    level: str
    family: str
    status: str
    created_at: datetime
    article_count: int
    last_run_at: datetime | None


def list_sites(session: Session) -> list[SiteSummary]:
    """Every site, by key, with its article count and latest run start."""
    articles = (
        sa.select(sa.func.count(ArticleRow.id)).where(ArticleRow.site_id == SiteRow.id).scalar_subquery()
    )
    last_run = (
        sa.select(sa.func.max(CrawlRunRow.started_at))
        .where(CrawlRunRow.site_id == SiteRow.id)
        .scalar_subquery()
    )
    stmt = sa.select(SiteRow, articles, last_run).order_by(SiteRow.key)
    out = []
    for site, count, last_run_at in session.execute(stmt):
        out.append(
            SiteSummary(
                id=site.id,
                key=site.key,
                name=site.name,
                base_url=site.base_url,
                province=site.province,
                level=site.level,
                family=site.family,
                status=site.status,
                created_at=site.created_at,
                article_count=count,
                last_run_at=last_run_at,
            )
        )
    return out


def _site_filter(stmt: sa.Select, site_key: str | None) -> sa.Select:
    if site_key is None:
        return stmt
    return stmt.join(SiteRow).where(SiteRow.key == site_key)


def list_articles(session: Session, site_key: str | None = None, limit: int = 20) -> list[ArticleRow]:
    """The newest articles by publication time (undated last), without raw HTML."""
    stmt = sa.select(ArticleRow).options(
        joinedload(ArticleRow.site), defer(ArticleRow.raw_html, raiseload=True)
    )
    # Undated articles go last: sorting them by first sighting would put them above real news.
    order = (ArticleRow.published_at.desc().nulls_last(), ArticleRow.first_seen_at.desc(),
             ArticleRow.id.desc())
    stmt = _site_filter(stmt, site_key).order_by(*order).limit(limit)
    return list(session.scalars(stmt))


def get_article(session: Session, id_or_url: int | str) -> ArticleRow | None:
    """One article by id (an int or a string of digits), canonical URL or fetched URL."""
    stmt = sa.select(ArticleRow).options(joinedload(ArticleRow.site))
    if isinstance(id_or_url, int) or id_or_url.isdigit():
        return session.scalars(stmt.where(ArticleRow.id == int(id_or_url))).first()
    by_canonical = session.scalars(stmt.where(ArticleRow.canonical_url == id_or_url)).first()
    if by_canonical is not None:
        return by_canonical
    by_url = stmt.where(ArticleRow.url == id_or_url).order_by(ArticleRow.id)
    return session.scalars(by_url).first()


def list_runs(session: Session, site_key: str | None = None, limit: int = 20) -> list[CrawlRunRow]:
    """The latest crawl runs, newest first."""
    stmt = sa.select(CrawlRunRow).options(joinedload(CrawlRunRow.site))
    stmt = _site_filter(stmt, site_key)
    stmt = stmt.order_by(CrawlRunRow.started_at.desc(), CrawlRunRow.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def count_articles(session: Session, site_key: str | None = None) -> int:
    stmt = _site_filter(sa.select(sa.func.count(ArticleRow.id)), site_key)
    return session.execute(stmt).scalar_one()
