"""``provnews entities``: people, places and organisations in JSON-lines texts."""

from __future__ import annotations

import json
from typing import IO, Any

import click

from crawler.cli.common import ProvnewsError
from crawler.entities import extract_entities


def entities_line(obj: Any, source_province: str | None) -> dict[str, Any]:
    """One output object for one input object ``{"id", "text"[, "source_province"]}``."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise ValueError('expected an object with a string "text"')
    province = obj.get("source_province") or source_province
    ents = extract_entities(obj["text"], source_province=province, author=obj.get("author"))
    return {"id": obj.get("id"), "entities": [m.to_dict() for m in ents.mentions]}


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "--source-province", help='Province of the source site, e.g. "Sơn La" (resolves "tỉnh", "Tỉnh ủy").'
)
def entities(file: IO[str], source_province: str | None) -> None:
    """Find people, places and organisations in texts read as JSON lines.

    FILE (default: standard input) holds one object per line: {"id": ..., "text": ...},
    optionally with "source_province" and "author". For each, prints
    {"id": ..., "entities": [...]}; each entity has start and end (offsets into the given
    text), label (PER, LOC or ORG), text and normalized, and as they apply: cue and roles
    (people), level, unit_code_2024, unit_name_2024, unit_code_2025, unit_name_2025 and
    resolved (places), province and district (organisations).
    """
    for n, line in enumerate(file, 1):
        if not line.strip():
            continue
        try:
            out = entities_line(json.loads(line), source_province)
        except ValueError as exc:
            raise ProvnewsError(f"line {n}: {exc}") from None
        click.echo(json.dumps(out, ensure_ascii=False))
