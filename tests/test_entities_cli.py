"""``provnews entities``: JSON lines in, entities with offsets out (click, CliRunner)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crawler.cli.entities import entities

SEED = "Đồng chí Mai Thu Hương làm việc với 2 xã Mường Giàng và Chiềng Bằng, huyện Quỳnh Nhai."


def test_reads_stdin_and_writes_entities_with_offsets_into_the_text():
    line = json.dumps({"id": 7, "text": SEED}, ensure_ascii=False)
    result = CliRunner().invoke(entities, ["--source-province", "Sơn La"], input=line + "\n\n")
    assert result.exit_code == 0, result.output
    (out,) = [json.loads(x) for x in result.output.splitlines()]
    assert out["id"] == 7
    assert [(e["label"], e["text"]) for e in out["entities"]] == [
        ("PER", "Mai Thu Hương"), ("LOC", "Mường Giàng"), ("LOC", "Chiềng Bằng"), ("LOC", "Quỳnh Nhai"),
    ]  # fmt: skip
    assert all(SEED[e["start"] : e["end"]] == e["text"] for e in out["entities"])
    assert out["entities"][1]["unit_name_2025"] == "Quỳnh Nhai, Sơn La"


def test_reads_a_file(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Không có gì."}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(entities, [str(path)])
    assert result.exit_code == 0
    assert json.loads(result.output) == {"id": "a", "entities": []}


def test_bad_line_is_a_one_line_error():
    result = CliRunner().invoke(entities, [], input='{"id": 1}\n')
    assert result.exit_code == 1
    assert "line 1" in result.output


def test_help_describes_the_format():
    result = CliRunner().invoke(entities, ["--help"])
    assert result.exit_code == 0
    assert "JSON lines" in result.output and "--source-province" in result.output
