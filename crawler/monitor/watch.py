"""Watchlists: saved queries evaluated against new article versions and removals.

An article version matches a watchlist when it is in scope (its site is one of ``sites``
and its province one of ``provinces``, when given) and any content criterion matches: a
keyword (diacritic-insensitive unless ``exact``; whole words, as a phrase), a person, a
place (a unit also matches its equivalents across the July 2025 reform) or an
organisation (from the entities stored for the article). With no content criterion,
everything in scope matches.

``evaluate`` raises each alert once: versions are taken after the watchlist's watermark
and the ``alert`` table's unique key (watchlist, article, version, kind) holds against
races. Each alert gets one delivery row per target (see ``crawler.monitor.delivery``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crawler.db.entity_queries import org_mentions, person_mentions, place_mentions
from crawler.db.models import ArticleRow, ArticleVersionRow, SiteRow
from crawler.db.monitor_models import DELIVERY_MODES, AlertDeliveryRow, AlertRow, WatchlistRow
from crawler.entities.gazetteer import name_key
from crawler.monitor.filters import provinces_like
from crawler.monitor.notify import check_target, target_id
from crawler.monitor.text import contains_phrase, fold, words

BATCH = 500


@dataclass(frozen=True)
class WatchSpec:
    keywords: Sequence[str] = ()
    exact: bool = False
    people: Sequence[str] = ()
    places: Sequence[str] = ()
    organizations: Sequence[str] = ()
    sites: Sequence[str] = ()
    provinces: Sequence[str] = ()
    targets: Sequence[str] = ()
    mode: str = "instant"


def add_watchlist(session: Session, name: str, spec: WatchSpec, *, now: datetime,
                  from_start: bool = False) -> WatchlistRow:  # fmt: skip
    """Save a watchlist. It alerts on versions stored from now on (``from_start``: on every
    stored version too). Raises ``NotifyError`` for an unusable target, ``ValueError``
    for a duplicate name or a bad mode."""
    if spec.mode not in DELIVERY_MODES:
        raise ValueError(f"mode must be one of {', '.join(DELIVERY_MODES)}")
    if session.scalar(sa.select(WatchlistRow.id).where(WatchlistRow.name == name)) is not None:
        raise ValueError(f"a watchlist named {name!r} exists already")
    for target in spec.targets:
        check_target(target)
    watermark = 0 if from_start else session.scalar(sa.select(sa.func.max(ArticleVersionRow.id))) or 0
    row = WatchlistRow(
        name=name, keywords=list(spec.keywords), exact=spec.exact, people=list(spec.people),
        places=list(spec.places), organizations=list(spec.organizations), sites=list(spec.sites),
        provinces=list(spec.provinces), targets=list(spec.targets), mode=spec.mode, created_at=now,
        checked_version_id=watermark,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def remove_watchlist(session: Session, name: str) -> bool:
    """Delete a watchlist with its alerts; False when there is none of that name."""
    row = session.scalars(sa.select(WatchlistRow).where(WatchlistRow.name == name)).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def list_watchlists(session: Session) -> list[WatchlistRow]:
    return list(session.scalars(sa.select(WatchlistRow).order_by(WatchlistRow.name)))


@dataclass
class Matcher:
    """A watchlist compiled for matching one text at a time."""

    watchlist: WatchlistRow
    keywords: list[tuple[str, list[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        norm = self._norm
        self.keywords = [(k, words(norm(k))) for k in self.watchlist.keywords if words(norm(k))]

    def _norm(self, text: str) -> str:
        return name_key(text) if self.watchlist.exact else fold(text)

    def keyword_hits(self, *parts: str | None) -> list[str]:
        if not self.keywords:
            return []
        text = words(self._norm("\n".join(p for p in parts if p)))
        return [f"keyword: {k}" for k, phrase in self.keywords if contains_phrase(text, phrase)]


def _entity_hits(session: Session, w: WatchlistRow, article_ids: set[int]) -> dict[int, list[str]]:
    """Article id -> the people, places and organisations of ``w`` it names."""
    out: dict[int, list[str]] = {}
    if not article_ids:
        return out
    queries = ([(f"person: {n}", person_mentions(n)) for n in w.people]
               + [(f"place: {n}", place_mentions(n)) for n in w.places]
               + [(f"organisation: {n}", org_mentions(n)) for n in w.organizations])  # fmt: skip
    for label, query in queries:
        ids = query.subquery().c.article_id
        found = session.scalars(sa.select(ids).distinct().where(ids.in_(article_ids)))
        for article_id in found:
            out.setdefault(article_id, []).append(label)
    return out


def _scoped(session: Session, w: WatchlistRow, stmt: sa.Select) -> sa.Select:
    if w.sites:
        stmt = stmt.where(SiteRow.key.in_(w.sites))
    if w.provinces:
        stmt = stmt.where(SiteRow.province.in_([p for q in w.provinces for p in provinces_like(session, q)]))
    return stmt


def _insert_ignore(session: Session, table: sa.Table) -> sa.Insert:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))


def raise_alert(session: Session, w: WatchlistRow, article_id: int, version: int, kind: str,
                matched: list[str], now: datetime) -> bool:  # fmt: skip
    """Record the alert and its pending deliveries; False if it was raised before."""
    stmt = _insert_ignore(session, AlertRow.__table__).values(  # type: ignore[arg-type]
        watchlist_id=w.id, article_id=article_id, version=version, kind=kind, created_at=now,
        matched=matched,
    ).on_conflict_do_nothing().returning(AlertRow.__table__.c.id)  # type: ignore[attr-defined]
    alert_id = session.execute(stmt).scalar()
    if alert_id is None:
        return False
    for target in w.targets:
        session.add(AlertDeliveryRow(alert_id=alert_id, target=target_id(target), attempts=0,
                                     next_attempt_at=now))  # fmt: skip
    session.flush()
    return True


def _matches(session: Session, matcher: Matcher, rows: list[sa.Row]) -> dict[int, list[str]]:
    """Row index -> what matched, for the rows (with title, lead, text, article_id) that match."""
    w = matcher.watchlist
    entities = _entity_hits(session, w, {r.article_id for r in rows})
    has_content = bool(w.keywords or w.people or w.places or w.organizations)
    out = {}
    for i, r in enumerate(rows):
        hits = matcher.keyword_hits(r.title, r.lead, r.text) + entities.get(r.article_id, [])
        if hits or not has_content:
            out[i] = hits or ["in scope"]
    return out


def _in_scope(session: Session, w: WatchlistRow, stmt: sa.Select) -> sa.Select:
    stmt = stmt.join(SiteRow, SiteRow.id == ArticleRow.site_id)
    return _scoped(session, w, stmt)


def _versions(session: Session, w: WatchlistRow, after: int, top: int) -> list[sa.Row]:
    v = ArticleVersionRow
    stmt = sa.select(v.id, v.article_id, v.version, v.title, v.lead, v.text)
    stmt = _in_scope(session, w, stmt.join(ArticleRow, ArticleRow.id == v.article_id))
    return list(session.execute(stmt.where(v.id > after, v.id <= top).order_by(v.id).limit(BATCH)))


def _removals(session: Session, w: WatchlistRow) -> list[sa.Row]:
    """Articles removed since the watchlist was saved and not yet alerted as removed."""
    a = ArticleRow
    alerted = sa.select(AlertRow.id).where(
        AlertRow.watchlist_id == w.id, AlertRow.article_id == a.id,
        AlertRow.version == a.version_count, AlertRow.kind == "removed",
    )  # fmt: skip
    stmt = sa.select(a.id.label("article_id"), a.version_count.label("version"), a.title, a.lead, a.text)
    stmt = stmt.where(a.status == "removed", a.removed_at >= w.created_at, ~alerted.exists())
    return list(session.execute(_in_scope(session, w, stmt).order_by(a.id)))


def evaluate(session: Session, now: datetime) -> dict[str, int]:
    """Raise the alerts of every watchlist for versions and removals not yet evaluated;
    return how many of each kind were raised. Flushes; the caller commits."""
    counts = dict.fromkeys(("new", "updated", "removed"), 0)
    top = session.scalar(sa.select(sa.func.max(ArticleVersionRow.id))) or 0
    for w in list_watchlists(session):
        matcher = Matcher(w)
        while rows := _versions(session, w, w.checked_version_id, top):
            for i, matched in _matches(session, matcher, rows).items():
                row = rows[i]
                kind = "new" if row.version == 1 else "updated"
                counts[kind] += raise_alert(session, w, row.article_id, row.version, kind, matched, now)
            w.checked_version_id = rows[-1].id
        w.checked_version_id = max(w.checked_version_id, top)
        rows = _removals(session, w)
        for i, matched in _matches(session, matcher, rows).items():
            counts["removed"] += raise_alert(session, w, rows[i].article_id, rows[i].version, "removed",
                                             matched, now)  # fmt: skip
    session.flush()
    return counts


def recent_matches(session: Session, w: WatchlistRow, limit: int = 200) -> list[sa.Row]:
    """Of the ``limit`` latest stored articles in scope, those the watchlist matches."""
    a = ArticleRow
    stmt = sa.select(a.id.label("article_id"), a.title, a.lead, a.text, a.canonical_url)
    rows = list(session.execute(_in_scope(session, w, stmt).order_by(a.id.desc()).limit(limit)))
    return [rows[i] for i in sorted(_matches(session, Matcher(w), rows))]
