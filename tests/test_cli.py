"""The `provnews` command line: the demo, one-line errors, --help and the docs."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crawler.cli import cli
from tests.conftest import FIXTURES, ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += all_commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


COMMANDS = all_commands()


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "provnews")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


@pytest.mark.parametrize("path", [p for p in COMMANDS if p], ids=lambda p: " ".join(p))
def test_every_command_is_documented_in_readme(path: tuple[str, ...]) -> None:
    assert f"provnews {' '.join(path)}" in README


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("provnews demo")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines()


def test_demo_stores_every_replica_article_and_a_rerun_adds_none(tmp_path: Path) -> None:
    first = run_cli("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "stored articles: portal_example 93, news_example 15" in first.stdout
    assert (tmp_path / "data" / "provnews.db").is_file()  # the embedded default
    rows = {line.split()[0]: line.split()[1:] for line in first.stdout.splitlines()
            if line.startswith(("portal_example ", "news_example "))}
    assert rows["portal_example"][:4] == ["ok", "93", "93", "93"]
    assert rows["news_example"][:4] == ["ok", "15", "15", "15"]

    second = run_cli("demo", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "stored articles: portal_example 93, news_example 15" in second.stdout
    rows = {line.split()[0]: line.split()[1:] for line in second.stdout.splitlines()
            if line.startswith(("portal_example ", "news_example "))}
    # Incremental: nothing new, nothing re-fetched (no stored article is due for a revisit).
    assert rows["portal_example"][2:6] == ["0", "0", "0", "0"]  # fetched, new, updated, unchanged
    assert rows["news_example"][2:6] == ["0", "0", "0", "0"]

    listed = run_cli("articles", "list", "--site", "portal_example", "--limit", "200", cwd=tmp_path)
    assert len(listed.stdout.strip().splitlines()) == 2 + 93
    shown = run_cli("articles", "show", "--json",
                    "http://portal.example/tin-tuc-su-kien/doan-khao-sat-ban-chi-dao-35-tinh-uy-"
                    "lam-viec-tai-huyen-quynh-nhai-103.html", cwd=tmp_path)
    article = json.loads(shown.stdout)
    assert article["author"] == "Đình Hải"
    assert article["published"] == "2026-11-13T16:42:00+07:00"
    sites = run_cli("sites", "list", cwd=tmp_path)
    assert re.search(r"^portal_example\s+replica\s+nukeviet\s+district\s+Sơn La\s+93", sites.stdout, re.M)
    history = run_cli("runs", cwd=tmp_path)
    assert len(history.stdout.strip().splitlines()) == 2 + 4


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("provnews: error: ")
    return lines[0]


def test_extract_missing_file_is_one_line_error(tmp_path: Path) -> None:
    result = run_cli("extract", str(tmp_path / "nope.html"))
    assert result.returncode == 2
    assert "no such file" in one_line_error(result)


def test_unknown_site_key_is_one_line_error(tmp_path: Path) -> None:
    result = run_cli("crawl", "no_such_site", "--db", f"sqlite:///{tmp_path}/x.db")
    assert result.returncode == 2
    assert "unknown site key 'no_such_site'" in one_line_error(result)


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://nobody@127.0.0.1:1/none", "sqlite:////proc/no/such/dir/x.db", "nosuchdb://x"],
    ids=["postgres-closed-port", "sqlite-unwritable", "unknown-dialect"],
)
def test_unreachable_database_is_one_line_error(url: str) -> None:
    result = run_cli("crawl", "portal_example", "--db", url)
    assert result.returncode == 1
    message = one_line_error(result)
    assert "database" in message


def test_bad_setting_override_is_one_line_error(tmp_path: Path) -> None:
    result = run_cli("crawl", "portal_example", "--db", f"sqlite:///{tmp_path}/x.db", "-s", "NOEQUALS")
    assert result.returncode == 2
    assert "NAME=VALUE" in one_line_error(result)


@pytest.mark.parametrize("value", ["abc", "-1"])
def test_bad_worker_count_is_one_line_error(tmp_path: Path, value: str) -> None:
    result = run_cli("crawl", "portal_example", "--db", f"sqlite:///{tmp_path}/x.db",
                     "-s", f"PROVNEWS_WORKERS={value}")
    assert result.returncode == 2
    assert "PROVNEWS_WORKERS" in one_line_error(result)


@pytest.mark.parametrize("value", ["abc", "-1", "20"])
def test_bad_worker_niceness_is_one_line_error(tmp_path: Path, value: str) -> None:
    result = run_cli("crawl", "portal_example", "--db", f"sqlite:///{tmp_path}/x.db",
                     "-s", f"PROVNEWS_WORKER_NICE={value}")
    assert result.returncode == 2
    assert "PROVNEWS_WORKER_NICE" in one_line_error(result)


def test_extract_prints_the_seed_article() -> None:
    page = FIXTURES / "nukeviet" / "articles" / "103.html"
    result = run_cli("extract", str(page))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["id"] == "103"
    assert record["title"] == "Đoàn khảo sát Ban chỉ đạo 35 Tỉnh ủy làm việc tại huyện Quỳnh Nhai"
    assert record["published"] == "2026-11-13T16:42:00+07:00"
    assert record["author"] == "Đình Hải" and record["authors"] == ["Đình Hải"]
    assert record["category"] == "Tin tức - Sự kiện"
    assert record["text"].startswith("Ngày 13/11 Đoàn khảo sát")
    assert record["text"].endswith("các tầng lớp nhân dân.")
    for furniture in ("Thống kê truy cập", "Đang truy cập", "Đăng nhập", "Tags", "Những tin"):
        assert furniture not in record["text"]


def test_extract_many_files_prints_one_json_line_each() -> None:
    pages = sorted((FIXTURES / "nukeviet" / "articles_default").glob("[0-9]*.html"))
    result = run_cli("extract", *map(str, pages))
    lines = result.stdout.splitlines()
    assert len(lines) == len(pages) == 20
    assert {json.loads(line)["id"] for line in lines} == {p.stem for p in pages}
