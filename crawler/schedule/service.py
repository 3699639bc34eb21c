"""The scheduler service: one BlockingScheduler process (Asia/Ho_Chi_Minh) holding the
database's lease, running each crawl in a child process through :class:`CrawlRunner`.

Jobs are rebuilt from the registry at every start (their fire times are stable, see
``jobs.py``); the run history in ``crawl_run`` tells which due runs were missed while the
service was down. The registry is re-read on SIGHUP and every ``reload_every`` seconds.
SIGTERM/SIGINT: no new runs, running crawls get ``shutdown_grace`` seconds, then they are
stopped; the lease is released and the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor as Pool
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from crawler import db
from crawler.registry import Site
from crawler.schedule import lease, record
from crawler.schedule.config import TIMEZONE, ScheduleConfig
from crawler.schedule.executor import DueTimeExecutor, due_time
from crawler.schedule.jobs import JobSpec, build_jobs, plan_start
from crawler.schedule.runner import Clock, CrawlRunner, utc_now
from crawler.schedule.sites import load_sites

log = logging.getLogger("provnews.schedule")
SERVICE_JOBS = ("service:heartbeat", "service:reload")


class SchedulerService:
    def __init__(self, db_url: str, config: ScheduleConfig, registry_files: tuple[Path, ...] = (),
                 crawl_args: tuple[str, ...] = (), only: tuple[str, ...] = (), clock: Clock = utc_now):
        self.db_url, self.config, self.clock = db_url, config, clock
        self.registry_files, self.only = registry_files, only
        self.engine = db.open_database(db_url)
        self.runner = CrawlRunner(self.engine, db_url, config, crawl_args, clock)
        self.holder = lease.holder_id()
        self.sites: dict[str, Site] = {}
        self.exit_code = 0
        self.scheduler: BlockingScheduler | None = None
        self._stopping = threading.Lock()

    # -- the registry --------------------------------------------------------------
    def load(self) -> list[JobSpec]:
        """Read the registry (bad entries logged, the others kept) and build the jobs."""
        loaded = load_sites(list(self.registry_files) or None)
        for problem in loaded.problems:
            log.error("registry: %s (not scheduled)", problem)
        sites = loaded.sites
        if self.only:
            sites = {k: s for k, s in sites.items() if k in self.only}
        self.sites = sites
        return build_jobs(sites.values(), self.config)

    # -- running -------------------------------------------------------------------
    def run(self) -> int:
        """Take the lease and run until stopped; the exit code."""
        lease.acquire(self.engine, self.holder, self.clock(), timedelta(seconds=self.config.lease_ttl))
        try:
            self.scheduler = self._scheduler()
            self._install(self.load(), self.clock(), starting=True)
            self._service_jobs()
            self._signals()
            log.info("scheduler started (%s): %d crawl job(s), at most %d crawl(s) at once",
                     self.holder, len(self.sites), self.config.max_concurrent)
            self.scheduler.start()
        finally:
            lease.release(self.engine, self.holder)
            self.engine.dispose()
        log.info("scheduler stopped")
        return self.exit_code

    def run_once(self) -> int:
        """Crawl every scheduled site once, now (same cap, limit and records); 1 on failures."""
        lease.acquire(self.engine, self.holder, self.clock(), timedelta(seconds=self.config.lease_ttl))
        try:
            self.load()
            now = self.clock()
            sites = [s for s in self.sites.values() if s.status in self.config.statuses]
            with Pool(max_workers=self.config.max_concurrent) as pool:
                statuses = list(pool.map(lambda site: self.runner.run(site, now), sites))
        finally:
            lease.release(self.engine, self.holder)
            self.engine.dispose()
        bad = [s for s in statuses if s not in ("ok", "partial")]
        log.info("ran %d crawl(s) once: %d not ok", len(statuses), len(bad))
        return 1 if bad else 0

    def _scheduler(self) -> BlockingScheduler:
        scheduler = BlockingScheduler(
            timezone=TIMEZONE,
            executors={"default": ThreadPoolExecutor(4),
                       "crawl": DueTimeExecutor(self.config.max_concurrent)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": self.config.misfire_grace},
        )
        scheduler.add_listener(self._on_not_run, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        return scheduler

    def _install(self, specs: list[JobSpec], now: datetime, starting: bool) -> None:
        """Add or replace the jobs; on start, catch up the runs missed while stopped."""
        assert self.scheduler is not None
        with Session(self.engine) as session:
            last = record.last_scheduled(session) if starting else {}
        grace = timedelta(seconds=self.config.misfire_grace)
        wanted = {spec.id for spec in specs}
        for job in self.scheduler.get_jobs():
            if job.id not in wanted and job.id not in SERVICE_JOBS:
                log.info("%s: no longer in the registry, removed", job.id)
                job.remove()
        for spec in specs:
            existing = self.scheduler.get_job(spec.id)
            if existing is not None and str(existing.trigger) == str(spec.trigger):
                continue
            plan = plan_start(spec.trigger, last.get(spec.site_key or ""), now, grace)
            if plan.run_missed:
                log.info("%s: %d run(s) missed while stopped; the one due %s runs now", spec.id,
                         plan.missed, plan.last_missed)
            elif plan.missed and spec.site_key and plan.last_missed:
                self._record_missed(spec.site_key, plan.last_missed, plan.missed)
            self.scheduler.add_job(self._func(spec), next_run_time=plan.next_run_time, **spec.options())

    def _func(self, spec: JobSpec) -> Any:
        if spec.kind == "crawl" and spec.site_key:
            return partial(self._crawl, spec.site_key)
        if spec.kind == "revisit":
            return self._revisit
        assert spec.func is not None, f"hook job {spec.id} has no func"
        return spec.func

    def _service_jobs(self) -> None:
        assert self.scheduler is not None
        beat = max(1.0, self.config.lease_ttl / 4)
        for job_id, func, seconds in (("service:heartbeat", self._heartbeat, beat),
                                      ("service:reload", self.reload, self.config.reload_every)):
            if seconds:
                self.scheduler.add_job(func, IntervalTrigger(seconds=seconds, timezone=TIMEZONE),
                                       id=job_id, name=job_id, replace_existing=True, coalesce=True,
                                       max_instances=1, misfire_grace_time=int(seconds))

    # -- jobs ----------------------------------------------------------------------
    def _crawl(self, site_key: str) -> str | None:
        site = self.sites.get(site_key)
        if site is None:
            return None
        return self.runner.run(site, due_time() or self.clock())

    def _revisit(self) -> None:
        now = due_time() or self.clock()
        busy = set(self.runner.running())
        with Session(self.engine) as session:
            due = record.sites_due_revisit(session, sorted(self.sites), now)
        log.info("revisit: %d site(s) with articles due a re-check", len(due))
        for key in due:
            if key not in busy and not self.runner.stopping.is_set():
                self.runner.run(self.sites[key], now)

    def _heartbeat(self) -> None:
        if not lease.heartbeat(self.engine, self.holder, self.clock()):
            log.error("lost the scheduler lease (another scheduler took it): stopping")
            self.exit_code = 1
            threading.Thread(target=self.stop, daemon=True).start()

    def reload(self) -> None:
        """Re-read the registry: new sites get jobs, removed ones lose them, changed
        schedules are replaced; unchanged jobs keep their next run time."""
        if self.scheduler is None or self.runner.stopping.is_set():
            return
        try:
            self._install(self.load(), self.clock(), starting=False)
        except Exception:
            log.exception("registry reload failed; keeping the current jobs")

    # -- records -------------------------------------------------------------------
    def _record_missed(self, site_key: str, due: datetime, count: int) -> None:
        now = self.clock()
        note = (f"missed: {count} run(s) due while the scheduler was stopped (last due "
                f"{due:%Y-%m-%d %H:%M:%S %Z}), beyond the {self.config.misfire_grace}s grace time")
        with Session(self.engine) as session, session.begin():
            record.record_run(session, self.sites[site_key], status="missed", scheduled_at=due,
                              started_at=now, ended_at=now, summary=note)
        log.warning("crawl:%s %s", site_key, note)

    def _on_not_run(self, event: JobEvent) -> None:
        """APScheduler did not run a due crawl: still running (skipped) or too late (missed)."""
        key = event.job_id.removeprefix("crawl:")
        if not event.job_id.startswith("crawl:") or key not in self.sites or self.runner.stopping.is_set():
            return
        skipped = event.code == EVENT_JOB_MAX_INSTANCES
        due = event.scheduled_run_times[-1] if skipped else event.scheduled_run_time  # type: ignore[attr-defined]
        note = ("skipped: the previous run is still running or waiting for a free slot" if skipped
                else f"missed: not started within the {self.config.misfire_grace}s grace time")
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            record.record_run(session, self.sites[key], status="skipped" if skipped else "missed",
                              scheduled_at=due, started_at=now, ended_at=now, summary=note)
        log.warning("crawl:%s %s (due %s)", key, note, due)

    # -- stopping ------------------------------------------------------------------
    def _signals(self) -> None:
        def on_stop(signum: int, _frame: object) -> None:
            log.info("%s received: stopping", signal.Signals(signum).name)
            threading.Thread(target=self.stop, daemon=True).start()

        def on_hup(_signum: int, _frame: object) -> None:
            log.info("SIGHUP received: reloading the registry")
            threading.Thread(target=self.reload, daemon=True).start()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_hup)

    def stop(self) -> None:
        """Stop taking runs, give running crawls the grace period, stop them, shut down."""
        if not self._stopping.acquire(blocking=False):
            return
        assert self.scheduler is not None
        self.scheduler.pause()
        self.runner.stop_all(self.config.shutdown_grace)
        self.scheduler.shutdown(wait=True)
