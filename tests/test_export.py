"""Exports on SQLite and PostgreSQL: CSV that Excel reads (UTF-8 with BOM), XLSX and JSON
lines with correct Vietnamese text, entity tables, filters, clear errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crawler import db
from crawler.cli.export import export
from crawler.monitor.filters import VN
from tests.monitor_seed import DIEN_BIEN, QUYNH_NHAI, T0, store

TITLE = 'Quỳnh Nhai: "Mùa vàng" trên lòng hồ, năng suất đạt 6,5 tấn/ha'
TEXT = ("Sáng 19/11, Bí thư Tỉnh ủy Lò Minh Hùng làm việc tại xã Mường Giàng, tỉnh Sơn La.\n"
        "Người dân phấn khởi; đường giao thông được đầu tư, giá trị sản xuất tăng.")  # fmt: skip


@pytest.fixture
def seeded(db_url: str) -> str:
    engine = db.open_database(db_url)
    with Session(engine) as session, session.begin():
        store(session, QUYNH_NHAI, "a", TITLE, TEXT, entities=True)
        store(session, DIEN_BIEN, "b", "Điện Biên đón khách du lịch", "Đoàn khách đến Điện Biên Phủ.",
              published=T0 - timedelta(days=3), author=None)  # fmt: skip
    engine.dispose()
    return db_url


def run(*args: str):
    result = CliRunner().invoke(export, list(args))
    return result


def test_csv_opens_in_excel_encoding_with_vietnamese_text(seeded: str, tmp_path: Path):
    out = tmp_path / "articles.csv"
    result = run("--format", "csv", "-o", str(out), "--db", seeded)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["site"] for r in rows] == ["quynhnhai_example", "dienbien_example"]
    first = rows[0]
    assert first["title"] == TITLE and first["text"] == TEXT  # quotes, commas, newline intact
    assert first["province"] == "Sơn La" and first["published_at"] == T0.astimezone(VN).isoformat()
    assert rows[1]["author"] == ""
    assert "wrote" in result.output and "2 articles" in result.output


def test_xlsx_opens_with_vietnamese_text_and_entity_sheets(seeded: str, tmp_path: Path):
    out = tmp_path / "articles.xlsx"
    result = run("--format", "xlsx", "--entities", "-o", str(out), "--db", seeded)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["articles", "people", "places", "organizations"]
    rows = list(book["articles"].iter_rows(values_only=True))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=False))  # trailing empty cells dropped
    assert header[:5] == ("id", "site", "province", "url", "title") and len(rows) == 3
    assert first["title"] == TITLE and first["text"] == TEXT
    assert first["published_at"] == T0.astimezone(VN).replace(tzinfo=None)
    people = [dict(zip(("article_id", "name", "as_written", "roles"), r, strict=True))
              for r in list(book["people"].iter_rows(values_only=True))[1:]]  # fmt: skip
    assert any(p["name"] == "Lò Minh Hùng" and "Bí thư Tỉnh ủy" in (p["roles"] or "") for p in people)
    places = list(book["places"].iter_rows(values_only=True))
    assert any("Mường Giàng" in (row[1] or "") for row in places[1:])
    book.close()


def test_jsonl_to_stdout_with_iso_times(seeded: str):
    result = run("--format", "jsonl", "--db", seeded)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["title"] for r in rows] == [TITLE, "Điện Biên đón khách du lịch"]
    assert rows[0]["published_at"].endswith("+07:00")


def test_csv_entity_tables_beside_the_output(seeded: str, tmp_path: Path):
    out = tmp_path / "x.csv"
    assert run("--entities", "-o", str(out), "--db", seeded).exit_code == 0
    with (tmp_path / "x.people.csv").open(encoding="utf-8-sig", newline="") as f:
        people = list(csv.DictReader(f))
    assert {p["name"] for p in people} >= {"Lò Minh Hùng"}
    assert (tmp_path / "x.places.csv").exists() and (tmp_path / "x.organizations.csv").exists()


def test_filters_narrow_the_export(seeded: str):
    by_site = run("--format", "jsonl", "--site", "dienbien_example", "--db", seeded)
    assert [json.loads(x)["site"] for x in by_site.output.splitlines()] == ["dienbien_example"]
    by_province = run("--format", "jsonl", "--province", "son la", "--db", seeded)
    assert [json.loads(x)["site"] for x in by_province.output.splitlines()] == ["quynhnhai_example"]
    since = (T0 - timedelta(days=1)).astimezone(VN).date().isoformat()
    by_date = run("--format", "jsonl", "--since", since, "--db", seeded)
    assert [json.loads(x)["site"] for x in by_date.output.splitlines()] == ["quynhnhai_example"]


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "xlsx"), "xlsx need an output file (-o FILE)"),
    (("--entities",), "entity tables need an output file (-o FILE)"),
    (("-o", "/nonexistent-dir/x.csv"), "output directory /nonexistent-dir does not exist"),
], ids=["xlsx-stdout", "entities-stdout", "missing-dir"])  # fmt: skip
def test_bad_requests_are_one_line_errors(seeded: str, args: tuple[str, ...], message: str):
    result = run(*args, "--db", seeded)
    assert result.exit_code == 2
    assert result.output.strip() == f"provnews: error: {message}"
