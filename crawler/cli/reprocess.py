"""``provnews reprocess``: re-extract stored articles from their kept raw HTML."""

from __future__ import annotations

import time
from collections import Counter

import click

from crawler import db
from crawler.cli.common import db_option, friendly_errors
from crawler.reprocess import reprocess as run_reprocess


@click.command()
@click.option("--site", "site_key", metavar="KEY", help="Only this site.")
@click.option("--workers", type=click.IntRange(0, 64), default=None, show_default="one per CPU",
              help="Extraction processes (0: in this process, as are runs of under 200 rows).")
@click.option("--entities/--no-entities", default=False, show_default=True,
              help="Also re-extract people, places and organisations of changed articles.")
@db_option
def reprocess(site_key: str | None, workers: int | None, entities: bool, db_url: str | None) -> None:
    """Re-extract every stored article from its raw HTML, after a parser improves.

    A changed extraction is stored as a new version (with a diff); an unchanged one is
    not written at all, so a rerun changes nothing. Nothing is fetched. Prints progress
    and the counts (updated, unchanged) with the rate.
    """
    start = shown = time.perf_counter()

    def progress(counts: Counter[str]) -> None:
        nonlocal shown
        now = time.perf_counter()
        if now - shown >= 1:  # at most a line a second
            shown = now
            done = sum(counts.values())
            click.echo(f"  … {done} articles, {done / (now - start):.0f}/s", err=True)

    with friendly_errors():
        counts = run_reprocess(db.resolve_database_url(db_url), site_key=site_key, workers=workers,
                               entities=entities, progress=progress)
    done = sum(counts.values())
    elapsed = time.perf_counter() - start
    click.echo(f"reprocessed {done} articles in {elapsed:.1f} s ({done / elapsed if elapsed else 0:.0f}/s): "
               + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
