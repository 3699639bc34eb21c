"""The daily report's content: what was collected on one day (Vietnam's calendar) and over
the 30 days before it, who and where it was about, watchlist hits and site health.

``daily_report`` gathers the numbers; ``crawler.monitor.report_render`` draws the charts
and writes HTML and Markdown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from crawler.db.entity_models import AdminUnitRow, EntityMentionRow, PersonRoleRow, PersonRow
from crawler.db.models import ArticleRow, ArticleVersionRow, SiteRow
from crawler.db.monitor_models import AlertRow, WatchlistRow
from crawler.monitor.filters import VN, article_time, day_start
from crawler.monitor.health import SiteHealth, site_health

WINDOW_DAYS = 30
TOP = 10


@dataclass
class PersonOfDay:
    name: str
    articles: int
    roles: list[str]


@dataclass
class PlaceOfDay:
    name: str
    articles: int
    unit: str
    """The unit it resolved to, current (2025) name first, then the pre-2025 one."""


@dataclass
class WatchHits:
    watchlist: str
    counts: dict[str, int]
    titles: list[str]


@dataclass
class DailyReport:
    day: date
    days: list[date]
    per_day_province: dict[str, list[int]]
    """Province -> articles per day of ``days`` (by publication, else first-seen, date)."""
    per_site: dict[str, int]
    """Site key -> articles over the window."""
    changes: dict[str, int]
    """Versions stored on the day: new and edited articles; articles removed that day."""
    people: list[PersonOfDay] = field(default_factory=list)
    places: list[PlaceOfDay] = field(default_factory=list)
    watch_hits: list[WatchHits] = field(default_factory=list)
    health: list[SiteHealth] = field(default_factory=list)

    @property
    def articles_of_day(self) -> int:
        return sum(counts[-1] for counts in self.per_day_province.values())


def _volume(session: Session, days: list[date]) -> tuple[dict[str, list[int]], dict[str, int]]:
    start, end = day_start(days[0]), day_start(days[-1] + timedelta(days=1))
    when = article_time().label("at")
    stmt = (sa.select(when, SiteRow.province, SiteRow.key).join(SiteRow, SiteRow.id == ArticleRow.site_id)
            .where(when >= start, when < end))  # fmt: skip
    index = {d: i for i, d in enumerate(days)}
    provinces: dict[str, list[int]] = {}
    sites: Counter[str] = Counter()
    for at, province, key in session.execute(stmt.execution_options(yield_per=2000)):
        i = index.get(at.astimezone(VN).date())
        if i is None:
            continue
        provinces.setdefault(province or "(unknown)", [0] * len(days))[i] += 1
        sites[key] += 1
    return provinces, dict(sites.most_common())


def _changes(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    v = ArticleVersionRow
    in_day = sa.and_(v.captured_at >= start, v.captured_at < end)
    new = session.scalar(sa.select(sa.func.count()).where(in_day, v.version == 1)) or 0
    edited = session.scalar(sa.select(sa.func.count()).where(in_day, v.version > 1)) or 0
    removed = session.scalar(sa.select(sa.func.count()).where(
        ArticleRow.removed_at >= start, ArticleRow.removed_at < end)) or 0  # fmt: skip
    return {"new": new, "edited": edited, "removed": removed}


def _day_articles(start: datetime, end: datetime) -> sa.Select:
    when = article_time()
    return sa.select(ArticleRow.id).where(when >= start, when < end)


def _people(session: Session, start: datetime, end: datetime) -> list[PersonOfDay]:
    m = EntityMentionRow
    ids = _day_articles(start, end)
    n = sa.func.count(sa.distinct(m.article_id))
    stmt = (sa.select(PersonRow.id, PersonRow.name, n).join(PersonRow, m.person_id == PersonRow.id)
            .where(m.article_id.in_(ids)).group_by(PersonRow.id, PersonRow.name)
            .order_by(n.desc(), PersonRow.name).limit(TOP))  # fmt: skip
    out = []
    for person_id, name, count in session.execute(stmt):
        roles = session.scalars(sa.select(PersonRoleRow.role).distinct().where(
            PersonRoleRow.person_id == person_id, PersonRoleRow.article_id.in_(ids)))  # fmt: skip
        out.append(PersonOfDay(name, count, sorted(roles)))
    return out


def _places(session: Session, start: datetime, end: datetime) -> list[PlaceOfDay]:
    m = EntityMentionRow
    new, old = aliased(AdminUnitRow), aliased(AdminUnitRow)
    n = sa.func.count(sa.distinct(m.article_id))
    stmt = (sa.select(m.normalized, new.name, old.name, n)
            .outerjoin(new, m.unit_2025_id == new.id).outerjoin(old, m.unit_2024_id == old.id)
            .where(m.label == "LOC", m.resolved.is_(True), m.article_id.in_(_day_articles(start, end)))
            .group_by(m.normalized, new.name, old.name)
            .order_by(n.desc(), m.normalized).limit(TOP))  # fmt: skip
    out = []
    for name, unit_2025, unit_2024, count in session.execute(stmt):
        unit = unit_2025 or ""
        if unit_2024 and unit_2024 != unit_2025:
            unit = f"{unit} (before 2025: {unit_2024})" if unit else f"before 2025: {unit_2024}"
        out.append(PlaceOfDay(name, count, unit))
    return out


def _watch_hits(session: Session, start: datetime, end: datetime) -> list[WatchHits]:
    rows = session.execute(
        sa.select(WatchlistRow.name, AlertRow.kind, ArticleRow.title)
        .join(WatchlistRow, WatchlistRow.id == AlertRow.watchlist_id)
        .join(ArticleRow, ArticleRow.id == AlertRow.article_id)
        .where(AlertRow.created_at >= start, AlertRow.created_at < end)
        .order_by(WatchlistRow.name, AlertRow.id)
    )  # fmt: skip
    hits: dict[str, WatchHits] = {}
    for name, kind, title in rows:
        entry = hits.setdefault(name, WatchHits(name, dict.fromkeys(("new", "updated", "removed"), 0), []))
        entry.counts[kind] += 1
        if len(entry.titles) < 5 and title:
            entry.titles.append(title)
    return list(hits.values())


def daily_report(session: Session, day: date) -> DailyReport:
    """Everything the daily report shows for ``day`` (a date in Vietnam's calendar)."""
    days = [day - timedelta(days=WINDOW_DAYS - 1 - i) for i in range(WINDOW_DAYS)]
    start, end = day_start(day), day_start(day + timedelta(days=1))
    per_province, per_site = _volume(session, days)
    return DailyReport(
        day=day, days=days, per_day_province=per_province, per_site=per_site,
        changes=_changes(session, start, end), people=_people(session, start, end),
        places=_places(session, start, end), watch_hits=_watch_hits(session, start, end),
        health=site_health(session, end),
    )  # fmt: skip
