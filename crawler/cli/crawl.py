"""``provnews crawl`` and ``provnews demo``."""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any

import click
from sqlalchemy.orm import Session

from crawler import db
from crawler.cli.browse import local
from crawler.cli.common import (
    EXIT_USAGE,
    ProvnewsError,
    db_option,
    open_engine,
    pick_sites,
    registry,
    shorten,
    table,
)
from crawler.runner import ENVIRONMENTS, RunSummary, build_settings, run_crawls

DEMO_SITES = ("portal_example", "news_example")


def _parse_overrides(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ProvnewsError(f"-s expects NAME=VALUE, got '{pair}'", EXIT_USAGE)
        out[name.strip()] = value
    return out


def summary_table(summaries: list[RunSummary]) -> str:
    rows = [
        [s.site_key, s.status, s.discovered, s.fetched, s.stored_new, s.updated, s.unchanged,
         s.removed, s.failed, s.requests, ", ".join(f"{k}:{v}" for k, v in sorted(s.errors.items()))]
        for s in summaries
    ]
    headers = ["site", "status", "discovered", "fetched", "new", "updated", "unchanged",
               "removed", "failed", "requests", "errors"]
    return table(rows, headers)


def _crawl(keys: list[str], db_url: str | None, env: str, overrides: dict[str, Any],
           use_replica: bool, verbose: bool) -> list[RunSummary]:
    url = db.resolve_database_url(db_url)
    open_engine(url).dispose()  # fail fast, in one line, before Scrapy starts
    overrides = {"PROVNEWS_DATABASE_URL": url, **overrides}
    if not verbose:
        overrides.setdefault("LOG_LEVEL", "WARNING")
    with ExitStack() as stack:
        if use_replica:
            from crawler.replica import REPLICA_HOSTS, ReplicaServer

            server = stack.enter_context(ReplicaServer())
            click.echo(f"replica sites served through {server.proxy_url}", err=True)
            overrides["PROVNEWS_HOST_MAP"] = {h: server.proxy_url for h in REPLICA_HOSTS}
        try:
            settings = build_settings(env, overrides)
        except ValueError as exc:
            raise ProvnewsError(str(exc), EXIT_USAGE) from None
        click.echo(f"crawling {', '.join(keys)} into {db.mask_url(url)}", err=True)
        return run_crawls(keys, settings)


def _errors_text(summary: RunSummary) -> str:
    pairs = sorted(summary.errors.items())
    return ", ".join(f"{kind}: {n}" for kind, n in pairs) or "no articles found"


def _report(summaries: list[RunSummary]) -> None:
    click.echo(summary_table(summaries))
    failed = [s for s in summaries if s.status == "failed"]
    if failed:
        detail = "; ".join(f"{s.site_key} ({_errors_text(s)})" for s in failed)
        raise ProvnewsError(f"{len(failed)} of {len(summaries)} site crawls failed: {detail}")


@click.command()
@click.argument("site_keys", nargs=-1, metavar="[SITE]...")
@click.option("--all", "all_sites", is_flag=True, help="Crawl every site whose status is active.")
@db_option
@click.option("--env", type=click.Choice(ENVIRONMENTS), envvar="PROVNEWS_ENV", default="dev",
              show_default=True, help="Settings module: settings.<env>.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy/provnews setting (repeatable).")
@click.option("--replica", is_flag=True,
              help="Start the bundled replica server and route its hosts through it.")
@click.option("--backfill", is_flag=True,
              help="Walk every listing page (the whole archive), not just until known articles.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
def crawl(site_keys: tuple[str, ...], all_sites: bool, db_url: str | None, env: str,
          overrides: tuple[str, ...], replica: bool, backfill: bool, verbose: bool) -> None:
    """Crawl SITE(s) from the registry and print a summary per site.

    Crawls are incremental: stored articles are fetched again only when the revisit
    policy says they are due (to catch edits and removals). Exits 1 when any site's run
    failed (recorded in the database with its errors).
    """
    sites = registry()
    if all_sites:
        keys = [k for k, s in sites.items() if s.status == "active"]
    elif site_keys:
        keys = pick_sites(site_keys, sites)
    else:
        raise ProvnewsError("name at least one SITE or use --all (see `provnews sites list`)",
                            EXIT_USAGE)
    if not keys:
        raise ProvnewsError("no active sites in the registry", EXIT_USAGE)
    settings = _parse_overrides(overrides)
    if backfill:
        settings["PROVNEWS_BACKFILL"] = True
    _report(_crawl(keys, db_url, env, settings, replica, verbose))


@click.command()
@db_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
def demo(db_url: str | None, verbose: bool) -> None:
    """Serve the bundled replica sites locally and crawl them into the database.

    The replica is a real NukeViet government portal (93 articles) and a news site
    built from 15 real Vietnamese news pages. Running it again stores nothing new.
    """
    sites = registry()
    keys = pick_sites(DEMO_SITES, sites)
    # The replica is on this machine: no politeness delay is needed.
    summaries = _crawl(keys, db_url, os.environ.get("PROVNEWS_ENV", "dev"),
                       {"DOWNLOAD_DELAY": 0}, True, verbose)
    engine = open_engine(db_url)
    with Session(engine) as session:
        rows = db.list_articles(session, limit=8)
        totals = {k: db.count_articles(session, k) for k in keys}
    engine.dispose()
    click.echo("")
    click.echo(summary_table(summaries))
    click.echo("")
    click.echo("stored articles: " + ", ".join(f"{k} {n}" for k, n in totals.items()))
    click.echo(table(
        [[r.id, r.site_key, local(r.published_at),
          shorten(r.author, 18), shorten(r.title, 60)] for r in rows],
        ["id", "site", "published", "author", "title"],
    ))
    click.echo("\nnext: provnews articles list | provnews articles show ID")
    if any(s.status == "failed" for s in summaries):
        _report(summaries)


__all__ = ["crawl", "demo"]
