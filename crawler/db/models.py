"""The database schema as SQLAlchemy 2.0 typed models.

Table names are singular snake_case. Constraint names come from
``NAMING_CONVENTION`` so migrations can name (and on SQLite, batch-alter) them.
Relationships are ``lazy="raise"``: queries say what they load.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crawler.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s__%(column_0_N_name)s",
    "uq": "uq_%(table_name)s__%(column_0_N_name)s",
    "ck": "ck_%(table_name)s__%(constraint_name)s",
    "fk": "fk_%(table_name)s__%(column_0_N_name)s__%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

RUN_STATUSES = ("running", "ok", "partial", "failed", "timed_out", "skipped", "missed")
RUN_TRIGGERS = ("manual", "schedule")
DISCOVERY_SOURCES = ("feed", "sitemap", "listing")
RUN_COUNTS = ("discovered", "fetched", "stored_new", "updated", "unchanged", "removed", "failed")
ARTICLE_STATUSES = ("active", "removed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
    }


class SiteRow(Base):
    """One registry site, mirrored so articles and runs can point at it."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name: Mapped[str] = mapped_column(sa.Text)
    base_url: Mapped[str] = mapped_column(sa.Text)
    province: Mapped[str] = mapped_column(sa.Text)
    level: Mapped[str] = mapped_column(sa.String(32))
    family: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.current_timestamp())
    """Set by the database clock when the row is first inserted."""

    articles: Mapped[list[ArticleRow]] = relationship(back_populates="site", lazy="raise")
    runs: Mapped[list[CrawlRunRow]] = relationship(back_populates="site", lazy="raise")


class ArticleRow(Base):
    """One article, keyed on its canonical URL, with its raw HTML kept compressed."""

    __tablename__ = "article"
    __table_args__ = (
        sa.CheckConstraint(
            "discovered_via IS NULL OR " + _one_of("discovered_via", DISCOVERY_SOURCES),
            name="discovered_via",
        ),
        sa.Index(None, "site_id", "published_at"),
        sa.Index(None, "site_id", "next_check_at"),
        sa.Index(None, "site_id", "identity"),
        sa.CheckConstraint(_one_of("status", ARTICLE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    url: Mapped[str] = mapped_column(sa.Text)
    """The URL as fetched."""
    canonical_url: Mapped[str] = mapped_column(sa.Text, unique=True)
    """Identity of the article: the page's canonical URL, else the fetched URL."""
    identity: Mapped[str | None] = mapped_column(sa.Text)
    """What discovery calls the article (``discovery.article_identity``): ``id:<n>`` where
    the family puts an id in the URL (NukeViet), else the normalised URL."""
    title: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None]
    published_raw: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime | None]
    """Update time shown on the page (not when this row changed: see last_changed_at)."""
    author: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str | None] = mapped_column(sa.Text)
    lead: Mapped[str | None] = mapped_column(sa.Text)
    text: Mapped[str | None] = mapped_column(sa.Text)
    category: Mapped[str | None] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    """Hex sha256 of the NFC title and text (see ``store.content_hash``)."""
    raw_html: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    """The response body exactly as fetched, zstd-compressed (older rows hold zlib: both are read)."""
    raw_encoding: Mapped[str | None] = mapped_column(sa.String(64))
    http_status: Mapped[int | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_changed_at: Mapped[datetime]
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Field name -> extraction layer that produced it."""
    discovered_via: Mapped[str | None] = mapped_column(sa.String(16))
    """How the URL was first found: feed, sitemap or listing."""
    crawl_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crawl_run.id"), index=True)
    """The run that stored the current content."""

    status: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")
    """``active``, or ``removed`` after two consecutive checks found it gone (404/410)."""
    removed_at: Mapped[datetime | None]
    missing_checks: Mapped[int] = mapped_column(default=0, server_default="0")
    """Consecutive revisits that found the article gone."""
    next_check_at: Mapped[datetime | None]
    """When the revisit policy wants the article fetched again (see ``crawler.revisit``)."""
    version_count: Mapped[int] = mapped_column(default=1, server_default="1")
    source_modified_at: Mapped[datetime | None]
    """The site's own last-modified time for the article (sitemap ``lastmod``) as last seen."""
    duplicate_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("article.id", ondelete="SET NULL"), index=True
    )
    """The first stored article of its near-duplicate group (a syndicated copy's original)."""
    duplicate_similarity: Mapped[float | None] = mapped_column(sa.Float)

    site: Mapped[SiteRow] = relationship(back_populates="articles", lazy="raise")
    versions: Mapped[list[ArticleVersionRow]] = relationship(
        back_populates="article", lazy="raise", order_by="ArticleVersionRow.version"
    )

    @property
    def site_key(self) -> str:
        """The site's registry key (needs ``site`` loaded, as the query helpers do)."""
        return self.site.key


class CrawlRunRow(Base):
    """One crawl of one site, with its counters and error counts by kind."""

    __tablename__ = "crawl_run"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", RUN_STATUSES), name="status"),
        sa.Index(None, "site_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="running")
    discovered: Mapped[int] = mapped_column(default=0)
    fetched: Mapped[int] = mapped_column(default=0)
    stored_new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Error counts by kind, e.g. ``{"http_500": 12, "timeout": 1}``."""
    error_summary: Mapped[str | None] = mapped_column(sa.Text)
    removed: Mapped[int] = mapped_column(default=0, server_default="0")
    scheduled_at: Mapped[datetime | None]
    """When the scheduler meant the run to start (None for a manual crawl)."""
    trigger: Mapped[str] = mapped_column(sa.String(16), default="manual", server_default="manual")
    """``manual`` (provnews crawl) or ``schedule`` (the scheduler service)."""
    report: Mapped[dict[str, Any] | None]
    """The crawl report: discovered per channel, HTTP status counts, requests, skips."""

    site: Mapped[SiteRow] = relationship(back_populates="runs", lazy="raise")

    @property
    def site_key(self) -> str:
        """The site's registry key (needs ``site`` loaded, as the query helpers do)."""
        return self.site.key

    error_records: Mapped[list[CrawlErrorRow]] = relationship(
        back_populates="crawl_run", lazy="raise", order_by="CrawlErrorRow.id"
    )


class CrawlErrorRow(Base):
    """One failure during a run (a URL that could not be fetched or parsed)."""

    __tablename__ = "crawl_error"

    id: Mapped[int] = mapped_column(primary_key=True)
    crawl_run_id: Mapped[int] = mapped_column(sa.ForeignKey("crawl_run.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(64))
    """http_status, timeout, dns, parse, ..."""
    http_status: Mapped[int | None]
    message: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime]

    crawl_run: Mapped[CrawlRunRow] = relationship(back_populates="error_records", lazy="raise")


class ArticleVersionRow(Base):
    """One stored version of an article's extracted fields (version 1 = first sighting)."""

    __tablename__ = "article_version"
    __table_args__ = (sa.UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"))
    version: Mapped[int]
    captured_at: Mapped[datetime]
    crawl_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crawl_run.id"))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None]
    author: Mapped[str | None] = mapped_column(sa.Text)
    lead: Mapped[str | None] = mapped_column(sa.Text)
    text: Mapped[str | None] = mapped_column(sa.Text)
    category: Mapped[str | None] = mapped_column(sa.Text)
    diff: Mapped[str | None] = mapped_column(sa.Text)
    """Unified diff of the extracted fields against the previous version (None for v1)."""

    article: Mapped[ArticleRow] = relationship(back_populates="versions", lazy="raise")


class FetchStateRow(Base):
    """Validators of a discovery URL (feed, sitemap, listing) for conditional GETs."""

    __tablename__ = "fetch_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    url: Mapped[str] = mapped_column(sa.Text, unique=True)
    etag: Mapped[str | None] = mapped_column(sa.Text)
    last_modified: Mapped[str | None] = mapped_column(sa.Text)
    http_status: Mapped[int | None]
    fetched_at: Mapped[datetime]


class ArticleSketchRow(Base):
    """One LSH band key of an article's near-duplicate sketch (``crawler.dedupe``), indexed
    for the candidate lookup (16 per article; the signature is one ``article_signature``
    row)."""

    __tablename__ = "article_sketch"

    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    hash: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, index=True)


class ArticleSignatureRow(Base):
    """An article's near-duplicate signature (``crawler.dedupe``: ``BINS`` values of 56 bits),
    packed as little-endian 64-bit integers: read whole for a candidate, never searched."""

    __tablename__ = "article_signature"

    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary)


class SchedulerLeaseRow(Base):
    """A named lease: one scheduler service per database (renewed by a heartbeat)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.Text)
    """Who holds it: host name and process id."""
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
