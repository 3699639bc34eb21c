"""``provnews watch``: watchlists (saved queries) and their alerts."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.cli.common import EXIT_ERROR, EXIT_USAGE, ProvnewsError, db_option, open_engine, shorten, table
from crawler.db.monitor_models import AlertDeliveryRow, AlertRow, WatchlistRow
from crawler.monitor.delivery import deliver
from crawler.monitor.notify import NotifyError, masked, send
from crawler.monitor.watch import WatchSpec, add_watchlist, evaluate, recent_matches
from crawler.monitor.watch import list_watchlists as all_watchlists
from crawler.monitor.watch import remove_watchlist as delete_watchlist

_AT = click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M%z"])


def _now(at: datetime | None) -> datetime:
    return at.astimezone(UTC) if at else datetime.now(UTC)


@click.group()
def watch() -> None:
    """Watchlists: saved queries that alert on new, edited and removed articles."""


@watch.command(name="add")
@click.argument("name")
@click.option("--keyword", "keywords", multiple=True, help="Words to find (diacritics optional).")
@click.option("--exact", is_flag=True, help="Keywords must match with their diacritics.")
@click.option("--person", "people", multiple=True, help="A person named in the article.")
@click.option("--place", "places", multiple=True, help="A place (also its units before/after 2025).")
@click.option("--org", "organizations", multiple=True, help="An organisation named in the article.")
@click.option("--site", "sites", multiple=True, metavar="KEY", help="Only these sites.")
@click.option("--province", "provinces", multiple=True, help="Only sites of these provinces.")
@click.option("--notify", "targets", multiple=True, metavar="URL",
              help="Apprise URL (mailto://, tgram://, slack://, json://...); write secrets as ${NAME} "
                   "(read from the environment).")  # fmt: skip
@click.option("--digest", is_flag=True, help="Send one digest per `watch run --digest`, not each alert.")
@click.option("--from-start", is_flag=True, help="Also alert on articles stored before now.")
@db_option
def watch_add(name: str, keywords: tuple[str, ...], exact: bool, people: tuple[str, ...],
              places: tuple[str, ...], organizations: tuple[str, ...], sites: tuple[str, ...],
              provinces: tuple[str, ...], targets: tuple[str, ...], digest: bool, from_start: bool,
              db_url: str | None) -> None:  # fmt: skip
    """Save a watchlist: any keyword, person, place or organisation matches, within the
    given sites and provinces."""
    spec = WatchSpec(keywords, exact, people, places, organizations, sites, provinces, targets,
                     "digest" if digest else "instant")  # fmt: skip
    engine = open_engine(db_url)
    try:
        with Session(engine) as session, session.begin():
            add_watchlist(session, name, spec, now=datetime.now(UTC), from_start=from_start)
    except (NotifyError, ValueError) as exc:
        raise ProvnewsError(str(exc), EXIT_USAGE) from None
    finally:
        engine.dispose()
    click.echo(f"watchlist {name!r} saved ({len(targets)} target(s), {spec.mode})")


def _criteria(w: WatchlistRow) -> str:
    parts = [f"keyword{'(exact)' if w.exact else ''}: {', '.join(w.keywords)}" if w.keywords else "",
             *(f"{label}: {', '.join(values)}" for label, values in (
                 ("person", w.people), ("place", w.places), ("org", w.organizations), ("site", w.sites),
                 ("province", w.provinces)) if values)]  # fmt: skip
    return "; ".join(p for p in parts if p)


@watch.command(name="list")
@db_option
def watch_list(db_url: str | None) -> None:
    """Every watchlist with its criteria, targets (secrets masked) and pending deliveries."""
    engine = open_engine(db_url)
    with Session(engine) as session:
        stmt = sa.select(AlertRow.watchlist_id, sa.func.count()).join(AlertDeliveryRow)
        stmt = stmt.where(AlertDeliveryRow.delivered_at.is_(None)).group_by(AlertRow.watchlist_id)
        pending = {watchlist_id: n for watchlist_id, n in session.execute(stmt)}
        rows = [[w.name, w.mode, shorten(_criteria(w), 60), " ".join(masked(t) for t in w.targets),
                 pending.get(w.id, 0)] for w in all_watchlists(session)]  # fmt: skip
    engine.dispose()
    click.echo(table(rows, ["name", "mode", "criteria", "targets", "pending"]))


@watch.command(name="remove")
@click.argument("name")
@db_option
def watch_remove(name: str, db_url: str | None) -> None:
    """Delete a watchlist and its alerts."""
    engine = open_engine(db_url)
    with Session(engine) as session, session.begin():
        found = delete_watchlist(session, name)
    engine.dispose()
    if not found:
        raise ProvnewsError(f"no watchlist named {name!r} (see `provnews watch list`)", EXIT_USAGE)
    click.echo(f"watchlist {name!r} removed")


@watch.command(name="test")
@click.argument("name")
@click.option("--no-send", is_flag=True, help="Only show matching articles; send nothing.")
@db_option
def watch_test(name: str, no_send: bool, db_url: str | None) -> None:
    """Show recent stored articles the watchlist matches and send a test message to each
    target; exits 1 when a target cannot be reached."""
    engine = open_engine(db_url)
    with Session(engine) as session:
        w = session.scalars(sa.select(WatchlistRow).where(WatchlistRow.name == name)).first()
        if w is None:
            raise ProvnewsError(f"no watchlist named {name!r} (see `provnews watch list`)", EXIT_USAGE)
        hits = recent_matches(session, w)
    engine.dispose()
    click.echo(f"{len(hits)} of the latest 200 articles in scope match")
    for row in hits[:10]:
        click.echo(f"  {row.article_id}  {shorten(row.title, 70)}  {row.canonical_url}")
    if no_send:
        return
    failures = []
    for target in w.targets:
        error = send(target, f"[provnews] {name}: test", f"Test message for watchlist {name!r}.", os.environ)
        click.echo(f"{masked(target)}: {'sent' if error is None else error}")
        if error is not None:
            failures.append(error)
    if failures:
        raise ProvnewsError(f"{len(failures)} target(s) failed: {failures[0]}", EXIT_ERROR)


@watch.command(name="run")
@click.option("--digest", is_flag=True, help="Also send the digests of digest watchlists.")
@click.option("--at", type=_AT, help="Act as of this time (ISO 8601 with offset) [default: now].")
@db_option
def watch_run(digest: bool, at: datetime | None, db_url: str | None) -> None:
    """Raise alerts for articles stored, edited or removed since the last run, then send
    the due ones (failed sends are kept and retried later, backing off). Run it after
    each crawl; exits 1 when a delivery failed."""
    now = _now(at)
    engine = open_engine(db_url)
    with Session(engine) as session:
        with session.begin():
            raised = evaluate(session, now)
        report = deliver(session, now, os.environ, digest=digest)
    engine.dispose()
    click.echo(f"alerts raised: {raised['new']} new, {raised['updated']} edited, "
               f"{raised['removed']} removed; sent {report.sent} message(s) for {report.alerts} alert(s)")
    if report.failed:
        raise ProvnewsError(f"{report.failed} alert delivery(ies) failed and will be retried: "
                            f"{report.errors[0]}", EXIT_ERROR)  # fmt: skip
