"""One scheduler per database: a lease row renewed by a heartbeat.

A second service finds the lease held (a heartbeat younger than the TTL) and refuses to
start. A holder that died without releasing stops renewing, and its lease becomes free
after the TTL.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.db.models import SchedulerLeaseRow

LEASE_NAME = "scheduler"


class LeaseHeld(RuntimeError):
    """Another live scheduler holds the lease; the message says who and since when."""


def holder_id() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


def acquire(engine: Engine, holder: str, now: datetime, ttl: timedelta) -> None:
    """Take the lease, or raise :class:`LeaseHeld` when a live holder has it."""
    with Session(engine) as session, session.begin():
        row = session.get(SchedulerLeaseRow, LEASE_NAME)
        if row is None:
            session.add(SchedulerLeaseRow(name=LEASE_NAME, holder=holder, acquired_at=now, heartbeat_at=now))
            try:
                session.flush()
            except IntegrityError:
                raise LeaseHeld("another scheduler took the lease at the same moment") from None
            return
        age = now - row.heartbeat_at
        if row.holder != holder and age < ttl:
            raise LeaseHeld(
                f"another scheduler is running on this database ({row.holder}, started "
                f"{row.acquired_at:%Y-%m-%d %H:%M:%S} UTC, heartbeat {age.total_seconds():.0f}s ago); "
                f"stop it first, or wait {ttl.total_seconds():.0f}s if it died")
        taken = session.execute(
            sa.update(SchedulerLeaseRow)
            .where(SchedulerLeaseRow.name == LEASE_NAME, SchedulerLeaseRow.holder == row.holder,
                   SchedulerLeaseRow.heartbeat_at == row.heartbeat_at)
            .values(holder=holder, acquired_at=now, heartbeat_at=now))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseHeld("another scheduler took the lease at the same moment")


def heartbeat(engine: Engine, holder: str, now: datetime) -> bool:
    """Renew the lease; False when it is no longer ours (taken over after a stall)."""
    with Session(engine) as session, session.begin():
        result = session.execute(
            sa.update(SchedulerLeaseRow)
            .where(SchedulerLeaseRow.name == LEASE_NAME, SchedulerLeaseRow.holder == holder)
            .values(heartbeat_at=now))
        return result.rowcount == 1  # type: ignore[attr-defined]


def release(engine: Engine, holder: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(sa.delete(SchedulerLeaseRow).where(
            SchedulerLeaseRow.name == LEASE_NAME, SchedulerLeaseRow.holder == holder))
