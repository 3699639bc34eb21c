"""Scheduler jobs built from a registry with an injected clock: ids, triggers, jitter
bounds, options, start-up catch-up, bad entries, the lease and the run records. No sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crawler import db
from crawler.registry import Site
from crawler.schedule import lease, record
from crawler.schedule.config import TIMEZONE, ScheduleConfig, parse_spec
from crawler.schedule.jobs import build_jobs, crawl_trigger, plan_start, without_jitter
from crawler.schedule.runner import Child, _outcome
from crawler.schedule.sites import load_sites

NOW = datetime(2025, 11, 3, 14, 27, 5, tzinfo=UTC)  # the injected clock (21:27 in Vietnam)
ENTRY = """
[[site]]
key = "{key}"
name = "Site {key}"
base_url = "https://{host}/"
province = "Sơn La"
level = "commune"
family = "{family}"
feeds = ["/rss"]
"""


def site(key: str, schedule: str | None = None, status: str = "active") -> Site:
    return Site(key=key, name=key, base_url=f"https://{key}.example/", province="Sơn La",
                level="commune", status=status, feeds=("/rss",), schedule=schedule)


def entry(key: str, family: str = "nukeviet", extra: str = "") -> str:
    return ENTRY.format(key=key, host=key.replace("_", "."), family=family) + extra


def local_seconds(at: datetime) -> int:
    at = at.astimezone(TIMEZONE)
    return at.hour * 3600 + at.minute * 60 + at.second


def test_one_crawl_job_per_active_site_with_id_and_house_options():
    sites = [site("baosonla_vn"), site("quynhnhai_sonla_gov_vn"), site("dead_example", status="dead")]
    jobs = build_jobs(sites, ScheduleConfig(misfire_grace=900))
    crawl = {j.id: j for j in jobs if j.kind == "crawl"}
    assert sorted(crawl) == ["crawl:baosonla_vn", "crawl:quynhnhai_sonla_gov_vn"]
    options = crawl["crawl:baosonla_vn"].options()
    assert options["id"] == "crawl:baosonla_vn"
    assert (options["replace_existing"], options["coalesce"], options["max_instances"]) == (True, True, 1)
    assert options["misfire_grace_time"] == 900 and options["executor"] == "crawl"
    assert [j.id for j in jobs if j.kind == "revisit"] == ["revisit"]
    assert all(j.options()["max_instances"] == 1 and j.options()["coalesce"] for j in jobs)


def test_nightly_runs_are_spread_over_the_window_within_jitter_bounds():
    config = ScheduleConfig(window_start=time(1, 0), window_end=time(5, 0), jitter=300)
    sites = [site(f"xa_{i}_sonla_gov_vn") for i in range(300)]
    starts = set()
    for s in sites:
        trigger = crawl_trigger(s, config)
        assert isinstance(trigger, CronTrigger) and trigger.jitter == 300
        nominal = without_jitter(trigger).get_next_fire_time(None, NOW)
        fired = trigger.get_next_fire_time(None, NOW)
        assert 3600 <= local_seconds(nominal) <= 5 * 3600 - 300
        assert timedelta(0) <= fired - nominal <= timedelta(seconds=300)
        assert 3600 <= local_seconds(fired) <= 5 * 3600
        assert nominal.astimezone(TIMEZONE).date() == datetime(2025, 11, 4, tzinfo=TIMEZONE).date()
        starts.add(local_seconds(nominal) // 600)
    assert len(starts) >= 20  # 300 sites land in at least 20 different 10-minute slots


def test_window_past_midnight_and_stable_offsets():
    config = ScheduleConfig(window_start=time(23, 0), window_end=time(1, 0), jitter=0)
    t1 = crawl_trigger(site("baosonla_vn"), config)
    t2 = crawl_trigger(site("baosonla_vn"), config)
    assert str(t1) == str(t2)  # rebuilt after a restart: the same time
    seconds = local_seconds(t1.get_next_fire_time(None, NOW))
    assert seconds >= 23 * 3600 or seconds < 3600


@pytest.mark.parametrize(("spec", "kind", "period"), [
    pytest.param("6h", IntervalTrigger, timedelta(hours=6), id="hours"),
    pytest.param("30m", IntervalTrigger, timedelta(minutes=30), id="minutes"),
    pytest.param("15 */6 * * *", CronTrigger, timedelta(hours=6), id="crontab"),
])
def test_site_schedule_overrides_the_window(spec, kind, period):
    trigger = crawl_trigger(site("baosonla_vn", schedule=spec), ScheduleConfig(jitter=300))
    assert isinstance(trigger, kind)
    assert trigger.jitter is None or trigger.jitter <= period.total_seconds() / 10
    nominal = without_jitter(trigger)
    first = nominal.get_next_fire_time(None, NOW)
    assert NOW < first <= NOW + period
    assert nominal.get_next_fire_time(first, first) - first == period


def test_crontab_weekdays_count_sunday_as_zero():
    trigger = parse_spec("0 3 * * 0")
    fired = trigger.get_next_fire_time(None, NOW).astimezone(TIMEZONE)
    assert (fired.strftime("%A"), fired.hour) == ("Sunday", 3)
    weekdays = parse_spec("0 2 * * 1-5").get_next_fire_time(None, datetime(2025, 11, 8, tzinfo=UTC))
    assert weekdays.astimezone(TIMEZONE).strftime("%A") == "Monday"


@pytest.mark.parametrize("spec", ["61 * * * *", "0 0 * *", "0s", "0 0 * * 8", "every day"])
def test_invalid_schedules_are_refused_naming_the_spec(spec):
    with pytest.raises(ValueError, match="schedule"):
        parse_spec(spec)


def test_every_overrides_all_sites_with_intervals_anchored_per_site():
    config = ScheduleConfig(every="4s")
    a, b = (crawl_trigger(site(k), config) for k in ("news_example", "wp_example"))
    assert str(a) == str(b) == "interval[0:00:04]"
    assert isinstance(a, IntervalTrigger) and a.interval == timedelta(seconds=4) and not a.jitter
    assert a.get_next_fire_time(None, NOW) - NOW <= timedelta(seconds=4)
    assert str(crawl_trigger(site("news_example"), config)) == str(a)


def test_start_plan_without_history_waits_for_the_next_run():
    trigger = crawl_trigger(site("baosonla_vn"), ScheduleConfig(jitter=0))
    plan = plan_start(trigger, None, NOW, timedelta(hours=1))
    assert plan.next_run_time == trigger.get_next_fire_time(None, NOW) and plan.missed == 0


def test_start_plan_runs_a_missed_run_once_within_grace():
    trigger = parse_spec("1h")  # due at every full hour (anchored at the epoch)
    last = NOW - timedelta(hours=3, minutes=27)  # 11:00 ran; 12:00, 13:00 and 14:00 were missed
    plan = plan_start(trigger, last, NOW, timedelta(hours=1))
    assert plan.run_missed and plan.missed == 3
    assert plan.next_run_time == plan.last_missed == NOW.replace(minute=0, second=0)


def test_start_plan_beyond_grace_records_missed_and_waits():
    trigger = parse_spec("1h")
    plan = plan_start(trigger, NOW - timedelta(hours=2), NOW, timedelta(minutes=10))
    assert not plan.run_missed and plan.missed == 2
    assert plan.next_run_time == NOW.replace(minute=0, second=0) + timedelta(hours=1)


def test_bad_registry_entries_are_reported_by_name_and_others_load(tmp_path: Path):
    path = tmp_path / "sites.toml"
    path.write_text(entry("good_example_vn") + entry("badcron_example_vn", extra='schedule = "61 * * * *"\n')
                    + entry("badfamily_example_vn", family="joomla") + entry("other_example_vn"),
                    encoding="utf-8")
    loaded = load_sites([path])
    assert sorted(loaded.sites) == ["good_example_vn", "other_example_vn"]
    assert len(loaded.problems) == 2
    assert "badcron_example_vn" in loaded.problems[0] and "61" in loaded.problems[0]
    assert "badfamily_example_vn" in loaded.problems[1] and "joomla" in loaded.problems[1]


def test_schedule_list_warns_about_bad_entries_and_lists_the_rest(tmp_path: Path):
    from crawler.cli.schedule import schedule

    path = tmp_path / "sites.toml"
    path.write_text(entry("good_example_vn", extra='schedule = "6h"\n')
                    + entry("badfamily_example_vn", family="joomla"), encoding="utf-8")
    result = CliRunner().invoke(schedule, ["list", "--registry", str(path), "--revisit-every", "off"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("provnews: warning:")]
    assert len(warnings) == 1 and "badfamily_example_vn" in warnings[0]
    assert "crawl:good_example_vn" in result.stdout and "interval[6:00:00]" in result.stdout
    assert "badfamily" not in result.stdout


def test_lease_refuses_a_second_holder_and_frees_after_ttl(db_url: str):
    engine = db.open_database(db_url)
    ttl = timedelta(seconds=60)
    lease.acquire(engine, "host-a pid 1", NOW, ttl)
    with pytest.raises(lease.LeaseHeld, match=r"another scheduler is running.*host-a pid 1"):
        lease.acquire(engine, "host-b pid 2", NOW + timedelta(seconds=30), ttl)
    assert lease.heartbeat(engine, "host-a pid 1", NOW + timedelta(seconds=40))
    with pytest.raises(lease.LeaseHeld):
        lease.acquire(engine, "host-b pid 2", NOW + timedelta(seconds=90), ttl)  # beat at +40
    lease.acquire(engine, "host-b pid 2", NOW + timedelta(seconds=101), ttl)  # a stale lease
    assert not lease.heartbeat(engine, "host-a pid 1", NOW + timedelta(seconds=102))
    lease.release(engine, "host-b pid 2")
    lease.acquire(engine, "host-c pid 3", NOW + timedelta(seconds=103), ttl)
    engine.dispose()


def test_run_records_and_last_scheduled_per_site(db_url: str):
    engine = db.open_database(db_url)
    a, b = site("baosonla_vn"), site("quynhnhai_sonla_gov_vn")
    with Session(engine) as session, session.begin():
        for due, s, status in ((NOW - timedelta(days=1), a, "skipped"), (NOW, a, "missed"),
                               (NOW - timedelta(hours=2), b, "failed")):
            record.record_run(session, s, status=status, scheduled_at=due, started_at=NOW,
                              ended_at=NOW, summary="x " * 400)
    with Session(engine) as session:
        assert record.last_scheduled(session) == {a.key: NOW, b.key: NOW - timedelta(hours=2)}
        rows = session.scalars(sa.select(db.CrawlRunRow).order_by(db.CrawlRunRow.id)).all()
        assert [r.trigger for r in rows] == ["schedule"] * 3
        assert [r.status for r in rows] == ["skipped", "missed", "failed"]
        assert all(len(r.error_summary or "") <= record.SUMMARY_MAX for r in rows)
    engine.dispose()


@pytest.mark.parametrize(("flags", "code", "row", "expected"), [
    pytest.param({"timed_out": True}, -15, "partial", "timed_out", id="time-limit"),
    pytest.param({"interrupted": True}, -15, "running", "failed", id="shutdown-killed"),
    pytest.param({"interrupted": True}, 0, "ok", None, id="shutdown-finished-in-time"),
    pytest.param({}, 2, None, "failed", id="died-before-run"),
    pytest.param({}, -9, "running", "failed", id="died-mid-run"),
    pytest.param({}, 1, "failed", None, id="crawl-recorded-its-failure"),
    pytest.param({}, 0, "ok", None, id="ok"),
])
def test_outcome_of_a_child(flags, code, row, expected):
    child = Child("baosonla_vn", NOW, NOW, **flags)
    status, note = _outcome(child, code, "Traceback\nprovnews: error: boom\n", 60, row)
    assert status == expected
    assert (note is None) == (not flags and row not in (None, "running"))


def test_runs_shows_when_scheduled_runs_were_due_and_failed_includes_timed_out(tmp_path: Path):
    from crawler.cli.browse import runs

    url = f"sqlite:///{tmp_path / 'runs.db'}"
    engine = db.open_database(url)
    with Session(engine) as session, session.begin():
        for status in ("ok", "timed_out", "skipped"):
            record.record_run(session, site("baosonla_vn"), status=status, scheduled_at=NOW,
                              started_at=NOW, ended_at=NOW, summary=f"{status} note")
    engine.dispose()
    shown = CliRunner().invoke(runs, ["--db", url])
    assert shown.exit_code == 0, shown.output
    assert "due" in shown.stdout.splitlines()[0]
    assert shown.stdout.count("2025-11-03 21:27") == 6  # started and due, in Vietnam's time
    failed = CliRunner().invoke(runs, ["--db", url, "--failed"])
    assert [line.split()[4] for line in failed.stdout.splitlines()[2:]] == ["timed_out"]


def test_monitoring_jobs_follow_the_options():
    from datetime import time

    from crawler.schedule.config import ScheduleConfig as Config
    from crawler.schedule.jobs import build_jobs as jobs_of

    ids = {job.id: job for job in jobs_of([], Config(revisit_every=None, db_url="sqlite:///x.db"))}
    assert set(ids) == {"monitor:alerts", "monitor:daily-report"}
    assert all(job.func is not None and job.options()["coalesce"] for job in ids.values())
    assert "hour='6'" in str(ids["monitor:daily-report"].trigger)
    off = jobs_of([], Config(revisit_every=None, alerts_every=None, report_at=None))
    assert off == []
    late = {j.id: j for j in jobs_of([], Config(revisit_every=None, report_at=time(7, 30)))}
    assert "minute='30'" in str(late["monitor:daily-report"].trigger)
