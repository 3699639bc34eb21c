"""Reading the store: ``provnews sites``, ``articles`` and ``runs``."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from sqlalchemy.orm import Session

from crawler import db
from crawler.cli.common import (
    EXIT_USAGE,
    ProvnewsError,
    db_option,
    open_engine,
    registry,
    shorten,
    table,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(value: datetime | None) -> str:
    """An aware datetime shown in Vietnam's time, to the minute."""
    return value.astimezone(VN).strftime("%Y-%m-%d %H:%M") if value else ""


@click.group()
def sites() -> None:
    """The site registry."""


@sites.command(name="list")
@db_option
def sites_list(db_url: str | None) -> None:
    """Every registry site, with its stored article count and last crawl."""
    entries = registry()
    engine = open_engine(db_url)
    with Session(engine) as session:
        stored = {s.key: s for s in db.list_sites(session)}
    engine.dispose()
    rows = []
    for key, site in entries.items():
        summary = stored.get(key)
        rows.append([key, site.status, site.family, site.level, site.province,
                     summary.article_count if summary else 0,
                     local(summary.last_run_at) if summary else "", shorten(site.name, 50)])
    click.echo(table(rows, ["key", "status", "family", "level", "province", "articles",
                            "last crawl", "name"]))


@click.group()
def articles() -> None:
    """Stored articles."""


def article_summary(row: db.ArticleRow) -> dict[str, object]:
    """The JSON object ``articles list --json`` prints for one article."""
    return {
        "id": row.id, "site": row.site_key, "url": row.canonical_url, "title": row.title,
        "published": row.published_at.astimezone(VN).isoformat() if row.published_at else None,
        "author": row.author, "category": row.category, "status": row.status,
        "versions": row.version_count, "first_seen": row.first_seen_at.isoformat(),
        "last_seen": row.last_seen_at.isoformat(),
    }


@articles.command(name="list")
@click.option("--site", "site_key", metavar="KEY", help="Only this site.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
@click.option("--person", metavar="NAME", help="Only articles naming this person (\"Mai Thu Hương\").")
@click.option("--place", metavar="NAME", help="Only articles naming this place or its equivalent "
              "across the 2025 reform (\"xã Mường Giàng\", \"2025:03703\").")  # fmt: skip
@db_option
def articles_list(site_key: str | None, limit: int, as_json: bool, person: str | None,
                  place: str | None, db_url: str | None) -> None:  # fmt: skip
    """The newest stored articles (with --json: url, title, published, author, category,
    status (active or removed) and versions)."""
    engine = open_engine(db_url)
    with Session(engine) as session:
        if person or place:
            rows = db.list_articles_mentioning(session, person=person, place=place, site_key=site_key,
                                               limit=limit)  # fmt: skip
        else:
            rows = db.list_articles(session, site_key=site_key, limit=limit)
        if as_json:
            for row in rows:
                click.echo(json.dumps(article_summary(row), ensure_ascii=False))
        else:
            lines = [[r.id, r.site_key, local(r.published_at), r.status, r.version_count,
                      shorten(r.author, 20), shorten(r.title, 64)] for r in rows]
    engine.dispose()
    if not as_json:
        click.echo(table(lines, ["id", "site", "published", "status", "v", "author", "title"]))


@articles.command(name="show")
@click.argument("id_or_url")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def articles_show(id_or_url: str, as_json: bool, db_url: str | None) -> None:
    """One stored article, by id or URL."""
    engine = open_engine(db_url)
    with Session(engine) as session:
        row = db.get_article(session, id_or_url)
        if row is None:
            raise ProvnewsError(f"no stored article with id or URL '{id_or_url}'", EXIT_USAGE)
        data = {
            "id": row.id, "site": row.site_key, "url": row.url, "canonical_url": row.canonical_url,
            "title": row.title,
            "published": row.published_at.astimezone(VN).isoformat() if row.published_at else None,
            "published_raw": row.published_raw, "author": row.author, "source": row.source,
            "category": row.category, "lead": row.lead, "text": row.text,
            "first_seen": local(row.first_seen_at), "last_seen": local(row.last_seen_at),
            "provenance": row.provenance,
        }
    engine.dispose()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key in ("id", "site", "canonical_url", "title", "published", "published_raw", "author",
                "source", "category", "first_seen", "last_seen"):
        click.echo(f"{key:>14}: {data[key] if data[key] is not None else ''}")
    if data["lead"]:
        click.echo(f"\n{data['lead']}")
    click.echo(f"\n{data['text'] or ''}")


@click.command()
@click.option("--site", "site_key", metavar="KEY", help="Only this site.")
@click.option("--failed", is_flag=True, help="Only failed, partial or timed-out runs.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@db_option
def runs(site_key: str | None, failed: bool, limit: int, db_url: str | None) -> None:
    """Crawl run history: counts and errors per run, newest first. Scheduled runs show
    when they were due; the scheduler also records skipped and missed runs."""
    engine = open_engine(db_url)
    with Session(engine) as session:
        rows = db.list_runs(session, site_key=site_key, limit=limit if not failed else 10_000)
        if failed:
            rows = [r for r in rows if r.status in ("failed", "partial", "timed_out")][:limit]
        lines = [[r.id, r.site_key, local(r.started_at), r.status, r.discovered, r.fetched,
                  r.stored_new, r.updated, r.failed, local(r.scheduled_at) or r.trigger,
                  shorten(r.error_summary, 50)] for r in rows]
    engine.dispose()
    click.echo(table(lines, ["run", "site", "started", "status", "discovered", "fetched", "new",
                             "updated", "failed", "due", "errors"]))
