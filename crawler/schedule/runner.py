"""Each crawl in its own process: ``python -m crawler crawl KEY`` with a time limit,
under a global cap on concurrent crawls, one run per site at a time.

The child records its own ``crawl_run`` row (told its due time and trigger through
``PROVNEWS_SCHEDULED_AT``/``PROVNEWS_TRIGGER``). The runner writes a row itself only for
what the child could not record (skipped because still running, a child that died
before its run began) and overrules the child's row when it was stopped (``timed_out``,
or ``failed`` at shutdown). Stopping is SIGTERM first, so Scrapy closes the spider and
keeps its state, then SIGKILL after ``kill_grace``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.registry import Site
from crawler.schedule import record
from crawler.schedule.config import ScheduleConfig

log = logging.getLogger("provnews.schedule")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Child:
    site_key: str
    scheduled_at: datetime
    started_at: datetime
    proc: subprocess.Popen[str] | None = None
    timed_out: bool = False
    interrupted: bool = False


class CrawlRunner:
    """Starts, limits and records child crawls; thread-safe (APScheduler's pool calls it)."""

    def __init__(self, engine: Engine, db_url: str, config: ScheduleConfig,
                 crawl_args: tuple[str, ...] = (), clock: Clock = utc_now) -> None:
        self.engine, self.db_url, self.config = engine, db_url, config
        self.crawl_args = crawl_args
        self.clock = clock
        self._cap = threading.BoundedSemaphore(config.max_concurrent)
        self._lock = threading.Lock()
        self._children: dict[str, Child] = {}
        self.stopping = threading.Event()

    def running(self) -> list[str]:
        with self._lock:
            return [k for k, c in self._children.items() if c.proc is not None]

    def run(self, site: Site, scheduled_at: datetime) -> str | None:
        """Crawl ``site`` for its run due at ``scheduled_at``; the final status, or None
        when the service is stopping (nothing recorded: the next start catches it up)."""
        child = Child(site.key, scheduled_at, self.clock())
        with self._lock:
            busy = self._children.get(site.key)
            if busy is None and not self.stopping.is_set():
                self._children[site.key] = child
        if self.stopping.is_set():
            return None
        if busy is not None:
            return self._skip(site, scheduled_at, busy)
        try:
            if not self._wait_for_slot():
                return None
            try:
                return self._run_child(site, child)
            finally:
                self._cap.release()
        finally:
            with self._lock:
                self._children.pop(site.key, None)

    def _wait_for_slot(self) -> bool:
        while not self._cap.acquire(timeout=0.2):
            if self.stopping.is_set():
                return False
        if self.stopping.is_set():
            self._cap.release()
            return False
        return True

    def _skip(self, site: Site, scheduled_at: datetime, busy: Child) -> str:
        now = self.clock()
        note = (f"skipped: the run due {busy.scheduled_at:%Y-%m-%d %H:%M:%S} UTC is still "
                f"{'running' if busy.proc else 'waiting for a free slot'}")
        with Session(self.engine) as session, session.begin():
            record.record_run(session, site, status="skipped", scheduled_at=scheduled_at,
                              started_at=now, ended_at=now, summary=note)
        log.warning("crawl:%s %s", site.key, note)
        return "skipped"

    def command(self, site_key: str, scheduled_at: datetime) -> list[str]:
        return [sys.executable, "-m", "crawler", "crawl", site_key, "--db", self.db_url,
                "--env", self.config.env, "-s", f"PROVNEWS_SCHEDULED_AT={scheduled_at.isoformat()}",
                "-s", "PROVNEWS_TRIGGER=schedule", *self.crawl_args]

    def _run_child(self, site: Site, child: Child) -> str:
        with Session(self.engine) as session:
            after_id = record.max_run_id(session)
        child.started_at = self.clock()
        # Our own interpreter and a registry key: no untrusted input reaches the command line.
        proc = subprocess.Popen(self.command(site.key, child.scheduled_at),  # noqa: S603
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        with self._lock:
            child.proc = proc
            count = sum(1 for c in self._children.values() if c.proc is not None)
        log.info("crawl:%s started (pid %d, %d of %d running)", site.key, proc.pid, count,
                 self.config.max_concurrent)
        try:
            _, stderr = proc.communicate(timeout=self.config.time_limit)
        except subprocess.TimeoutExpired:
            child.timed_out = True
            log.warning("crawl:%s exceeded its time limit of %ss: stopping it", site.key,
                        self.config.time_limit)
            stderr = self.stop_child(child)
        return self._record(site, child, after_id, proc.returncode, stderr)

    def stop_child(self, child: Child) -> str:
        """SIGTERM the child's process group, SIGKILL it after ``kill_grace``; its stderr."""
        proc = child.proc
        assert proc is not None
        _signal_group(proc, signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=self.config.kill_grace)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            _, stderr = proc.communicate()
        return stderr or ""

    def _record(self, site: Site, child: Child, after_id: int, code: int, stderr: str) -> str:
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = record.child_run(session, site.key, after_id)
            status, note = _outcome(child, code, stderr, self.config.time_limit, row.status if row else None)
            if row is None:
                record.record_run(session, site, status=status or "failed", scheduled_at=child.scheduled_at,
                                  started_at=child.started_at, ended_at=now, summary=note)
                final = status or "failed"
            else:
                record.close_child_run(row, scheduled_at=child.scheduled_at, status=status, ended_at=now,
                                       note=note)
                final = row.status
        seconds = (now - child.started_at).total_seconds()
        log.log(logging.INFO if final in ("ok", "partial") else logging.WARNING,
                "crawl:%s finished: %s in %.1fs (exit code %s)%s", site.key, final, seconds, code,
                f": {note}" if note else "")
        return final

    def stop_all(self, grace: float) -> None:
        """Stop taking runs; let running children finish for ``grace`` seconds, then stop them."""
        self.stopping.set()
        deadline = time.monotonic() + grace
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.1)
        with self._lock:
            children = [c for c in self._children.values() if c.proc is not None]
        for child in children:
            child.interrupted = True
            log.warning("crawl:%s still running after the %ss grace: stopping it", child.site_key, grace)
            _signal_group(child.proc, signal.SIGTERM)  # type: ignore[arg-type]
        deadline = time.monotonic() + self.config.kill_grace + 5
        while self._children and time.monotonic() < deadline:
            time.sleep(0.1)


def _signal_group(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _outcome(child: Child, code: int, stderr: str, limit: float,
             row_status: str | None) -> tuple[str | None, str | None]:
    """(status to impose or None to keep the crawl's own, a note for the error summary)."""
    if child.timed_out:
        return "timed_out", f"time limit of {limit:g}s exceeded (stopped)"
    if child.interrupted:
        return ("failed" if row_status in (None, "running") else None), "stopped at scheduler shutdown"
    if row_status is None:
        return "failed", f"crawl process exited with code {code} before its run began: {last_error(stderr)}"
    if row_status == "running":
        return "failed", f"crawl process died (exit code {code}): {last_error(stderr)}"
    return None, None


def last_error(stderr: str) -> str:
    """The line that says what went wrong: ``provnews: error:`` or the last one."""
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("provnews: error:")]
    return (errors or lines or ["no output"])[-1]
