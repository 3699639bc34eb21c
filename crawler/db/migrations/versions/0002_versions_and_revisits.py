"""Article versions, removals, revisit schedule, conditional-GET state, run reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("status", sa.String(16), server_default="active", nullable=False))
        batch.add_column(sa.Column("removed_at", Timestamp, nullable=True))
        batch.add_column(sa.Column("missing_checks", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("next_check_at", Timestamp, nullable=True))
        batch.add_column(sa.Column("version_count", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("source_modified_at", Timestamp, nullable=True))
        batch.create_check_constraint("status", "status IN ('active', 'removed')")
        batch.create_index("ix_article__site_id_next_check_at", ["site_id", "next_check_at"])
    with op.batch_alter_table("crawl_run") as batch:
        batch.add_column(sa.Column("removed", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("report", sa.JSON(), nullable=True))
    op.create_table(
        "article_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("captured_at", Timestamp, nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published_at", Timestamp, nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_article_version__article_id__article",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"], ["crawl_run.id"], name="fk_article_version__crawl_run_id__crawl_run"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_article_version"),
        sa.UniqueConstraint("article_id", "version", name="uq_article_version__article_id_version"),
    )
    op.create_table(
        "fetch_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("fetched_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name="fk_fetch_state__site_id__site"),
        sa.PrimaryKeyConstraint("id", name="pk_fetch_state"),
        sa.UniqueConstraint("url", name="uq_fetch_state__url"),
    )


def downgrade() -> None:
    op.drop_table("fetch_state")
    op.drop_table("article_version")
    with op.batch_alter_table("crawl_run") as batch:
        batch.drop_column("report")
        batch.drop_column("removed")
    with op.batch_alter_table("article") as batch:
        batch.drop_index("ix_article__site_id_next_check_at")
        batch.drop_constraint(op.f("ck_article__status"), type_="check")
        batch.drop_column("source_modified_at")
        batch.drop_column("version_count")
        batch.drop_column("next_check_at")
        batch.drop_column("missing_checks")
        batch.drop_column("removed_at")
        batch.drop_column("status")
