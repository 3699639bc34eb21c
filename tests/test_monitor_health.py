"""Site health over a simulated 7-day history of real crawls of the replica's generated
sites: a healthy site is never flagged, a site that stops publishing is flagged for
freshness, a redesign that drops dates from article pages is flagged for coverage.

Each day the sites change (new articles), the real CLI crawls them in a child process,
and the runs it recorded are moved to that simulated day (crawls stamp runs with the
wall clock); health is then judged as of one hour later.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crawler import db
from crawler.cli.health import health as health_command
from crawler.monitor.health import site_health
from crawler.replica.response import Response
from tests.test_crawl_e2e import crawl

DAY0 = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # 03:00 in Vietnam, the nightly crawl
HEALTHY, STOPS, REDESIGNED = "wp_example", "wpclassic_example", "liferay_example"
HOSTS = {HEALTHY: "wp.example", STOPS: "wpclassic.example", REDESIGNED: "liferay.example"}
PUBLISH_DATE = re.compile(rb'<span class="metadata-entry metadata-publish-date">[^<]*</span>')


class Undated:
    """A theme after a redesign: article pages no longer show their publication date."""

    def __init__(self, theme) -> None:
        self.theme, self.family = theme, theme.family

    def article_path(self, article) -> str:
        return self.theme.article_path(article)

    def respond(self, view, path: str, query: str) -> Response:
        response = self.theme.respond(view, path, query)
        if response.article_url:
            return response.evolve(body=PUBLISH_DATE.sub(b"", response.body))
        return response


def move_runs_to(url: str, after_run_id: int, when: datetime) -> int:
    """Stamp the runs after ``after_run_id`` (and the versions they stored) with ``when``."""
    engine = db.open_database(url)
    with Session(engine) as session, session.begin():
        session.execute(sa.update(db.CrawlRunRow).where(db.CrawlRunRow.id > after_run_id)
                        .values(started_at=when, ended_at=when + timedelta(minutes=5)))  # fmt: skip
        versions = db.ArticleVersionRow
        moved = sa.update(versions).where(versions.crawl_run_id > after_run_id)
        session.execute(moved.values(captured_at=when))
        last = session.scalar(sa.select(sa.func.max(db.CrawlRunRow.id)))
    engine.dispose()
    return last or 0


def judge(url: str, now: datetime) -> dict[str, object]:
    engine = db.open_database(url)
    with Session(engine) as session:
        out = {h.key: h for h in site_health(session, now)}
    engine.dispose()
    return out


def test_seven_day_history_flags_freshness_and_coverage_without_false_alarms(replica, tmp_path):
    url = f"sqlite:///{tmp_path / 'health.db'}"
    last_run, verdicts = 0, []
    for day in range(7):
        when = DAY0 + timedelta(days=day)
        if day:
            replica.site(HOSTS[HEALTHY]).add_articles(3)
            replica.site(HOSTS[REDESIGNED]).add_articles(3)
            if day <= 3:
                replica.site(HOSTS[STOPS]).add_articles(2)
        if day == 6:
            site = replica.site(HOSTS[REDESIGNED])
            site.theme = Undated(site.theme)
        result = crawl(replica, url, *HOSTS)
        assert result.returncode == 0, result.stderr
        last_run = move_runs_to(url, last_run, when)
        verdicts.append(judge(url, when + timedelta(hours=1)))

    for day, report in enumerate(verdicts):
        assert report[HEALTHY].alerts == [], (day, report[HEALTHY])  # no false alarm, any day
        assert report[REDESIGNED].alerts == ([] if day < 6 else report[REDESIGNED].alerts), day
        assert (report[STOPS].status == "alert") == (day >= 5), (day, report[STOPS])
    final = verdicts[-1]
    assert final[STOPS].alerts == ["freshness: no new article for 73 h (usual gap up to 24 h)"]
    assert len(final[REDESIGNED].alerts) == 1
    assert final[REDESIGNED].alerts[0].startswith("coverage: date 0% (usually 100%)")
    assert final[HEALTHY].coverage == {"date": 1.0, "author": 1.0, "body": 1.0}

    at = (DAY0 + timedelta(days=6, hours=1)).isoformat()
    result = CliRunner().invoke(health_command, ["--db", url, "--at", at])
    print(result.output)
    assert result.exit_code == 1
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:] if line.strip()}
    assert rows[HEALTHY].split()[1] == "ok"
    assert "freshness" in rows[STOPS] and "coverage: date 0%" in rows[REDESIGNED]
    assert f"2 site(s) in alert: {REDESIGNED}, {STOPS}" in result.output
    healthy_only = CliRunner().invoke(health_command, ["--db", url, "--at", at, "--site", HEALTHY])
    assert healthy_only.exit_code == 0, healthy_only.output
