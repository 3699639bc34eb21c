"""The jobs of the service, built from the registry: pure, the clock is passed in.

One crawl job per site (id ``crawl:<site key>``): nightly inside a window (01:00-05:00 by
default), each site at its own offset in the window (a stable hash of its key, so the
schedule is the same after a restart) plus a random jitter; a site's ``schedule`` field
(``6h``, ``30m`` or a crontab line) overrides that. Then the revisit job and any jobs that
later features register with :func:`register_hook` (reports, alerts).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from crawler.registry import Site
from crawler.schedule.config import TIMEZONE, ScheduleConfig, parse_spec, spec_period

REVISIT_JOB_ID = "revisit"
_MAX_CATCH_UP_STEPS = 100_000


@dataclass(frozen=True)
class JobSpec:
    """Everything ``scheduler.add_job`` needs, without a scheduler (so tests can inspect it)."""

    id: str
    trigger: BaseTrigger
    kind: str
    """``crawl``, ``revisit`` or ``hook``."""
    site_key: str | None = None
    executor: str = "default"
    misfire_grace_time: int = 3600
    func: Callable[[], Any] | None = field(default=None, compare=False)
    """For hook jobs only: what to call."""

    def options(self) -> dict[str, Any]:
        """The keyword arguments of ``add_job`` (the house rule: explicit id, replace,
        coalesce, one instance, a misfire grace time)."""
        return {"id": self.id, "name": self.id, "trigger": self.trigger, "executor": self.executor,
                "replace_existing": True, "coalesce": True, "max_instances": 1,
                "misfire_grace_time": self.misfire_grace_time}


HookFactory = Callable[[ScheduleConfig], Iterable[JobSpec]]
HOOKS: list[HookFactory] = []
"""Factories of extra jobs (reports, alerts); each returns JobSpecs with ``func`` set."""


def register_hook(factory: HookFactory) -> HookFactory:
    """Add a job factory, e.g. ``@register_hook def reports(config): return [JobSpec(...)]``."""
    HOOKS.append(factory)
    return factory


def spread_offset(key: str, span_seconds: int) -> int:
    """A stable offset in ``[0, span_seconds)`` for a site key (same on every machine/run)."""
    if span_seconds <= 0:
        return 0
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return int(digest[:12], 16) % span_seconds


def window_seconds(config: ScheduleConfig) -> int:
    """Length of the nightly window; a window may pass midnight (22:00-02:00)."""
    start = config.window_start.hour * 3600 + config.window_start.minute * 60
    end = config.window_end.hour * 3600 + config.window_end.minute * 60
    return (end - start) % 86400 or 86400


def crawl_trigger(site: Site, config: ScheduleConfig) -> BaseTrigger:
    """The trigger of a site's crawl job (see the module docstring)."""
    spec = config.every or site.schedule
    if spec:
        period = int(spec_period(spec).total_seconds())
        jitter = min(config.jitter, period // 10)
        return parse_spec(spec, jitter, timedelta(seconds=spread_offset(site.key, period)))
    span = window_seconds(config)
    jitter = min(config.jitter, span // 2)
    start = config.window_start.hour * 3600 + config.window_start.minute * 60
    at = (start + spread_offset(site.key, span - jitter)) % 86400
    return CronTrigger(hour=at // 3600, minute=at % 3600 // 60, second=at % 60,
                       timezone=TIMEZONE, jitter=jitter or None)


def crawl_jobs(sites: Iterable[Site], config: ScheduleConfig) -> list[JobSpec]:
    return [
        JobSpec(id=f"crawl:{site.key}", trigger=crawl_trigger(site, config), kind="crawl",
                site_key=site.key, executor="crawl", misfire_grace_time=config.misfire_grace)
        for site in sites if site.status in config.statuses
    ]


def revisit_job(config: ScheduleConfig) -> JobSpec | None:
    """Re-crawls sites whose stored articles are due a re-check (fresh articles are checked
    every 6 hours for two days; a nightly crawl alone would check them once a day)."""
    if not config.revisit_every:
        return None
    period = int(spec_period(config.revisit_every).total_seconds())
    trigger = parse_spec(config.revisit_every, min(config.jitter, period // 10),
                         timedelta(seconds=spread_offset(REVISIT_JOB_ID, period)))
    return JobSpec(id=REVISIT_JOB_ID, trigger=trigger, kind="revisit",
                   misfire_grace_time=config.misfire_grace)


def build_jobs(sites: Iterable[Site], config: ScheduleConfig) -> list[JobSpec]:
    """Every job of the service: crawls, the revisit job, then the registered hooks."""
    jobs = crawl_jobs(sites, config)
    revisit = revisit_job(config)
    if revisit:
        jobs.append(revisit)
    for factory in HOOKS:
        jobs.extend(factory(config))
    return jobs


def without_jitter(trigger: BaseTrigger) -> BaseTrigger:
    """The same trigger with no random delay: its nominal fire times."""
    twin = copy.copy(trigger)
    if hasattr(twin, "jitter"):
        twin.jitter = None
    return twin


@dataclass(frozen=True)
class StartPlan:
    """What to do with a job when the service starts."""

    next_run_time: datetime | None
    """The first run: a missed due time (run at once), or the next fire time."""
    missed: int = 0
    """Due times passed since the last recorded run (coalesced into at most one run)."""
    last_missed: datetime | None = None
    run_missed: bool = False
    """True when the latest missed run is within the grace time and runs on start."""


def plan_start(trigger: BaseTrigger, last_scheduled: datetime | None, now: datetime,
               grace: timedelta) -> StartPlan:
    """Missed runs since ``last_scheduled`` (the last recorded due time): the latest one
    runs on start when it is within ``grace`` of ``now``, else they are recorded missed.
    A job never run before has missed nothing."""
    upcoming = trigger.get_next_fire_time(None, now)
    if last_scheduled is None:
        return StartPlan(upcoming)
    nominal = without_jitter(trigger)
    missed, latest = 0, None
    at = nominal.get_next_fire_time(None, last_scheduled + timedelta(seconds=1))
    while at is not None and at <= now and missed < _MAX_CATCH_UP_STEPS:
        missed, latest = missed + 1, at
        at = nominal.get_next_fire_time(None, at + timedelta(microseconds=1))
    if latest is None:
        return StartPlan(upcoming)
    if now - latest <= grace:
        return StartPlan(latest, missed, latest, run_missed=True)
    return StartPlan(upcoming, missed, latest)
