"""The revisit policy: when to fetch a stored article again to catch edits and removals.

Portals edit fresh articles most (corrections on the day, a photo added the next day),
rarely touch old ones, and sometimes take articles down. So a new article is checked
several times on day 0-1, daily until day 14, weekly until day 60, then monthly.
Pure functions; ``now`` is always passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

SCHEDULE: tuple[tuple[timedelta, timedelta], ...] = (
    # (article age below, interval)
    (timedelta(days=2), timedelta(hours=6)),
    (timedelta(days=14), timedelta(days=1)),
    (timedelta(days=60), timedelta(days=7)),
)
LATE_INTERVAL = timedelta(days=30)
MISSING_RECHECK = timedelta(hours=6)
"""A vanished article is checked again soon: it is removed after two misses in a row."""
MISSING_CHECKS_TO_REMOVE = 2


def interval_for(age: timedelta) -> timedelta:
    for below, interval in SCHEDULE:
        if age < below:
            return interval
    return LATE_INTERVAL


def next_check_at(first_seen_at: datetime, checked_at: datetime) -> datetime:
    """When an article first seen at ``first_seen_at`` and checked now is due again."""
    return checked_at + interval_for(checked_at - first_seen_at)


def is_due(next_check: datetime | None, now: datetime) -> bool:
    return next_check is not None and next_check <= now
