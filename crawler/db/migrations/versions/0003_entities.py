"""Entities: person, person_role, admin_unit, organization, entity_mention.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}__{column}__{target}", ondelete=ondelete
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}__{column}", table, [column])


def _people_and_units() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("province", sa.String(100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fold", sa.String(200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person"),
        sa.UniqueConstraint("key", "province", name="uq_person__key_province"),
    )
    _indexes("person", "fold")
    op.create_table(
        "person_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("seen_at", Timestamp, nullable=False),
        _fk("person_role", "person_id", "person", "CASCADE"),
        _fk("person_role", "article_id", "article", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_person_role"),
        sa.UniqueConstraint(
            "person_id", "article_id", "role", name="uq_person_role__person_id_article_id_role"
        ),
    )
    _indexes("person_role", "article_id")
    op.create_index("ix_person_role__person_id_seen_at", "person_role", ["person_id", "seen_at"])
    op.create_table(
        "admin_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(4), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("parent_code", sa.String(8), nullable=True),
        sa.Column("successor_codes", sa.JSON(), nullable=True),
        sa.CheckConstraint("system IN ('2024', '2025')", name="ck_admin_unit__system"),
        sa.CheckConstraint("tier IN ('province', 'district', 'commune')", name="ck_admin_unit__tier"),
        sa.PrimaryKeyConstraint("id", name="pk_admin_unit"),
        sa.UniqueConstraint("system", "code", name="uq_admin_unit__system_code"),
    )
    _indexes("admin_unit", "key")


def _orgs_and_mentions() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("province", sa.String(100), nullable=False),
        sa.Column("district", sa.String(100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fold", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organization"),
        sa.UniqueConstraint("key", "province", "district", name="uq_organization__key_province_district"),
    )
    _indexes("organization", "fold")
    op.create_table(
        "entity_mention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(3), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_2024_id", sa.Integer(), nullable=True),
        sa.Column("unit_2025_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(32), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.CheckConstraint("label IN ('PER', 'LOC', 'ORG')", name="ck_entity_mention__label"),
        _fk("entity_mention", "article_id", "article", "CASCADE"),
        _fk("entity_mention", "person_id", "person", "SET NULL"),
        _fk("entity_mention", "unit_2024_id", "admin_unit"),
        _fk("entity_mention", "unit_2025_id", "admin_unit"),
        _fk("entity_mention", "organization_id", "organization", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_entity_mention"),
    )
    _indexes("entity_mention", "article_id", "person_id", "unit_2024_id", "unit_2025_id", "organization_id")


def upgrade() -> None:
    _people_and_units()
    _orgs_and_mentions()


def downgrade() -> None:
    for table in ("entity_mention", "organization", "admin_unit", "person_role", "person"):
        op.drop_table(table)
