"""Article identity (a family's URL id, else the URL) for incremental lookups by batch.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

Crawls used to load every stored URL of a site into memory; they now ask the database,
one discovery page at a time, which of its URLs (or their ids) are known.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("identity", sa.Text(), nullable=True))
        batch.create_index("ix_article__site_id_identity", ["site_id", "identity"])
    # Rows stored before: their URL is their identity (a family id is set on the next fetch;
    # until then lookups also match the URL and the canonical URL).
    op.execute("UPDATE article SET identity = canonical_url WHERE identity IS NULL")


def downgrade() -> None:
    bind = op.get_bind()
    # A SQLite batch rebuild of `article` drops its triggers (0006's search index): keep them.
    triggers = [row[0] for row in bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'article'"
    )] if bind.dialect.name == "sqlite" else []
    with op.batch_alter_table("article") as batch:
        batch.drop_index("ix_article__site_id_identity")
        batch.drop_column("identity")
    for sql in triggers:
        op.execute(sql)
