"""``provnews fixture save|check``: cases from files and from a real local HTTP server; all cases pass."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli.fixture import fixture, site_key

FIXTURES = Path(__file__).parent / "fixtures"
CASES = FIXTURES / "cases"
SEED = FIXTURES / "nukeviet" / "articles" / "103.html"
SEED_URL = "http://portal.example/tin-tuc-su-kien/doan-khao-sat-103.html"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (port 0) serving the NukeViet fixture pages."""
    handler = partial(_QuietHandler, directory=str(FIXTURES / "nukeviet"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(fixture, list(args))
    return result.exit_code, result.output


def test_every_saved_case_still_extracts_the_same() -> None:
    code, output = _run("check", str(CASES))
    assert code == 0, output
    assert " 0 changed" in output


def test_cases_cover_every_family_and_theme() -> None:
    metas = [json.loads(path.read_text(encoding="utf-8")) for path in CASES.rglob("meta.json")]
    detected = {meta["detected"] for meta in metas}
    assert {"nukeviet", None} <= detected
    ids = {path.parent.name for path in CASES.rglob("meta.json")}
    assert {"egov-103", "default-13", "mobile-egov-13"} <= ids
    assert len({path.parent.parent.name for path in CASES.rglob("meta.json")}) >= 6  # sites


def test_save_a_file_then_check_it(tmp_path: Path) -> None:
    code, output = _run("save", str(SEED), "--url", SEED_URL, "--root", str(tmp_path))
    assert code == 0, output
    case = tmp_path / "portal_example" / "doan-khao-sat-103"
    assert (case / "page.html").read_bytes() == SEED.read_bytes()
    meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
    assert meta["url"] == SEED_URL
    assert meta["fetched_at"].endswith("+00:00")
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert expected["title"] == "Đoàn khảo sát Ban chỉ đạo 35 Tỉnh ủy làm việc tại huyện Quỳnh Nhai"
    assert expected["published"] == "2026-11-13T16:42:00+07:00"
    assert _run("check", str(tmp_path))[0] == 0


def test_check_reports_a_changed_field_and_exits_1(tmp_path: Path) -> None:
    _run("save", str(SEED), "--url", SEED_URL, "--root", str(tmp_path), "--id", "seed")
    expected_path = tmp_path / "portal_example" / "seed" / "expected.json"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    expected["author"] = "Someone Else"
    expected_path.write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    code, output = _run("check", str(tmp_path))
    assert code == 1
    assert 'author: expected "Someone Else", got "Đình Hải"' in output
    assert "FAIL" in output


def test_save_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    args = ("save", str(SEED), "--url", SEED_URL, "--root", str(tmp_path), "--id", "seed")
    assert _run(*args)[0] == 0
    code, output = _run(*args)
    assert code == 1
    assert "exists" in output
    assert _run(*args, "--force")[0] == 0


def test_save_from_a_url_on_a_local_server(server: str, tmp_path: Path) -> None:
    code, output = _run("save", f"{server}/articles/103.html", "--root", str(tmp_path))
    assert code == 0, output
    case = tmp_path / "127_0_0_1" / "103"
    assert (case / "page.html").read_bytes() == SEED.read_bytes()
    assert (
        json.loads((case / "meta.json").read_text(encoding="utf-8"))["url"] == f"{server}/articles/103.html"
    )
    assert json.loads((case / "expected.json").read_text(encoding="utf-8"))["author"] == "Đình Hải"


def test_unreachable_url_is_one_clear_error(server: str, tmp_path: Path) -> None:
    code, output = _run("save", f"{server}/no-such-page.html", "--root", str(tmp_path))
    assert code == 1
    assert "cannot fetch" in output


def test_check_without_cases_fails(tmp_path: Path) -> None:
    code, output = _run("check", str(tmp_path))
    assert code == 1
    assert "no cases" in output


@pytest.mark.parametrize(
    ("url", "key"),
    [("https://www.baosonla.vn/a.html", "baosonla_vn"),
     ("http://quynhnhai.sonla.gov.vn/x", "quynhnhai_sonla_gov_vn"), (None, "local")],
)  # fmt: skip
def test_site_key(url: str | None, key: str) -> None:
    assert site_key(url) == key
