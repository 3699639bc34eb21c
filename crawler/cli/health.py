"""``provnews health``: per-site health from the run history; exits 1 when a site is in alert."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click
from sqlalchemy.orm import Session

from crawler.cli.common import db_option, open_engine, table
from crawler.monitor.filters import VN
from crawler.monitor.health import COVERAGE_FIELDS, SiteHealth, site_health

EXIT_ALERT = 1
AT = click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M%z"])


def _when(value: datetime | None) -> str:
    return value.astimezone(VN).strftime("%Y-%m-%d %H:%M") if value else "never"


def _shares(shares: dict[str, float] | None) -> str:
    return "/".join(f"{shares[f]:.0%}" for f in COVERAGE_FIELDS) if shares else ""


def health_row(h: SiteHealth) -> list[object]:
    fresh = "" if h.hours_since_new is None else f"{h.hours_since_new:.0f}h"
    if h.freshness_limit_hours is not None:
        fresh += f" (max {h.freshness_limit_hours:.0f}h)"
    items = "" if h.items is None else str(h.items)
    if h.items_median is not None:
        items += f" (median {h.items_median:g})"
    errors = " ".join(f"{k}×{n}" for k, n in h.http_errors.items())
    return [h.key, h.status, f"{h.last_status or ''} {_when(h.last_run_at)}", _when(h.last_success_at),
            fresh, items, _shares(h.coverage), errors, "; ".join(h.alerts + h.warnings)]  # fmt: skip


def health_json(h: SiteHealth) -> dict[str, object]:
    data = {k: v for k, v in vars(h).items()}
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat()
    return {**data, "status": h.status}


HEADERS = ["site", "health", "last run", "last success", "since new", "items", "date/author/body",
           "http errors", "why"]  # fmt: skip


@click.command()
@click.option("--site", metavar="KEY", help="Only this site.")
@click.option("--at", "at", type=AT,
              help="Judge as of this time (ISO 8601 with offset) [default: now].")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON object per site.")
@db_option
def health(site: str | None, at: datetime | None, as_json: bool, db_url: str | None) -> None:
    """Site health from the crawl history: last success, freshness against the site's own
    rhythm, item count against its rolling median, field coverage (date/author/body),
    HTTP errors, moves to a new domain. Exits 1 when any site is in alert."""
    now = at.astimezone(UTC) if at else datetime.now(UTC)
    engine = open_engine(db_url)
    with Session(engine) as session:
        report = site_health(session, now, site=site)
    engine.dispose()
    if as_json:
        for h in report:
            click.echo(json.dumps(health_json(h), ensure_ascii=False))
    else:
        click.echo(table([health_row(h) for h in report], HEADERS))
    alerts = [h.key for h in report if h.status == "alert"]
    if alerts:
        click.echo(f"provnews: {len(alerts)} site(s) in alert: {', '.join(alerts)}", err=True)
        sys.exit(EXIT_ALERT)
