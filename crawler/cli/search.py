"""``provnews search``: full-text search of stored articles (with or without diacritics)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from sqlalchemy.orm import Session

from crawler.cli.common import EXIT_USAGE, ProvnewsError, db_option, open_engine
from crawler.monitor.filters import VN, ArticleFilter
from crawler.monitor.search import SearchError, SearchHit
from crawler.monitor.search import search as run_search

_DAY = click.DateTime(formats=["%Y-%m-%d"])


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The article filter options shared by ``search`` and ``export``."""
    options = [
        click.option("--site", metavar="KEY", help="Only this site."),
        click.option("--province", metavar="NAME", help="Only sites of this province (\"son la\" works)."),
        click.option("--person", metavar="NAME", help="Only articles naming this person."),
        click.option("--place", metavar="NAME", help="Only articles naming this place or its "
                     "equivalent across the 2025 reform."),
        click.option("--since", type=_DAY, metavar="YYYY-MM-DD", help="Published (else first seen) "
                     "on or after this day, Vietnam time."),
        click.option("--until", type=_DAY, metavar="YYYY-MM-DD", help="Published (else first seen) "
                     "on or before this day, Vietnam time."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def article_filter(site: str | None, province: str | None, person: str | None, place: str | None,
                   since: datetime | None, until: datetime | None) -> ArticleFilter:  # fmt: skip
    if since and until and since > until:
        raise ProvnewsError("--since is after --until", EXIT_USAGE)
    return ArticleFilter(site=site, province=province, person=person, place=place,
                         since=since.date() if since else None, until=until.date() if until else None)


def _hit_json(hit: SearchHit) -> str:
    published = hit.published_at.astimezone(VN).isoformat() if hit.published_at else None
    return json.dumps({"id": hit.article_id, "site": hit.site, "url": hit.url, "title": hit.title,
                       "published": published, "status": hit.status, "score": round(hit.score, 6),
                       "snippet": hit.snippet}, ensure_ascii=False)  # fmt: skip


def _hit_text(rank: int, hit: SearchHit) -> str:
    published = hit.published_at.astimezone(VN).strftime("%Y-%m-%d %H:%M") if hit.published_at else "undated"
    removed = " (removed)" if hit.status == "removed" else ""
    return (f"{rank}. {hit.title or '(no title)'}{removed}\n   {hit.site} · {published} · id {hit.article_id}"
            f" · {hit.url}\n   {hit.snippet}")  # fmt: skip


@click.command()
@click.argument("query")
@filter_options
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
@db_option
def search(query: str, site: str | None, province: str | None, person: str | None, place: str | None,
           since: datetime | None, until: datetime | None, limit: int, as_json: bool,
           db_url: str | None) -> None:  # fmt: skip
    """Full-text search, best match first, with snippets ([matched words]).

    Diacritics and case do not matter: "quynh nhai" finds "Quỳnh Nhai". All words must
    occur; words in double quotes must occur together as a phrase.
    """
    where = article_filter(site, province, person, place, since, until)
    engine = open_engine(db_url)
    try:
        with Session(engine) as session:
            hits = run_search(session, query, where, limit=limit)
    except SearchError as exc:
        raise ProvnewsError(str(exc), EXIT_USAGE) from None
    finally:
        engine.dispose()
    if as_json:
        for hit in hits:
            click.echo(_hit_json(hit))
        return
    if not hits:
        click.echo("no matching articles")
    for rank, hit in enumerate(hits, 1):
        click.echo(_hit_text(rank, hit))
