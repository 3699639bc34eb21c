"""``provnews extract``: parse saved pages offline, one JSON object per page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler.cli.common import EXIT_USAGE, ProvnewsError
from crawler.entities import article_fields
from crawler.extract import FAMILIES, extract_article
from crawler.registry import load_registry


def province_for_url(url: str) -> str | None:
    """The province of the registry site serving ``url``, if any."""
    host = urlsplit(url).netloc.lower()
    return next((s.province for s in load_registry().values() if s.host == host), None)



@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="The page's URL (resolves relative links; only with one FILE).")
@click.option("--family", type=click.Choice(FAMILIES), help="CMS family hint (default: detect).")
@click.option("--province", help='Province of the source site (resolves "tỉnh", "Tỉnh ủy"); '
              "default: the registry site whose host matches --url.")
@click.option("--no-entities", is_flag=True, help="Skip people, places and organisations.")
@click.option("--indent", type=int, default=None, help="Pretty-print with this indent.")
def extract(files: tuple[Path, ...], url: str | None, family: str | None, province: str | None,
            no_entities: bool, indent: int | None) -> None:
    """Extract the article fields from saved HTML FILE(s) and print JSON lines.

    Each line has id (the file name without extension), url, title, published (ISO 8601
    with offset, or null), published_raw, author, authors, source, lead, text, category,
    provenance and problems, and (unless --no-entities) people (with roles), places
    (resolved to administrative units before and after the 2025 reform) and organizations.
    """
    if url and len(files) > 1:
        raise ProvnewsError("--url applies to a single FILE", EXIT_USAGE)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise ProvnewsError(f"no such file: {', '.join(missing)}", EXIT_USAGE)
    now = datetime.now(UTC)
    if province is None and url:
        province = province_for_url(url)
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ProvnewsError(f"cannot read {path}: {exc.strerror}") from None
        article = extract_article(data, url, fetched_at=now, family=family)
        record = article.to_json(page_id=path.stem)
        if not no_entities:
            text = "\n".join(part for part in (article.title, article.lead, article.text) if part)
            record.update(article_fields(text, source_province=province, author=article.author))
        click.echo(json.dumps(record, ensure_ascii=False, indent=indent, default=str))
