"""The scheduler service (APScheduler 3.x): crawl jobs from the registry, each crawl in
its own process, a lease so one service runs per database.

- ``config``: options and schedule specs; ``sites``: registry loading that survives a
  bad entry; ``jobs``: job specs and start-up catch-up, pure (the clock is passed in);
- ``runner``: child crawls with a time limit and a global cap; ``record``: crawl_run
  rows; ``lease``: the one-scheduler lock; ``service``: the BlockingScheduler process.
"""

from crawler.schedule import monitor_jobs  # noqa: F401  (registers the monitoring jobs)
from crawler.schedule.config import TIMEZONE, ScheduleConfig, parse_spec
from crawler.schedule.jobs import JobSpec, build_jobs, plan_start, register_hook

__all__ = ["TIMEZONE", "JobSpec", "ScheduleConfig", "build_jobs", "parse_spec", "plan_start",
           "register_hook"]
