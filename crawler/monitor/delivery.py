"""Delivering pending alerts: instant (one message per alert) or digest (one message per
watchlist and target), with retries that back off.

A delivery that fails stays pending with its error and a later ``next_attempt_at``; it
is never dropped. Each message's outcome is committed right after it is sent, so a crash
cannot send it twice (this module commits, unlike the store functions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.db.models import ArticleRow, SiteRow
from crawler.db.monitor_models import AlertDeliveryRow, AlertRow, WatchlistRow
from crawler.monitor.filters import VN
from crawler.monitor.notify import send, target_id

BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
KIND_LABELS = {"new": "new article", "updated": "edited article", "removed": "removed article"}


@dataclass
class DeliveryReport:
    sent: int = 0
    """Messages sent (a digest is one message)."""
    alerts: int = 0
    """Alert deliveries completed."""
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts`` (5 min, 10 min, 20 min... at most 6 h)."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _pending(session: Session, now: datetime) -> list[sa.Row]:
    stmt = (
        sa.select(AlertDeliveryRow, AlertRow.kind, AlertRow.matched, AlertRow.version, WatchlistRow,
                  ArticleRow.title, ArticleRow.canonical_url, ArticleRow.published_at, SiteRow.key)
        .join(AlertRow, AlertRow.id == AlertDeliveryRow.alert_id)
        .join(WatchlistRow, WatchlistRow.id == AlertRow.watchlist_id)
        .join(ArticleRow, ArticleRow.id == AlertRow.article_id)
        .join(SiteRow, SiteRow.id == ArticleRow.site_id)
        .where(AlertDeliveryRow.delivered_at.is_(None), AlertDeliveryRow.next_attempt_at <= now)
        .order_by(AlertRow.id, AlertDeliveryRow.id)
    )  # fmt: skip
    return list(session.execute(stmt))


def describe(row: sa.Row) -> str:
    """One alert as lines of text."""
    published = row.published_at.astimezone(VN).strftime("%Y-%m-%d %H:%M") if row.published_at else "undated"
    version = f", version {row.version}" if row.kind == "updated" else ""
    return (f"{KIND_LABELS[row.kind].capitalize()}{version}: {row.title or '(no title)'}\n"
            f"{row.key} · {published}\n{row.canonical_url}\nMatched: {', '.join(row.matched)}")  # fmt: skip


def _message(rows: list[sa.Row]) -> tuple[str, str]:
    name = rows[0].WatchlistRow.name
    if len(rows) == 1 and rows[0].WatchlistRow.mode == "instant":
        r = rows[0]
        return f"[provnews] {name}: {KIND_LABELS[r.kind]} - {r.title or r.canonical_url}", describe(r)
    return f"[provnews] {name}: {len(rows)} alerts", "\n\n".join(describe(r) for r in rows)


def _groups(rows: list[sa.Row], digest: bool) -> list[list[sa.Row]]:
    """Instant alerts one by one; digest alerts per (watchlist, target), only when ``digest``."""
    groups: dict[tuple[int, str], list[sa.Row]] = {}
    out = []
    for row in rows:
        if row.WatchlistRow.mode == "instant":
            out.append([row])
        elif digest:
            groups.setdefault((row.WatchlistRow.id, row.AlertDeliveryRow.target), []).append(row)
    return out + list(groups.values())


def deliver(session: Session, now: datetime, environ: Mapping[str, str], *,
            digest: bool = False) -> DeliveryReport:  # fmt: skip
    """Send every pending delivery that is due; with ``digest`` also the digests."""
    report = DeliveryReport()
    for group in _groups(_pending(session, now), digest):
        w = group[0].WatchlistRow
        urls = {target_id(u): u for u in w.targets}
        url = urls.get(group[0].AlertDeliveryRow.target)
        title, body = _message(group)
        error = send(url, title, body, environ) if url else "target no longer on the watchlist"
        for row in group:
            d = row.AlertDeliveryRow
            d.attempts += 1
            if error is None:
                d.delivered_at, d.last_error = now, None
            else:
                d.last_error, d.next_attempt_at = error, now + backoff(d.attempts)
        session.commit()
        if error is None:
            report.sent += 1
            report.alerts += len(group)
        else:
            report.failed += len(group)
            report.errors.append(f"{w.name}: {error}")
    return report
