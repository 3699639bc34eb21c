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
@click.option("--workers", type=click.IntRange(0, 64), default=2, show_default=True,
              help="Extraction processes (0: in this process).")
@click.option("--entities/--no-entities", default=False, show_default=True,
              help="Also re-extract people, places and organisations of changed articles.")
@db_option
def reprocess(site_key: str | None, workers: int, entities: bool, db_url: str | None) -> None:
    """Re-extract every stored article from its raw HTML, after a parser improves.

    A changed extraction is stored as a new version (with a diff); nothing is fetched.
    Prints progress and the counts (updated, unchanged) with the rate.
    """
    start = time.perf_counter()

    def progress(counts: Counter[str]) -> None:
        done = sum(counts.values())
        click.echo(f"  … {done} articles, {done / (time.perf_counter() - start):.0f}/s", err=True)

    with friendly_errors():
        counts = run_reprocess(db.resolve_database_url(db_url), site_key=site_key, workers=workers,
                               entities=entities, progress=progress)
    done = sum(counts.values())
    elapsed = time.perf_counter() - start
    click.echo(f"reprocessed {done} articles in {elapsed:.1f} s ({done / elapsed if elapsed else 0:.0f}/s): "
               + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
