"""``provnews export``: stored articles as CSV, JSON lines or XLSX (streamed)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy.orm import Session

from crawler.cli.common import EXIT_USAGE, ProvnewsError, db_option, open_engine
from crawler.cli.search import article_filter, filter_options
from crawler.monitor.export import FORMATS, ExportError
from crawler.monitor.export import export as run_export


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv (UTF-8 with BOM: opens in Excel), jsonl, or xlsx.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file [default: standard output; xlsx and --entities need a file].")  # fmt: skip
@click.option("--entities", is_flag=True, help="Also export people (with roles), places (with their "
              "units before/after 2025) and organisations: xlsx sheets, else files beside -o.")  # fmt: skip
@filter_options
@db_option
def export(fmt: str, output: Path | None, entities: bool, site: str | None, province: str | None,
           person: str | None, place: str | None, since: datetime | None, until: datetime | None,
           db_url: str | None) -> None:  # fmt: skip
    """Export stored articles, one row per article, in constant memory."""
    where = article_filter(site, province, person, place, since, until)
    if output is not None and not output.parent.is_dir():
        raise ProvnewsError(f"output directory {output.parent} does not exist", EXIT_USAGE)
    engine = open_engine(db_url)
    try:
        with Session(engine) as session:
            counts = run_export(session, fmt, where, path=output, stdout=sys.stdout, entities=entities)
    except ExportError as exc:
        raise ProvnewsError(str(exc), EXIT_USAGE) from None
    except OSError as exc:
        raise ProvnewsError(f"cannot write {exc.filename or output}: {exc.strerror or exc}") from None
    finally:
        engine.dispose()
    if output is not None:
        summary = ", ".join(f"{n} {table}" for table, n in counts.items())
        click.echo(f"wrote {output} ({summary})", err=True)
