"""Monitoring tables: saved watchlists, the alerts they raised and their deliveries.

An alert is raised at most once per watchlist, article version and kind (``new``,
``updated``, ``removed``): the unique constraint is what makes "exactly once" hold when
two evaluations race. Each alert has one delivery row per notification target, so a
target that failed is retried later without re-sending to the ones that succeeded.

The full-text index (``article_fts``) is not a model: it is an FTS5 virtual table on
SQLite and a ``tsvector`` table on PostgreSQL, both kept in sync with ``article`` by
triggers (migration 0006, see ``crawler.monitor.search``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crawler.db.models import ArticleRow, Base, _one_of

ALERT_KINDS = ("new", "updated", "removed")
DELIVERY_MODES = ("instant", "digest")


class WatchlistRow(Base):
    """A saved query. Content criteria (keywords, people, places, organisations) match
    when any one matches; scope criteria (sites, provinces) restrict when given."""

    __tablename__ = "watchlist"
    __table_args__ = (sa.CheckConstraint(_one_of("mode", DELIVERY_MODES), name="mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    keywords: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    exact: Mapped[bool] = mapped_column(default=False)
    """Keywords must match with their diacritics (case still ignored)."""
    people: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    places: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    """Place names or codes; a unit also matches its equivalents across the 2025 reform."""
    organizations: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    sites: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    provinces: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    targets: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    """Apprise URLs; ``${NAME}`` in them is read from the environment when sending."""
    mode: Mapped[str] = mapped_column(sa.String(16), default="instant")
    created_at: Mapped[datetime]
    checked_version_id: Mapped[int] = mapped_column(default=0)
    """Highest ``article_version.id`` already evaluated against this watchlist."""

    alerts: Mapped[list[AlertRow]] = relationship(back_populates="watchlist", lazy="raise")


class AlertRow(Base):
    """One article version (or removal) that matched one watchlist."""

    __tablename__ = "alert"
    __table_args__ = (
        sa.UniqueConstraint("watchlist_id", "article_id", "version", "kind"),
        sa.CheckConstraint(_one_of("kind", ALERT_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    watchlist_id: Mapped[int] = mapped_column(sa.ForeignKey("watchlist.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(index=True)
    matched: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    """What matched, e.g. ``["keyword: Quỳnh Nhai", "place: xã Mường Giàng"]``."""

    watchlist: Mapped[WatchlistRow] = relationship(back_populates="alerts", lazy="raise")
    article: Mapped[ArticleRow] = relationship(lazy="raise")
    deliveries: Mapped[list[AlertDeliveryRow]] = relationship(back_populates="alert", lazy="raise")


class AlertDeliveryRow(Base):
    """Sending one alert to one target: pending until ``delivered_at`` is set."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        sa.UniqueConstraint("alert_id", "target"),
        sa.Index(None, "delivered_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(sa.ForeignKey("alert.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(sa.String(64))
    """sha256 (hex, 16 chars) of the target URL as saved (before ``${NAME}`` expansion)."""
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime]
    """Not retried before this time (backs off after each failure)."""

    alert: Mapped[AlertRow] = relationship(back_populates="deliveries", lazy="raise")
