"""A thread-pool executor that tells the job the time it was due.

APScheduler 3 calls a job without its scheduled run time; the crawl job needs it to
record ``crawl_run.scheduled_at``. Jobs are coalesced, so a run has one due time: the
last of ``run_times``. It is kept in a thread-local while the job runs.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor

_due = threading.local()


def due_time() -> datetime | None:
    """The due time of the job running in this thread (None outside a job)."""
    return getattr(_due, "at", None)


def _run_job_with_due_time(job: Any, alias: str, run_times: list[datetime], logger_name: str) -> Any:
    _due.at = run_times[-1]
    try:
        return run_job(job, alias, run_times, logger_name)
    finally:
        _due.at = None


class DueTimeExecutor(ThreadPoolExecutor):
    """``ThreadPoolExecutor`` whose jobs can read :func:`due_time`."""

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        def callback(future: Any) -> None:
            exc = future.exception()
            if exc:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        future = self._pool.submit(_run_job_with_due_time, job, job._jobstore_alias, run_times,
                                   self._logger.name)
        future.add_done_callback(callback)
