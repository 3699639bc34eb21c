"""Exports of stored articles: CSV, JSON lines or XLSX, one row per article, optionally
with entity tables (people with roles, places with their units, organisations).

Everything streams: rows come from the database in batches (``yield_per``, a server-side
cursor on PostgreSQL) and go straight to the file, so memory does not grow with the
export. CSV is UTF-8 with a byte-order mark, which Excel needs to read Vietnamese text
correctly; XLSX is written by openpyxl's write-only mode.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from crawler.db.entity_models import AdminUnitRow, EntityMentionRow, OrganizationRow, PersonRow
from crawler.db.models import ArticleRow, SiteRow
from crawler.monitor.filters import VN, ArticleFilter

FORMATS = ("csv", "jsonl", "xlsx")
BATCH = 1000
ARTICLE_COLUMNS = {
    "id": ArticleRow.id, "site": SiteRow.key, "province": SiteRow.province,
    "url": ArticleRow.canonical_url, "title": ArticleRow.title,
    "published_at": ArticleRow.published_at, "published_raw": ArticleRow.published_raw,
    "author": ArticleRow.author, "source": ArticleRow.source, "category": ArticleRow.category,
    "lead": ArticleRow.lead, "text": ArticleRow.text, "status": ArticleRow.status,
    "versions": ArticleRow.version_count, "first_seen_at": ArticleRow.first_seen_at,
    "last_changed_at": ArticleRow.last_changed_at, "removed_at": ArticleRow.removed_at,
}  # fmt: skip
ENTITY_COLUMNS = {
    "people": ["article_id", "name", "as_written", "roles"],
    "places": ["article_id", "as_written", "level", "unit_2024_code", "unit_2024", "unit_2025_code",
               "unit_2025"],
    "organizations": ["article_id", "name", "as_written"],
}  # fmt: skip
ENTITY_TABLES = tuple(ENTITY_COLUMNS)


class ExportError(ValueError):
    """The export cannot be made as asked; the message is one line for the user."""


def _filtered_ids(session: Session, where: ArticleFilter) -> sa.Select:
    return where.apply(session, sa.select(ArticleRow.id))


def _stream(session: Session, stmt: sa.Select) -> Iterator[dict[str, Any]]:
    result = session.execute(stmt.execution_options(yield_per=BATCH))
    for partition in result.mappings().partitions():
        yield from (dict(row) for row in partition)


def articles(session: Session, where: ArticleFilter) -> Iterator[dict[str, Any]]:
    """One dict per article (keys ``ARTICLE_COLUMNS``), by id, streamed."""
    stmt = sa.select(*(c.label(n) for n, c in ARTICLE_COLUMNS.items()))
    stmt = stmt.join(SiteRow, SiteRow.id == ArticleRow.site_id)
    stmt = where.apply(session, stmt, joined_site=True).order_by(ArticleRow.id)
    return _stream(session, stmt)


def entity_rows(session: Session, table: str, where: ArticleFilter) -> Iterator[dict[str, Any]]:
    """One dict per mention of a person, place or organisation in the filtered articles,
    ordered by article id. People carry the roles the article gives them."""
    m = EntityMentionRow
    if table == "people":
        stmt = sa.select(m.article_id, PersonRow.name.label("name"), m.text.label("as_written"),
                         m.extra.label("roles"))  # fmt: skip
        stmt = stmt.join(PersonRow, m.person_id == PersonRow.id)
    elif table == "places":
        old, new = aliased(AdminUnitRow), aliased(AdminUnitRow)
        stmt = sa.select(m.article_id, m.text.label("as_written"), m.level,
                         old.code.label("unit_2024_code"), old.name.label("unit_2024"),
                         new.code.label("unit_2025_code"), new.name.label("unit_2025"))
        stmt = stmt.outerjoin(old, m.unit_2024_id == old.id).outerjoin(new, m.unit_2025_id == new.id)
        stmt = stmt.where(m.label == "LOC")
    elif table == "organizations":
        stmt = sa.select(m.article_id, OrganizationRow.name.label("name"), m.text.label("as_written"))
        stmt = stmt.join(OrganizationRow, m.organization_id == OrganizationRow.id)
    else:
        raise ExportError(f"unknown entity table {table!r}; known: {', '.join(ENTITY_TABLES)}")
    stmt = stmt.where(m.article_id.in_(_filtered_ids(session, where))).order_by(m.article_id, m.start)
    return (_entity_fix(row) for row in _stream(session, stmt))


def _entity_fix(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if "roles" in out:  # selected as the mention's ``extra``; its "roles" is a list
        roles = (out["roles"] or {}).get("roles") or []
        out["roles"] = "; ".join(r if isinstance(r, str) else str(r) for r in roles)
    return out


def text_value(value: Any) -> Any:
    """A value for CSV/JSON: times as ISO 8601 in Vietnam's time, the rest as is."""
    if isinstance(value, datetime):
        return value.astimezone(VN).isoformat()
    return value


def write_csv(rows: Iterator[dict[str, Any]], columns: list[str], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if row[c] is None else text_value(row[c]) for c in columns])
        count += 1
    return count


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps({k: text_value(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_file(path: Path) -> IO[str]:
    """A CSV file Excel opens with the right encoding: UTF-8 with a byte-order mark."""
    return path.open("w", encoding="utf-8-sig", newline="")


def sidecar(path: Path, table: str) -> Path:
    """Where an entity table of a CSV export goes: ``out.csv`` -> ``out.people.csv``."""
    return path.with_name(f"{path.stem}.{table}{path.suffix}")


XLSX_CELL_LIMIT = 32_767


def xlsx_value(value: Any) -> Any:
    """A value for an XLSX cell: times as Vietnam local time (Excel has no time zones),
    text without control characters and cut to Excel's cell limit."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, datetime):
        return value.astimezone(VN).replace(tzinfo=None)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return value if len(value) <= XLSX_CELL_LIMIT else value[: XLSX_CELL_LIMIT - 1] + "…"
    return value


def write_xlsx(path: Path, sheets: list[tuple[str, Iterator[dict[str, Any]]]]) -> dict[str, int]:
    """One sheet per (name, rows); the first row of each is its column names."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    counts = {}
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        columns = columns_of(name)
        sheet.append(columns)
        counts[name] = 0
        for row in rows:
            sheet.append([xlsx_value(row[c]) for c in columns])
            counts[name] += 1
    book.save(path)
    return counts


def columns_of(table: str) -> list[str]:
    return list(ARTICLE_COLUMNS) if table == "articles" else ENTITY_COLUMNS[table]


def _write_text(fmt: str, table: str, rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    return write_jsonl(rows, out) if fmt == "jsonl" else write_csv(rows, columns_of(table), out)


def export(session: Session, fmt: str, where: ArticleFilter, *, path: Path | None = None,
           stdout: IO[str] | None = None, entities: bool = False) -> dict[str, int]:  # fmt: skip
    """Write the filtered articles (and entity tables) as ``fmt``; return rows per table.

    CSV and JSONL go to ``path`` or ``stdout``; their entity tables to files beside
    ``path`` (``out.people.csv``...). XLSX needs ``path``; entity tables are sheets.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if path is None and (fmt == "xlsx" or entities):
        raise ExportError(f"{'xlsx' if fmt == 'xlsx' else 'entity tables'} need an output file (-o FILE)")
    tables = [("articles", articles(session, where))]
    if entities:
        tables += [(t, entity_rows(session, t, where)) for t in ENTITY_TABLES]
    if fmt == "xlsx":
        assert path is not None
        return write_xlsx(path, tables)
    counts = {}
    for name, rows in tables:
        if path is None:
            assert stdout is not None
            counts[name] = _write_text(fmt, name, rows, stdout)
            continue
        target = path if name == "articles" else sidecar(path, name)
        with (csv_file(target) if fmt == "csv" else target.open("w", encoding="utf-8")) as out:
            counts[name] = _write_text(fmt, name, rows, out)
    return counts
