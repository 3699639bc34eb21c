"""Near-duplicate groups: article sketches and a link to the group's first article.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duplicate_similarity", sa.Float(), nullable=True))
        batch.create_foreign_key(
            "fk_article__duplicate_of_id__article", "article", ["duplicate_of_id"], ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_article__duplicate_of_id", ["duplicate_of_id"])
    op.create_table(
        "article_sketch",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_article_sketch__article_id__article",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "hash", name="pk_article_sketch"),
    )
    op.create_index("ix_article_sketch__hash", "article_sketch", ["hash"])


def downgrade() -> None:
    op.drop_table("article_sketch")
    with op.batch_alter_table("article") as batch:
        batch.drop_index("ix_article__duplicate_of_id")
        batch.drop_constraint(op.f("fk_article__duplicate_of_id__article"), type_="foreignkey")
        batch.drop_column("duplicate_similarity")
        batch.drop_column("duplicate_of_id")
