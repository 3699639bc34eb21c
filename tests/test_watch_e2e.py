"""A watchlist on "Quỳnh Nhai" against real crawls of the replica: exactly one email (to a
real local SMTP server) and one webhook post per matching new article version; a
re-crawl sends nothing; an edit sends one update alert; while the SMTP server is down the
email alerts wait and go out once it is back, and the webhook never gets a duplicate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crawler import db
from crawler.cli.watch import watch
from crawler.monitor.text import fold
from crawler.replica import ReplicaServer
from tests.conftest import FIXTURES
from tests.monitor_seed import SmtpServer, WebhookReceiver
from tests.test_crawl_e2e import crawl

SITE, HOST = "wp_example", "wp.example"


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[ReplicaServer]:
    """The replica, its generated sites drawing on texts of which every other one names
    Quỳnh Nhai (the fixtures are linked, only the generated texts' source is rewritten)."""
    root = tmp_path / "fixtures"
    (root / "nukeviet").mkdir(parents=True)
    for entry in FIXTURES.iterdir():
        if entry.name != "nukeviet":
            (root / entry.name).symlink_to(entry)
    for entry in (FIXTURES / "nukeviet").iterdir():
        if entry.name != "labels.jsonl":
            (root / "nukeviet" / entry.name).symlink_to(entry)
    labels = (FIXTURES / "nukeviet" / "labels.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in labels.splitlines() if line.strip()]
    for i, row in enumerate(rows):
        if i % 2 == 0 and row.get("body_first"):
            row["body_first"] = "Tại huyện Quỳnh Nhai, " + row["body_first"]
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    (root / "nukeviet" / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with ReplicaServer(fixtures_dir=root) as server:
        yield server


def matching_versions(url: str) -> list[tuple[str, int]]:
    """(canonical URL, version) of every stored version naming Quỳnh Nhai, checked here
    independently of the watchlist code."""
    engine = db.open_database(url)
    with Session(engine) as session:
        rows = session.execute(sa.select(db.ArticleRow.canonical_url, db.ArticleVersionRow.version,
                                         db.ArticleVersionRow.title, db.ArticleVersionRow.lead,
                                         db.ArticleVersionRow.text).join(db.ArticleRow))  # fmt: skip
        out = [(u, v) for u, v, *parts in rows if "quynh nhai" in fold(" ".join(p or "" for p in parts))]
    engine.dispose()
    return sorted(out)


def subject(raw: str) -> str:
    return str(make_header(decode_header(message_from_string(raw)["Subject"])))


def run_watch(url: str, at: datetime | None = None):
    args = ["run", "--db", url] + (["--at", at.isoformat()] if at else [])
    return CliRunner().invoke(watch, args)


def test_quynh_nhai_alerts_once_per_version_by_email_and_webhook(replica, tmp_path):
    url = f"sqlite:///{tmp_path / 'watch.db'}"
    smtp = SmtpServer().start()
    try:
        with WebhookReceiver() as hook:
            added = CliRunner().invoke(watch, ["add", "quynh-nhai", "--keyword", "Quỳnh Nhai", "--notify",
                                               smtp.url, "--notify", hook.url, "--db", url])  # fmt: skip
            assert added.exit_code == 0, added.output
            assert crawl(replica, url, SITE).returncode == 0
            first = matching_versions(url)
            assert len(first) >= 5  # the replica's texts come from the Quỳnh Nhai portal
            result = run_watch(url)
            assert result.exit_code == 0, result.output
            assert f"alerts raised: {len(first)} new, 0 edited" in result.output
            assert len(smtp.messages) == len(hook.received) == len(first)
            assert all(subject(m).startswith("[provnews] quynh-nhai: new article - ") for m in smtp.messages)

            # A re-crawl of the unchanged site sends nothing more.
            assert crawl(replica, url, SITE).returncode == 0
            assert run_watch(url).exit_code == 0
            assert len(smtp.messages) == len(hook.received) == len(first)

            # Edits: one update alert per edited matching article; SMTP is down meanwhile.
            edited = replica.site(HOST).edit_articles(6)
            assert crawl(replica, url, SITE).returncode == 0
            updates = [(u, v) for u, v in matching_versions(url) if v == 2]
            assert updates and {u for u, _ in updates} <= set(edited)
            smtp.stop()
            down = run_watch(url)
            assert down.exit_code == 1
            assert down.output.splitlines()[-1].startswith(
                f"provnews: error: {len(updates)} alert delivery(ies) failed and will be retried: "
                "quynh-nhai: sending failed: Connection error while submitting email")
            assert len(hook.received) == len(first) + len(updates)  # the webhook got its alerts
            assert len(smtp.messages) == len(first)

            smtp.start()
            later = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
            back = run_watch(url, at=later)
            assert back.exit_code == 0, back.output
            assert len(smtp.messages) == len(first) + len(updates)
            assert len(hook.received) == len(first) + len(updates)  # no duplicate to the webhook
            edited_subjects = [subject(m) for m in smtp.messages[len(first):]]
            assert all(s.startswith("[provnews] quynh-nhai: edited article - ") for s in edited_subjects)
            quiet = run_watch(url, at=later + timedelta(hours=1))
            assert quiet.output.endswith("sent 0 message(s) for 0 alert(s)\n")
    finally:
        smtp.stop()
