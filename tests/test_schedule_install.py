"""The service installing its jobs, in-process with an injected clock (the scheduler is
built but never started): catch-up and missed runs at start, registry reloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.registry import Site
from crawler.schedule import record
from crawler.schedule.config import ScheduleConfig
from crawler.schedule.service import SchedulerService

NOW = datetime(2025, 11, 3, 14, 27, 5, tzinfo=UTC)
ENTRY = """
[[site]]
key = "{key}"
name = "{key}"
base_url = "https://{key}.example/"
province = "Sơn La"
level = "commune"
feeds = ["/rss"]
schedule = "{schedule}"
"""


def write(path: Path, **schedules: str) -> Path:
    path.write_text("".join(ENTRY.format(key=k, schedule=s) for k, s in schedules.items()), encoding="utf-8")
    return path


def service(tmp_path: Path, registry: Path, grace: int = 600) -> SchedulerService:
    config = ScheduleConfig(misfire_grace=grace, revisit_every=None, jitter=0, alerts_every=None,
                            report_at=None)
    svc = SchedulerService(f"sqlite:///{tmp_path / 'db.sqlite'}", config, (registry,), clock=lambda: NOW)
    svc.scheduler = svc._scheduler()
    return svc


def jobs(svc: SchedulerService) -> dict[str, tuple[str, datetime | None]]:
    assert svc.scheduler is not None
    return {j.id: (str(j.trigger), j.next_run_time) for j in svc.scheduler.get_jobs()}


def test_start_runs_a_recent_missed_run_and_records_an_old_one_as_missed(tmp_path: Path):
    registry = write(tmp_path / "sites.toml", recent_vn="1h", old_vn="1d", new_vn="1h")
    svc = service(tmp_path, registry, grace=3600)
    with Session(svc.engine) as session, session.begin():
        for key, last in (("recent_vn", NOW - timedelta(hours=2)), ("old_vn", NOW - timedelta(days=3))):
            site = Site(key=key, name=key, base_url=f"https://{key}.example/", province="Sơn La",
                        level="commune", feeds=("/rss",))
            record.record_run(session, site, status="ok", scheduled_at=last, started_at=last,
                              ended_at=last, summary=None)
    svc._install(svc.load(), NOW, starting=True)
    installed = jobs(svc)
    # recent_vn: hourly (at :35:16), last run 2 h ago: the run due 52 min ago runs at once.
    assert installed["crawl:recent_vn"][1] == datetime(2025, 11, 3, 13, 35, 16, tzinfo=UTC)
    # new_vn never ran: it waits for its next time.
    assert installed["crawl:new_vn"][1] > NOW
    # old_vn: daily (at 04:53 UTC), 3 days ago: due 9.5 h ago, beyond the grace: recorded missed.
    assert installed["crawl:old_vn"][1] > NOW
    with Session(svc.engine) as session:
        missed = session.scalars(sa.select(db.CrawlRunRow).where(db.CrawlRunRow.status == "missed")).all()
        assert len(missed) == 1 and missed[0].trigger == "schedule"
        assert "missed: 3 run(s) due while the scheduler was stopped" in missed[0].error_summary
    svc.engine.dispose()


def test_reload_adds_removes_and_replaces_jobs_and_keeps_unchanged_ones(tmp_path: Path):
    registry = write(tmp_path / "sites.toml", keep_vn="1h", drop_vn="1h", change_vn="1h")
    svc = service(tmp_path, registry)
    svc._install(svc.load(), NOW, starting=True)
    before = jobs(svc)
    assert sorted(before) == ["crawl:change_vn", "crawl:drop_vn", "crawl:keep_vn"]
    write(registry, keep_vn="1h", change_vn="15 */6 * * *", added_vn="6h")
    bad = ENTRY.format(key="bad_vn", schedule="99 * * * *")
    registry.write_text(registry.read_text(encoding="utf-8") + bad, encoding="utf-8")
    svc.reload()
    after = jobs(svc)
    assert sorted(after) == ["crawl:added_vn", "crawl:change_vn", "crawl:keep_vn"]
    assert after["crawl:keep_vn"] == before["crawl:keep_vn"]
    assert after["crawl:change_vn"][0].startswith("cron[")
    assert after["crawl:added_vn"][0] == "interval[6:00:00]"
    svc.engine.dispose()
