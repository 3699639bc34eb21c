"""Site health from the stored run history, each site against its own past.

Per site: the last run and the last successful one; freshness (hours since a run last
stored a new article, against the site's usual gap between such runs); the item count
(articles discovered) of the last run against the rolling median; field coverage (the
share of the articles stored by a run that have a date, an author, a body: a drop means
the layout changed); the HTTP error mix; article URLs fetched from another domain
(the site moved). Verdicts are ``alert`` (``provnews health`` exits 1), ``warn`` or ``ok``.
Nothing reads the clock: ``now`` is passed in.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.db.models import ArticleRow, ArticleVersionRow, CrawlRunRow, SiteRow

RAN = ("ok", "partial", "failed", "timed_out")
"""Run statuses of crawls that actually ran (not skipped or missed by the scheduler)."""
COVERAGE_FIELDS = ("date", "author", "body")


@dataclass(frozen=True)
class Thresholds:
    history_runs: int = 30
    """Runs of history per site that item counts and coverage compare against."""
    rhythm_window: timedelta = timedelta(days=30)
    min_history: int = 3
    """Fewer comparable past runs than this: no verdict on that measure yet."""
    items_tolerance: float = 0.5
    """Flag a last run that discovered fewer than (1 - tolerance) x the median."""
    freshness_factor: float = 2.0
    freshness_floor: timedelta = timedelta(hours=24)
    """Never flag freshness before this: a quiet night is not an outage."""
    coverage_drop: float = 0.3
    """Flag a field whose share fell by more than this below its usual share."""
    coverage_min_sample: int = 3
    """Runs that stored fewer articles than this say nothing about coverage."""


@dataclass
class RunFacts:
    id: int
    started_at: datetime
    status: str
    discovered: int
    stored_new: int
    errors: dict[str, int]
    report: dict[str, Any]
    stored: int = 0
    """Versions this run stored (new articles and edits)."""
    shares: dict[str, float] = field(default_factory=dict)

    @property
    def all_not_modified(self) -> bool:
        """Every discovery URL answered 304: nothing to count, not a drop."""
        not_modified = sum((self.report.get("not_modified_by_channel") or {}).values())
        return self.discovered == 0 and not_modified > 0


@dataclass
class SiteHealth:
    key: str
    name: str
    province: str
    last_run_at: datetime | None = None
    last_status: str | None = None
    last_success_at: datetime | None = None
    last_new_at: datetime | None = None
    hours_since_new: float | None = None
    freshness_limit_hours: float | None = None
    items: int | None = None
    items_median: float | None = None
    coverage: dict[str, float] | None = None
    coverage_usual: dict[str, float] | None = None
    http_errors: dict[str, int] = field(default_factory=dict)
    moved_to: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "alert" if self.alerts else "warn" if self.warnings else "ok"


def _runs(session: Session, site_id: int, now: datetime, limit: int) -> list[RunFacts]:
    """The site's last ``limit`` runs that ran, newest first, with what each stored."""
    rows = session.execute(
        sa.select(CrawlRunRow.id, CrawlRunRow.started_at, CrawlRunRow.status, CrawlRunRow.discovered,
                  CrawlRunRow.stored_new, CrawlRunRow.errors, CrawlRunRow.report)
        .where(CrawlRunRow.site_id == site_id, CrawlRunRow.status.in_(RAN), CrawlRunRow.started_at <= now)
        .order_by(CrawlRunRow.started_at.desc(), CrawlRunRow.id.desc()).limit(limit)
    ).all()  # fmt: skip
    runs = [RunFacts(r.id, r.started_at, r.status, r.discovered, r.stored_new, r.errors or {}, r.report or {})
            for r in rows]  # fmt: skip
    _add_coverage(session, runs)
    return runs


def _add_coverage(session: Session, runs: list[RunFacts]) -> None:
    v = ArticleVersionRow
    has = {
        "date": v.published_at.is_not(None),
        "author": sa.func.length(sa.func.coalesce(v.author, "")) > 0,
        "body": sa.func.length(sa.func.coalesce(v.text, "")) > 0,
    }
    counts = [sa.func.count(sa.case((cond, 1))).label(name) for name, cond in has.items()]
    stmt = sa.select(v.crawl_run_id, sa.func.count().label("n"), *counts)
    stmt = stmt.where(v.crawl_run_id.in_([r.id for r in runs])).group_by(v.crawl_run_id)
    by_run = {row.crawl_run_id: row for row in session.execute(stmt)}
    for run in runs:
        row = by_run.get(run.id)
        if row is not None and row.n:
            run.stored = row.n
            run.shares = {name: getattr(row, name) / row.n for name in COVERAGE_FIELDS}


def _productive_times(session: Session, site_id: int, now: datetime, window: timedelta) -> list[datetime]:
    """Start times of runs that stored a new article, oldest first: within ``window``, plus
    the latest one before it (so a long silence still has a last-new time)."""
    base = sa.select(CrawlRunRow.started_at).where(
        CrawlRunRow.site_id == site_id, CrawlRunRow.stored_new > 0, CrawlRunRow.started_at <= now
    )
    recent = list(session.scalars(base.where(CrawlRunRow.started_at >= now - window)
                                  .order_by(CrawlRunRow.started_at)))  # fmt: skip
    if not recent:
        latest = session.scalar(base.order_by(CrawlRunRow.started_at.desc()).limit(1))
        return [latest] if latest else []
    return recent


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def _freshness(h: SiteHealth, times: list[datetime], now: datetime, t: Thresholds) -> None:
    if not times:
        return
    h.last_new_at = times[-1]
    h.hours_since_new = (now - times[-1]).total_seconds() / 3600
    gaps = [(b - a).total_seconds() / 3600 for a, b in pairwise(times)]
    if len(gaps) < t.min_history:
        return
    h.freshness_limit_hours = max(t.freshness_factor * _p90(gaps), t.freshness_floor.total_seconds() / 3600)
    if h.hours_since_new > h.freshness_limit_hours:
        h.alerts.append(f"freshness: no new article for {h.hours_since_new:.0f} h "
                        f"(usual gap up to {_p90(gaps):.0f} h)")  # fmt: skip


def _items(h: SiteHealth, runs: list[RunFacts], t: Thresholds) -> None:
    counted = [r for r in runs if r.status in ("ok", "partial") and not r.all_not_modified]
    if not counted:
        return
    h.items = counted[0].discovered
    past = [r.discovered for r in counted[1:]]
    if len(past) < t.min_history:
        return
    h.items_median = statistics.median(past)
    if h.items_median > 0 and h.items < h.items_median * (1 - t.items_tolerance):
        h.alerts.append(f"items: last run discovered {h.items}, usually {h.items_median:g}")


def _coverage(h: SiteHealth, runs: list[RunFacts], t: Thresholds) -> None:
    sampled = [r for r in runs if r.stored >= t.coverage_min_sample]
    if not sampled:
        return
    h.coverage = sampled[0].shares
    past = sampled[1:]
    if len(past) < 2:
        return
    h.coverage_usual = {f: statistics.median(r.shares[f] for r in past) for f in COVERAGE_FIELDS}
    dropped = [f for f in COVERAGE_FIELDS
               if h.coverage[f] < h.coverage_usual[f] - t.coverage_drop]  # fmt: skip
    if dropped:
        detail = ", ".join(f"{f} {h.coverage[f]:.0%} (usually {h.coverage_usual[f]:.0%})" for f in dropped)
        h.alerts.append(f"coverage: {detail}")


def _errors(h: SiteHealth, last: RunFacts) -> None:
    mix: Counter[str] = Counter()
    for status, n in (last.report.get("http_status_counts") or {}).items():
        if str(status)[:1] in ("4", "5"):
            mix[f"http_{status}"] += int(n)
    for kind, n in last.errors.items():
        if not kind.startswith("http_"):
            mix[kind] += int(n)
    h.http_errors = dict(mix.most_common())
    if last.status in ("failed", "timed_out"):
        h.alerts.append(f"failing: last run {last.status}")
    elif last.status == "partial":
        h.warnings.append("partial: last run had failures")


def _hosts(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _moved(session: Session, h: SiteHealth, base_url: str, last: RunFacts) -> None:
    home = _hosts(base_url)
    urls = session.scalars(sa.select(ArticleRow.url).where(ArticleRow.crawl_run_id == last.id))
    h.moved_to = sorted({host for url in urls if (host := _hosts(url)) and host != home})
    if h.moved_to:
        h.alerts.append(f"redirect: articles now served from {', '.join(h.moved_to)}")


def site_health(session: Session, now: datetime, *, site: str | None = None,
                thresholds: Thresholds | None = None) -> list[SiteHealth]:  # fmt: skip
    """Health of every site with a run (or just ``site``), by key."""
    t = thresholds or Thresholds()
    stmt = sa.select(SiteRow).where(SiteRow.id.in_(sa.select(CrawlRunRow.site_id))).order_by(SiteRow.key)
    if site is not None:
        stmt = stmt.where(SiteRow.key == site)
    out = []
    for row in session.scalars(stmt):
        h = SiteHealth(row.key, row.name, row.province)
        runs = _runs(session, row.id, now, t.history_runs)
        if runs:
            last = runs[0]
            h.last_run_at, h.last_status = last.started_at, last.status
            h.last_success_at = next((r.started_at for r in runs if r.status in ("ok", "partial")), None)
            _errors(h, last)
            _items(h, runs, t)
            _coverage(h, runs, t)
            _moved(session, h, row.base_url, last)
        _freshness(h, _productive_times(session, row.id, now, t.rhythm_window), now, t)
        out.append(h)
    return out
