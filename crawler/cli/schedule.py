"""``provnews schedule list`` and ``provnews schedule run [--once]``: the scheduler service."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import click

from crawler import db
from crawler.cli.common import EXIT_USAGE, ProvnewsError, db_option, friendly_errors, table
from crawler.registry import STATUSES
from crawler.runner import ENVIRONMENTS
from crawler.schedule.config import TIMEZONE, ScheduleConfig, parse_spec
from crawler.schedule.jobs import build_jobs, without_jitter
from crawler.schedule.lease import LeaseHeld
from crawler.schedule.sites import load_sites

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _window(value: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ProvnewsError(f"--window expects HH:MM-HH:MM, got {value!r}", EXIT_USAGE) from None
    return start, end


def _spec(value: str | None, option: str) -> str | None:
    if value is None or value == "off":
        return None
    try:
        parse_spec(value)
    except ValueError as exc:
        raise ProvnewsError(f"{option}: {exc}", EXIT_USAGE) from None
    return value


def _config(opts: dict[str, Any]) -> ScheduleConfig:
    start, end = _window(opts["window"])
    # Sites named with --site are scheduled whatever their registry status.
    statuses = tuple(sorted(STATUSES)) if opts["only"] else ("active",)
    return ScheduleConfig(
        window_start=start, window_end=end, jitter=opts["jitter"], every=_spec(opts["every"], "--every"),
        max_concurrent=opts["max_concurrent"], time_limit=opts["time_limit"],
        misfire_grace=opts["misfire_grace"], shutdown_grace=opts["shutdown_grace"],
        reload_every=opts["reload_every"], revisit_every=_spec(opts["revisit_every"], "--revisit-every"),
        env=opts["env"], statuses=statuses,
        alerts_every=_spec(opts["alerts_every"], "--alerts-every"),
        report_at=None if opts["report_at"] == "off" else _time(opts["report_at"]),
        report_dir=str(opts["report_dir"]),
    )


def _time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ProvnewsError(f"--report-at expects HH:MM or off, got {value!r}", EXIT_USAGE) from None


def schedule_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``list`` and ``run`` share (the schedule must be the same in both)."""
    options = [
        click.option("--registry", "registry_files", multiple=True, type=click.Path(path_type=Path),
                     help="Registry TOML file(s) [default: settings/sites.toml + replica_sites.toml]."),
        click.option("--site", "only", multiple=True, metavar="KEY",
                     help="Only these sites, whatever their status (repeatable)."),
        click.option("--window", default="01:00-05:00", show_default=True,
                     help="Nightly window (Asia/Ho_Chi_Minh) over which crawls are spread."),
        click.option("--jitter", type=click.IntRange(0), default=300, show_default=True,
                     help="Random delay added to each run, in seconds (bounded for short intervals)."),
        click.option("--every", metavar="SPEC", help="One schedule for every site instead of the "
                     "window: '30m', '6h', '10s' or a crontab line."),
        click.option("--revisit-every", default="6h", show_default=True, metavar="SPEC|off",
                     help="How often sites with articles due a re-check are crawled."),
        click.option("--alerts-every", default="1h", show_default=True, metavar="SPEC|off",
                     help="How often watchlists are evaluated and alerts sent (provnews watch run)."),
        click.option("--report-at", default="06:00", show_default=True, metavar="HH:MM|off",
                     help="Daily report and watchlist digests, local time."),
        click.option("--report-dir", default="reports", show_default=True, type=click.Path(),
                     help="Where the daily reports are written."),
        click.option("--max-concurrent", type=click.IntRange(1), default=2, show_default=True,
                     help="Crawls running at once, at most."),
        click.option("--time-limit", type=click.FloatRange(min=1), default=3600, show_default=True,
                     help="Seconds a crawl may run before it is stopped (recorded timed_out)."),
        click.option("--misfire-grace", type=click.IntRange(1), default=3600, show_default=True,
                     help="Seconds after its due time a run may still start (e.g. after a restart)."),
        click.option("--shutdown-grace", type=click.FloatRange(min=0), default=60, show_default=True,
                     help="On SIGTERM/SIGINT, seconds running crawls get before they are stopped."),
        click.option("--reload-every", type=click.IntRange(0), default=300, show_default=True,
                     help="Seconds between registry re-reads (0: only on SIGHUP)."),
        click.option("--env", type=click.Choice(ENVIRONMENTS), default="prod", show_default=True,
                     help="Settings module of the crawls."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group()
def schedule() -> None:
    """The scheduler service: every site crawled on its schedule, each crawl in its own process."""


def _load(opts: dict[str, Any]) -> tuple[ScheduleConfig, dict[str, Any]]:
    config = _config(opts)
    loaded = load_sites(list(opts["registry_files"]) or None)
    for problem in loaded.problems:
        click.echo(f"provnews: warning: registry: {problem} (not scheduled)", err=True)
    sites = {k: s for k, s in loaded.sites.items() if not opts["only"] or k in opts["only"]}
    return config, sites


@schedule.command(name="list")
@schedule_options
def schedule_list(**opts: Any) -> None:
    """Each job with its trigger, jitter and next run time (Asia/Ho_Chi_Minh)."""
    config, sites = _load(opts)
    now = datetime.now(UTC)
    rows = []
    for spec in build_jobs(sites.values(), config):
        nominal = without_jitter(spec.trigger)
        upcoming = nominal.get_next_fire_time(None, now)
        rows.append([spec.id, str(nominal), getattr(spec.trigger, "jitter", None) or 0,
                     upcoming.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S") if upcoming else ""])
    click.echo(table(rows, ["job", "trigger", "jitter_s", "next run (before jitter)"]))


def setup_logging(log_file: Path | None, verbose: bool) -> None:
    """Log lines to stderr and, with --log-file, to a rotating file (10 MB x 5)."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(log_file, maxBytes=10_000_000,
                                                             backupCount=5, encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.INFO if verbose else logging.WARNING)


@schedule.command(name="run")
@schedule_options
@db_option
@click.option("--once", is_flag=True, help="Crawl every scheduled site once now, then exit "
              "(exit 1 when a run was not ok).")
@click.option("-s", "--set", "crawl_settings", multiple=True, metavar="NAME=VALUE",
              help="A setting passed to every crawl (`provnews crawl -s`), repeatable.")
@click.option("--log-file", type=click.Path(path_type=Path), help="Also log to this rotating file.")
@click.option("-v", "--verbose", is_flag=True, help="Also show APScheduler's own INFO log.")
def schedule_run(db_url: str | None, once: bool, crawl_settings: tuple[str, ...],
                 log_file: Path | None, verbose: bool, **opts: Any) -> None:
    """Run the scheduler service until SIGTERM/SIGINT (exit 0 after a clean stop).

    One service per database: a second one exits 1 with a one-line message. Bad registry
    entries are logged, naming the entry, and the other sites are scheduled. SIGHUP
    re-reads the registry.
    """
    from crawler.schedule.service import SchedulerService

    url = db.resolve_database_url(db_url)
    config = replace(_config(opts), db_url=url)
    setup_logging(log_file, verbose)
    crawl_args = tuple(arg for pair in crawl_settings for arg in ("-s", pair))
    with friendly_errors():
        service = SchedulerService(url, config, tuple(opts["registry_files"]), crawl_args,
                                   tuple(opts["only"]))
    try:
        code = service.run_once() if once else service.run()
    except LeaseHeld as exc:
        raise ProvnewsError(f"scheduler not started: {exc}") from None
    if code:
        raise SystemExit(code)


__all__ = ["schedule", "schedule_run"]
