"""Article filters shared by search, export and the report: site, province, person,
place, and a date range in Vietnam's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.db.entity_queries import person_mentions, place_mentions
from crawler.db.models import ArticleRow, SiteRow
from crawler.monitor.text import fold

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def day_start(day: date) -> datetime:
    """Midnight in Asia/Ho_Chi_Minh at the start of ``day`` (aware)."""
    return datetime.combine(day, time(0), tzinfo=VN)


def article_time() -> sa.ColumnElement[datetime]:
    """When an article appeared: its publication time, else when it was first seen."""
    column = ArticleRow.first_seen_at
    return sa.func.coalesce(ArticleRow.published_at, column, type_=column.type)


@dataclass(frozen=True)
class ArticleFilter:
    """Every given criterion must hold. Dates are whole days in Vietnam's time, inclusive."""

    site: str | None = None
    province: str | None = None
    """Province of the site, matched without diacritics or case ("son la" = "Sơn La")."""
    person: str | None = None
    place: str | None = None
    """A place also matches its units before/after the July 2025 reform."""
    since: date | None = None
    until: date | None = None

    def apply(self, session: Session, stmt: sa.Select, *, joined_site: bool = False) -> sa.Select:
        """``stmt`` (selecting from ``article``) narrowed to this filter."""
        if self.site or self.province:
            if not joined_site:
                stmt = stmt.join(SiteRow, SiteRow.id == ArticleRow.site_id)
            if self.site:
                stmt = stmt.where(SiteRow.key == self.site)
            if self.province:
                stmt = stmt.where(SiteRow.province.in_(provinces_like(session, self.province)))
        if self.person:
            stmt = stmt.where(ArticleRow.id.in_(person_mentions(self.person)))
        if self.place:
            stmt = stmt.where(ArticleRow.id.in_(place_mentions(self.place)))
        if self.since:
            stmt = stmt.where(article_time() >= day_start(self.since))
        if self.until:
            stmt = stmt.where(article_time() < day_start(self.until + timedelta(days=1)))
        return stmt


def provinces_like(session: Session, name: str) -> list[str]:
    """The stored province names equal to ``name`` without diacritics and case."""
    wanted = fold(" ".join(name.split()))
    stored = session.scalars(sa.select(SiteRow.province).distinct())
    return [p for p in stored if fold(" ".join(p.split())) == wanted]
