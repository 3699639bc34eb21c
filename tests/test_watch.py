"""Watchlists on SQLite and PostgreSQL: matching rules, one alert per article version,
delivery to a local webhook with retries, clear errors for bad notification URLs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crawler import db
from crawler.cli.watch import watch
from crawler.monitor.delivery import deliver
from crawler.monitor.notify import NotifyError, check_target
from crawler.monitor.watch import WatchSpec, add_watchlist, evaluate
from tests.monitor_seed import DIEN_BIEN, QUYNH_NHAI, T0, WebhookReceiver, free_port, store

QN = "Huyện Quỳnh Nhai ra quân làm thủy lợi; người dân xã Mường Giàng góp công."
OTHER = "Thành phố Sơn La tổ chức giải chạy việt dã."


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def alerts(session: Session) -> list[tuple[str, int, str]]:
    rows = session.execute(sa.select(db.WatchlistRow.name, db.AlertRow.article_id, db.AlertRow.kind)
                           .join(db.WatchlistRow).order_by(db.AlertRow.id))  # fmt: skip
    return [tuple(r) for r in rows]


def test_keywords_fold_diacritics_unless_exact_and_scope_restricts(session):
    add_watchlist(session, "plain", WatchSpec(keywords=["quynh nhai"]), now=T0)
    add_watchlist(session, "exact", WatchSpec(keywords=["Quynh Nhai"], exact=True), now=T0)
    add_watchlist(session, "exact-marked", WatchSpec(keywords=["QUỲNH NHAI"], exact=True), now=T0)
    add_watchlist(session, "dien-bien-only", WatchSpec(keywords=["Quỳnh Nhai"], provinces=["dien bien"]),
                  now=T0)  # fmt: skip
    add_watchlist(session, "word-boundary", WatchSpec(keywords=["Nha"]), now=T0)
    qn = store(session, QUYNH_NHAI, "qn", "Thủy lợi", QN)
    store(session, QUYNH_NHAI, "other", "Việt dã", OTHER)
    assert evaluate(session, T0) == {"new": 2, "updated": 0, "removed": 0}
    assert sorted(alerts(session)) == [("exact-marked", qn, "new"), ("plain", qn, "new")]


def test_places_match_units_across_the_2025_reform(session):
    add_watchlist(session, "place", WatchSpec(places=["xã Quỳnh Nhai"]), now=T0)
    qn = store(session, QUYNH_NHAI, "qn", "Thủy lợi", QN, entities=True)  # names xã Mường Giàng
    evaluate(session, T0)
    matched = session.scalar(sa.select(db.AlertRow.matched))
    assert alerts(session) == [("place", qn, "new")] and matched == ["place: xã Quỳnh Nhai"]


def test_one_alert_per_version_then_update_and_removal(session):
    add_watchlist(session, "qn", WatchSpec(keywords=["Quỳnh Nhai"]), now=T0)
    qn = store(session, QUYNH_NHAI, "qn", "Thủy lợi", QN)
    assert evaluate(session, T0)["new"] == 1
    assert evaluate(session, T0) == {"new": 0, "updated": 0, "removed": 0}
    store(session, QUYNH_NHAI, "qn", "Thủy lợi (cập nhật)", QN + " Cập nhật.",
          seen_at=T0 + timedelta(hours=1))  # fmt: skip
    assert evaluate(session, T0 + timedelta(hours=1))["updated"] == 1
    for hours in (2, 3):  # two misses make a removal
        db.mark_missing(session, f"{QUYNH_NHAI.base_url}qn.html", T0 + timedelta(hours=hours))
    assert evaluate(session, T0 + timedelta(hours=3))["removed"] == 1
    assert evaluate(session, T0 + timedelta(hours=4)) == {"new": 0, "updated": 0, "removed": 0}
    assert alerts(session) == [("qn", qn, "new"), ("qn", qn, "updated"), ("qn", qn, "removed")]


def test_articles_stored_before_the_watchlist_do_not_alert_unless_from_start(session):
    store(session, QUYNH_NHAI, "qn", "Thủy lợi", QN)
    add_watchlist(session, "later", WatchSpec(keywords=["Quỳnh Nhai"]), now=T0)
    add_watchlist(session, "all", WatchSpec(keywords=["Quỳnh Nhai"]), now=T0, from_start=True)
    evaluate(session, T0)
    assert [a[0] for a in alerts(session)] == ["all"]


def test_webhook_delivery_retries_after_failure_and_never_sends_twice(session):
    port = free_port()  # nothing listens yet: the first attempt fails
    add_watchlist(session, "qn", WatchSpec(keywords=["quynh nhai"], targets=[f"json://127.0.0.1:{port}/hook"]),
                  now=T0)  # fmt: skip
    store(session, DIEN_BIEN, "x", "Tin Quỳnh Nhai", QN)
    evaluate(session, T0)
    session.commit()
    first = deliver(session, T0, {})
    assert (first.sent, first.failed) == (0, 1) and "Connection error" in first.errors[0]
    pending = session.scalars(sa.select(db.AlertDeliveryRow)).one()
    assert pending.delivered_at is None and pending.attempts == 1 and pending.next_attempt_at > T0
    assert deliver(session, T0 + timedelta(minutes=1), {}).failed == 0  # not due yet: not retried
    with WebhookReceiver(port) as hook:
        again = deliver(session, T0 + timedelta(hours=1), {})
        assert (again.sent, again.failed) == (1, 0)
        assert deliver(session, T0 + timedelta(hours=2), {}).sent == 0
    assert len(hook.received) == 1 and "Tin Quỳnh Nhai" in hook.received[0]["title"]


def test_digest_sends_one_message_for_many_alerts(session):
    with WebhookReceiver() as hook:
        spec = WatchSpec(keywords=["quynh nhai"], targets=[hook.url], mode="digest")
        add_watchlist(session, "digest", spec, now=T0)
        for n in range(3):
            store(session, QUYNH_NHAI, f"a{n}", f"Quỳnh Nhai tin {n}", QN)
        evaluate(session, T0)
        session.commit()
        assert deliver(session, T0, {}).sent == 0  # digests wait for a digest run
        report = deliver(session, T0, {}, digest=True)
    assert (report.sent, report.alerts) == (1, 3)
    assert len(hook.received) == 1 and hook.received[0]["title"] == "[provnews] digest: 3 alerts"


@pytest.mark.parametrize(("url", "message"), [
    ("nonsense://x", "invalid notification URL (nonsense://…): Apprise does not recognise it"),
    ("mailto://user:hunter2@127.0.0.1?to=a@b.example", "notification URL has a literal password"),
], ids=["unknown-scheme", "literal-password"])  # fmt: skip
def test_bad_notification_urls_are_refused_clearly(url: str, message: str):
    with pytest.raises(NotifyError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        check_target(url)
    assert "hunter2" not in str(info.value)


def test_secret_from_environment_is_expanded_at_send_time_and_missing_is_retried(session):
    with WebhookReceiver() as hook:
        url = f"json://127.0.0.1:{hook.port}/${{HOOK_PATH}}"
        add_watchlist(session, "env", WatchSpec(keywords=["quynh nhai"], targets=[url]), now=T0)
        store(session, QUYNH_NHAI, "qn", "Thủy lợi", QN)
        evaluate(session, T0)
        session.commit()
        missing = deliver(session, T0, {})
        assert missing.errors == [
            "env: environment variable HOOK_PATH is not set (a notification URL needs it)"]
        assert deliver(session, T0 + timedelta(hours=1), {"HOOK_PATH": "hook"}).sent == 1
    assert len(hook.received) == 1


def test_cli_add_list_test_remove(db_url):
    runner = CliRunner()
    with WebhookReceiver() as hook:
        added = runner.invoke(watch, ["add", "qn", "--keyword", "Quỳnh Nhai", "--notify", hook.url,
                                      "--db", db_url])  # fmt: skip
        assert added.exit_code == 0, added.output
        duplicate = runner.invoke(watch, ["add", "qn", "--keyword", "x", "--db", db_url])
        assert duplicate.exit_code == 2 and "exists already" in duplicate.output
        bad = runner.invoke(watch, ["add", "bad", "--notify", "nonsense://x", "--db", db_url])
        assert bad.exit_code == 2 and bad.output.startswith("provnews: error: invalid notification URL")
        listed = runner.invoke(watch, ["list", "--db", db_url])
        assert "qn" in listed.output and "keyword: Quỳnh Nhai" in listed.output
        tested = runner.invoke(watch, ["test", "qn", "--db", db_url])
        assert tested.exit_code == 0, tested.output
        assert len(hook.received) == 1 and hook.received[0]["title"] == "[provnews] qn: test"
    removed = runner.invoke(watch, ["remove", "qn", "--db", db_url])
    assert removed.exit_code == 0
    assert runner.invoke(watch, ["remove", "qn", "--db", db_url]).exit_code == 2
