"""``provnews extract``: parse saved pages offline, one JSON object per page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from crawler.cli.common import EXIT_USAGE, ProvnewsError
from crawler.extract import extract_article

FAMILIES = ("nukeviet", "generic")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="The page's URL (resolves relative links; only with one FILE).")
@click.option("--family", type=click.Choice(FAMILIES), help="CMS family hint (default: detect).")
@click.option("--indent", type=int, default=None, help="Pretty-print with this indent.")
def extract(files: tuple[Path, ...], url: str | None, family: str | None,
            indent: int | None) -> None:
    """Extract the article fields from saved HTML FILE(s) and print JSON lines.

    Each line has id (the file name without extension), url, title, published (ISO 8601
    with offset, or null), published_raw, author, authors, source, lead, text, category,
    provenance and problems.
    """
    if url and len(files) > 1:
        raise ProvnewsError("--url applies to a single FILE", EXIT_USAGE)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise ProvnewsError(f"no such file: {', '.join(missing)}", EXIT_USAGE)
    now = datetime.now(UTC)
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ProvnewsError(f"cannot read {path}: {exc.strerror}") from None
        article = extract_article(data, url, fetched_at=now, family=family)
        record = article.to_json(page_id=path.stem)
        click.echo(json.dumps(record, ensure_ascii=False, indent=indent, default=str))
