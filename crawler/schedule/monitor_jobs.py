"""Monitoring jobs of the scheduler service: alerts hourly, the daily report and digests.

Registered as a hook (``jobs.register_hook``): each job runs a ``provnews`` command in
a child process, like the crawls, so a failure there never stops the service.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterable
from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from crawler.schedule.config import TIMEZONE, ScheduleConfig, parse_spec, spec_period
from crawler.schedule.jobs import JobSpec, register_hook, spread_offset

logger = logging.getLogger(__name__)
ALERTS_JOB_ID = "monitor:alerts"
REPORT_JOB_ID = "monitor:daily-report"


def run_command(*args: str) -> int:
    """``python -m crawler ARGS`` in a child process; logs a failure, never raises."""
    done = subprocess.run([sys.executable, "-m", "crawler", *args],  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        logger.error("provnews %s exited %d: %s", args[0], done.returncode, last)
    return done.returncode


def _db(config: ScheduleConfig) -> tuple[str, ...]:
    return ("--db", config.db_url) if config.db_url else ()


@register_hook
def monitor_jobs(config: ScheduleConfig) -> Iterable[JobSpec]:
    if config.alerts_every:
        period = int(spec_period(config.alerts_every).total_seconds())
        trigger = parse_spec(config.alerts_every, min(config.jitter, period // 10),
                             timedelta(seconds=spread_offset(ALERTS_JOB_ID, period)))
        yield JobSpec(id=ALERTS_JOB_ID, trigger=trigger, kind="hook",
                      misfire_grace_time=config.misfire_grace,
                      func=lambda: run_command("watch", "run", *_db(config)))
    if config.report_at is not None:
        def daily() -> None:
            run_command("watch", "run", "--digest", *_db(config))
            run_command("report", "daily", "-o", config.report_dir, *_db(config))

        trigger = CronTrigger(hour=config.report_at.hour, minute=config.report_at.minute,
                              timezone=TIMEZONE)
        yield JobSpec(id=REPORT_JOB_ID, trigger=trigger, kind="hook",
                      misfire_grace_time=config.misfire_grace, func=daily)
