"""Scheduler configuration and schedule specs (``6h``, ``30m``, ``1d`` or a crontab line)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_INTERVAL = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
EPOCH = datetime(2024, 1, 1, tzinfo=TIMEZONE)
"""Anchor of interval schedules: fire times do not depend on when the service started."""


@dataclass(frozen=True)
class ScheduleConfig:
    """How the service schedules and runs crawls (CLI options of ``provnews schedule``)."""

    window_start: time = time(1, 0)
    window_end: time = time(5, 0)
    """Nightly crawls start between these local times, spread by site key."""
    jitter: int = 300
    """Seconds of random delay added to each fire time (APScheduler ``jitter``)."""
    every: str | None = None
    """One schedule for every site instead of the nightly window (``30m``, ``5s``...)."""
    max_concurrent: int = 2
    time_limit: float = 3600.0
    """Seconds a crawl may run before it is stopped and recorded ``timed_out``."""
    misfire_grace: int = 3600
    """Seconds after its due time a run may still start (on start-up or when the cap delays it)."""
    shutdown_grace: float = 60.0
    """On SIGTERM, seconds running crawls get to finish before they are stopped."""
    kill_grace: float = 10.0
    """Seconds between asking a child to stop (SIGTERM) and killing it (SIGKILL)."""
    lease_ttl: float = 60.0
    """A lease whose heartbeat is older than this is free (its holder is presumed dead)."""
    reload_every: int = 300
    """Seconds between registry re-reads (0 = only on SIGHUP)."""
    revisit_every: str | None = "6h"
    """How often the revisit job crawls sites with stored articles due a re-check (None = off)."""
    env: str = "prod"
    """Settings module of the crawls (``provnews crawl --env``)."""
    statuses: tuple[str, ...] = ("active",)
    """Registry statuses that get a crawl job."""
    alerts_every: str | None = "1h"
    """How often watchlists are evaluated and alerts sent (``provnews watch run``); None = off."""
    report_at: time | None = time(6, 0)
    """Local time of the daily report and watchlist digests, after the nightly window."""
    report_dir: str = "reports"
    db_url: str | None = None
    """The database the monitoring jobs read (set by ``schedule run``)."""


def parse_spec(spec: str, jitter: int = 0, start_offset: timedelta = timedelta(0)) -> BaseTrigger:
    """The trigger of a schedule spec; ``ValueError`` (naming the spec) when invalid.

    Intervals are anchored at a fixed epoch plus ``start_offset``, so the fire times are
    the same after a restart; crontab lines are read in Asia/Ho_Chi_Minh.
    """
    spec = " ".join(str(spec).split())
    match = _INTERVAL.match(spec)
    if match:
        amount = int(match.group(1))
        if amount <= 0:
            raise ValueError(f"schedule {spec!r}: the interval must be positive")
        length = timedelta(**{_UNITS[match.group(2)]: amount})
        return IntervalTrigger(seconds=int(length.total_seconds()), start_date=EPOCH + start_offset % length,
                               timezone=TIMEZONE, jitter=jitter or None)
    if len(spec.split()) != 5:
        raise ValueError(f"schedule {spec!r} is not like '6h', '1d' or a 5-field crontab line")
    try:
        return _cron(spec, jitter)
    except ValueError as exc:
        raise ValueError(f"schedule {spec!r} is not a valid crontab line: {exc}") from None


def _cron(spec: str, jitter: int) -> CronTrigger:
    minute, hour, day, month, dow = spec.split()
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=_weekdays(dow),
                       timezone=TIMEZONE, jitter=jitter or None)


def _weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) as day names: APScheduler 3 counts
    0 as Monday, so numbers are never passed through."""
    if not re.search(r"\d", field.split("/")[0]) and "/" not in field:
        return field
    days: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            lo, hi = 0, 6
        elif "-" in base:
            lo, hi = (int(x) for x in base.split("-", 1))
        else:
            lo = int(base)
            hi = 6 if step else lo
        if not (0 <= lo <= 7 and 0 <= hi <= 7 and lo <= hi):
            raise ValueError(f"day of week {part!r} out of range 0-7")
        days.update(d % 7 for d in range(lo, hi + 1, int(step or 1)))
    return ",".join(_DAYS[d] for d in sorted(days))


def spec_period(spec: str) -> timedelta:
    """The (shortest observed) time between two fire times of a spec, to bound its jitter."""
    trigger = parse_spec(spec)
    first = trigger.get_next_fire_time(None, EPOCH)
    second = trigger.get_next_fire_time(first, first)
    third = trigger.get_next_fire_time(second, second)
    return min(second - first, third - second)
