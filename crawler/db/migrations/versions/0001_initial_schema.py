"""Initial schema: site, crawl_run, crawl_error, article.

Revision ID: 0001
Revises:
Create Date: 2025-11-26

Written by hand against ``crawler.db.models``; constraint names follow its
``NAMING_CONVENTION``. Timestamps are plain ``DateTime(timezone=True)`` here: the
UTC handling lives in the model's ``UTCDateTime`` type and needs no DDL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("province", sa.Text(), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("family", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", Timestamp, server_default=sa.func.current_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_site"),
        sa.UniqueConstraint("key", name="uq_site__key"),
    )
    op.create_table(
        "crawl_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("started_at", Timestamp, nullable=False),
        sa.Column("ended_at", Timestamp, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("discovered", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("stored_new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("error_summary", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('running', 'ok', 'partial', 'failed')", name="ck_crawl_run__status"),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name="fk_crawl_run__site_id__site"),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_run"),
    )
    op.create_index("ix_crawl_run__site_id_started_at", "crawl_run", ["site_id", "started_at"])
    op.create_table(
        "crawl_error",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_run.id"],
            name="fk_crawl_error__crawl_run_id__crawl_run",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_error"),
    )
    op.create_index("ix_crawl_error__crawl_run_id", "crawl_error", ["crawl_run_id"])
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published_at", Timestamp, nullable=True),
        sa.Column("published_raw", sa.Text(), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("raw_html", sa.LargeBinary(), nullable=True),
        sa.Column("raw_encoding", sa.String(64), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", Timestamp, nullable=False),
        sa.Column("last_seen_at", Timestamp, nullable=False),
        sa.Column("last_changed_at", Timestamp, nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("discovered_via", sa.String(16), nullable=True),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "discovered_via IS NULL OR discovered_via IN ('feed', 'sitemap', 'listing')",
            name="ck_article__discovered_via",
        ),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"], ["crawl_run.id"], name="fk_article__crawl_run_id__crawl_run"
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name="fk_article__site_id__site"),
        sa.PrimaryKeyConstraint("id", name="pk_article"),
        sa.UniqueConstraint("canonical_url", name="uq_article__canonical_url"),
    )
    op.create_index("ix_article__crawl_run_id", "article", ["crawl_run_id"])
    op.create_index("ix_article__site_id_published_at", "article", ["site_id", "published_at"])


def downgrade() -> None:
    op.drop_table("article")
    op.drop_table("crawl_error")
    op.drop_table("crawl_run")
    op.drop_table("site")
