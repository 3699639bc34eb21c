"""``provnews report daily``: the daily report as HTML (charts inline) and Markdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy.orm import Session

from crawler.cli.common import EXIT_USAGE, ProvnewsError, db_option, open_engine
from crawler.monitor.filters import VN
from crawler.monitor.report import daily_report
from crawler.monitor.report_render import write


@click.group()
def report() -> None:
    """Reports for analysts."""


@report.command(name="daily")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The day, Vietnam time [default: yesterday: it runs after the nightly crawls].")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports"), show_default=True, help="Directory to write into.")
@db_option
def report_daily(day: datetime | None, out_dir: Path, db_url: str | None) -> None:
    """Write provnews-daily-DATE.html and .md: articles per province and per site over 30
    days, new/edited/removed counts, top people (with roles) and places of the day,
    watchlist hits and the health summary, with charts."""
    the_day = day.date() if day else (datetime.now(UTC).astimezone(VN) - timedelta(days=1)).date()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProvnewsError(f"cannot create {out_dir}: {exc.strerror or exc}", EXIT_USAGE) from None
    engine = open_engine(db_url)
    with Session(engine) as session:
        content = daily_report(session, the_day)
    engine.dispose()
    html_path, md_path = write(content, out_dir)
    click.echo(f"wrote {html_path} and {md_path}")
