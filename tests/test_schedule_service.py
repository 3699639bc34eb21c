"""The scheduler service end to end: real `scheduler.py` processes against the replica
server, with second-level intervals. Each crawl must run in its own child process; the
test watches /proc for those children and reads the runs back from the database.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.db.models import CrawlRunRow, SiteRow
from crawler.replica import REPLICA_HOSTS, ReplicaServer
from tests.conftest import ROOT, run_cli

GHOST = """
[[site]]
key = "ghost_example"
name = "A site the crawl command does not know: its child exits before any run begins"
base_url = "http://ghost.example/"
province = "Sơn La"
level = "commune"
feeds = ["/rss"]
"""


def scheduler(db_url: str, replica: ReplicaServer, *args: str, log: Path) -> subprocess.Popen[bytes]:
    hosts = json.dumps({h: replica.proxy_url for h in REPLICA_HOSTS})
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")}
    # Only crawl jobs: the hourly alerts job (fixed minute) would add a child of its own
    # when the hour turns during a test; it is tested in test_schedule_jobs.py.
    cmd = [sys.executable, "scheduler.py", "--db", db_url, "--env", "test", "--jitter", "0",
           "--revisit-every", "off", "--alerts-every", "off", "--report-at", "off",
           "-s", f"PROVNEWS_HOST_MAP={hosts}", *args]
    with log.open("ab") as err:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)


def children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (from /proc: the crawls the scheduler started)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


class ChildWatcher(threading.Thread):
    """Samples the scheduler's children every 20 ms: the most at once, every pid seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.most, self.seen, self.now = pid, 0, set(), 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            kids = children(self.pid)
            self.now, self.most = len(kids), max(self.most, len(kids))
            self.seen.update(kids)


def runs(db_url: str) -> list[CrawlRunRow]:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        rows = list(session.scalars(sa.select(CrawlRunRow).join(SiteRow).order_by(CrawlRunRow.id)
                                    .options(sa.orm.joinedload(CrawlRunRow.site))))
        session.expunge_all()
    engine.dispose()
    return rows


def wait_for(check: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; scheduler log:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def count(db_url: str, site: str, status: str) -> int:
    return sum(1 for r in runs(db_url) if r.site_key == site and r.status == status)


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> tuple[int, float]:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=timeout)
    return code, time.monotonic() - started


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Three sites every 4 s under a cap of 2 (one of them crashes), a second scheduler
    tried meanwhile, SIGTERM, 9 s down, then a restart: what each step observed."""
    tmp = tmp_path_factory.mktemp("schedule")
    url, log = f"sqlite:///{tmp / 'schedule.db'}", tmp / "scheduler.log"
    (tmp / "ghost.toml").write_text(GHOST, encoding="utf-8")
    registry = ("--registry", str(ROOT / "settings" / "replica_sites.toml"),
                "--registry", str(tmp / "ghost.toml"))
    seen: dict = {"url": url, "log": log}
    with ReplicaServer() as replica:
        proc = scheduler(url, replica, *registry, "--site", "news_example", "--site", "wp_example",
                         "--site", "ghost_example", "--every", "4s", "--max-concurrent", "2",
                         "--shutdown-grace", "15", log=log)
        watcher = ChildWatcher(proc.pid)
        watcher.start()
        try:
            wait_for(lambda: watcher.now > 0, 20, "a first crawl", log)
            second = scheduler(url, replica, "--site", "news_example", log=tmp / "second.log")
            seen["second"] = (second.wait(timeout=30), (tmp / "second.log").read_text())
            wait_for(lambda: count(url, "news_example", "ok") >= 2 and count(url, "wp_example", "ok") >= 2
                     and count(url, "ghost_example", "failed") >= 1, 50, "two ok runs of each site", log)
            wait_for(lambda: watcher.now > 0, 10, "a running crawl to stop", log)
            seen["running_at_stop"] = watcher.now
            seen["stop"] = stop(proc)
        finally:
            watcher.done.set()
            proc.kill()
        seen["watcher"] = watcher
        seen["runs_before_restart"] = runs(url)
        time.sleep(9)  # down for more than two 4-second periods
        seen["restarted_at"] = datetime.now(UTC)
        restart = scheduler(url, replica, "--site", "news_example", "--every", "4s", log=log)
        try:
            wait_for(lambda: len(runs(url)) > len(seen["runs_before_restart"])
                     and runs(url)[-1].status != "running", 20, "the catch-up run", log)
            seen["restart_stop"] = stop(restart)
        finally:
            restart.kill()
        seen["runs_after_restart"] = runs(url)
    yield seen


def test_scheduled_sites_are_crawled_each_in_its_own_process(service):
    rows = [r for r in service["runs_before_restart"] if r.status == "ok"]
    for site in ("news_example", "wp_example"):
        mine = [r for r in rows if r.site_key == site]
        assert len(mine) >= 2
        assert all(r.trigger == "schedule" and r.scheduled_at is not None for r in mine)
        assert all(r.scheduled_at <= r.started_at < r.ended_at for r in mine)
    assert rows[0].stored_new > 0  # a first crawl stored the site's articles
    assert len(service["watcher"].seen) >= 5  # one child process per crawl


def test_a_crashing_crawl_is_recorded_failed_and_the_others_continue(service):
    rows = service["runs_before_restart"]
    ghost = [r for r in rows if r.site_key == "ghost_example"]
    assert ghost and all(r.status in ("failed", "skipped") for r in ghost)
    failed = [r for r in ghost if r.status == "failed"]
    assert "exited with code 2 before its run began" in failed[0].error_summary
    assert "unknown site key 'ghost_example'" in failed[0].error_summary
    after_crash = [r for r in rows if r.site_key != "ghost_example" and r.started_at > failed[0].ended_at]
    assert any(r.status == "ok" for r in after_crash)


def test_concurrent_crawls_never_exceed_the_cap(service):
    assert service["watcher"].most == 2  # three sites due together, two children at most


def test_a_second_scheduler_on_the_same_database_refuses_in_one_line(service):
    code, stderr = service["second"]
    errors = [line for line in stderr.splitlines() if line.startswith("provnews: error:")]
    assert code == 1
    assert len(errors) == 1 and "another scheduler is running on this database" in errors[0]
    assert "Traceback" not in stderr


def test_sigterm_stops_cleanly_with_exit_0_and_no_crawl_left(service):
    code, seconds = service["stop"]
    assert service["running_at_stop"] >= 1
    assert code == 0 and seconds < 15 + 5
    assert not [pid for pid in service["watcher"].seen if Path(f"/proc/{pid}").exists()]
    assert not [r for r in service["runs_before_restart"] if r.status == "running"]
    assert service["restart_stop"][0] == 0


def test_restart_keeps_history_and_runs_a_missed_run_once(service):
    before, after = service["runs_before_restart"], service["runs_after_restart"]
    assert [r.id for r in after[: len(before)]] == [r.id for r in before]
    last_due = max(r.scheduled_at for r in before if r.site_key == "news_example")
    new = sorted((r for r in after[len(before):] if r.site_key == "news_example"),
                 key=lambda r: r.scheduled_at)
    # 9 s down: two or more due times were missed; they ran once (coalesced), at start: the
    # first new run is due at the latest missed time (under load the service may start a
    # tick after `restarted_at`, so that time is not a reliable cut-off), and no other new
    # run is due at or before it.
    catch_up = [r for r in new if r.scheduled_at <= new[0].scheduled_at]
    assert len(catch_up) == 1 and catch_up[0].status == "ok"
    assert len([r for r in new if r.scheduled_at < service["restarted_at"]]) <= 1  # not one per miss
    assert catch_up[0].scheduled_at - last_due >= timedelta(seconds=8)
    missed = re.search(r"crawl:news_example: (\d+) run\(s\) missed while stopped", service["log"].read_text())
    assert missed and int(missed.group(1)) >= 2
    # The schedule is the same after the restart: due times stay on the 4-second grid.
    assert (catch_up[0].scheduled_at - last_due).total_seconds() % 4 == 0


def test_slow_crawl_is_skipped_while_running_then_timed_out(tmp_path: Path):
    url, log = f"sqlite:///{tmp_path / 'slow.db'}", tmp_path / "scheduler.log"
    with ReplicaServer(slow_seconds=1.0) as replica:
        replica.set_fault("portal.example", "slow")
        proc = scheduler(url, replica, "--site", "portal_example", "--every", "3s", "--time-limit", "5",
                         "--shutdown-grace", "0", log=log)
        try:
            wait_for(lambda: count(url, "portal_example", "timed_out") >= 1
                     and count(url, "portal_example", "skipped") >= 1, 30, "timed_out and skipped", log)
            code, seconds = stop(proc)
        finally:
            proc.kill()
    rows = runs(url)
    timed_out = next(r for r in rows if r.status == "timed_out")
    assert "time limit of 5s exceeded" in timed_out.error_summary
    assert timed_out.trigger == "schedule"
    assert timed_out.ended_at - timed_out.scheduled_at < timedelta(seconds=5 + 10 + 3)
    skipped = next(r for r in rows if r.status == "skipped")
    assert timed_out.scheduled_at < skipped.scheduled_at < timed_out.ended_at
    assert code == 0 and seconds < 15
    assert not [r for r in rows if r.status == "running"]


def test_a_crawl_told_its_due_time_records_it_on_its_own_run(replica, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    hosts = json.dumps({h: replica.proxy_url for h in REPLICA_HOSTS})
    result = run_cli("crawl", "news_example", "--db", url, "-s", f"PROVNEWS_HOST_MAP={hosts}",
                     "-s", "PROVNEWS_SCHEDULED_AT=2025-11-03T01:26:25+07:00",
                     "-s", "PROVNEWS_TRIGGER=schedule")
    assert result.returncode == 0, result.stderr
    (row,) = runs(url)
    assert (row.trigger, row.scheduled_at) == ("schedule", datetime(2025, 11, 2, 18, 26, 25, tzinfo=UTC))
