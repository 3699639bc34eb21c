"""Scheduler bookkeeping: scheduled runs (timed out, skipped, missed) and a service lease.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
OLD = "status IN ('running', 'ok', 'partial', 'failed')"
NEW = "status IN ('running', 'ok', 'partial', 'failed', 'timed_out', 'skipped', 'missed')"


def _status_checks() -> list[str]:
    """Names of the CHECK constraints on crawl_run.status as the database has them (SQLite's
    batch rebuilds re-apply the naming convention, so the name is not always the one given)."""
    checks = sa.inspect(op.get_bind()).get_check_constraints("crawl_run")
    return [str(ck["name"]) for ck in checks if ck.get("name") and "status" in ck["sqltext"]]


def upgrade() -> None:
    names = _status_checks()
    with op.batch_alter_table("crawl_run") as batch:
        batch.add_column(sa.Column("scheduled_at", Timestamp, nullable=True))
        batch.add_column(sa.Column("trigger", sa.String(16), server_default="manual", nullable=False))
        for name in names:
            batch.drop_constraint(op.f(name), type_="check")
        batch.create_check_constraint("status", NEW)
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("acquired_at", Timestamp, nullable=False),
        sa.Column("heartbeat_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scheduler_lease"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_lease")
    names = _status_checks()
    with op.batch_alter_table("crawl_run") as batch:
        for name in names:
            batch.drop_constraint(op.f(name), type_="check")
        batch.create_check_constraint("status", OLD)
        batch.drop_column("trigger")
        batch.drop_column("scheduled_at")
