"""The daily report on SQLite and PostgreSQL: its numbers, its files (HTML with inline
charts, Markdown with PNG charts), and a render in headless Chromium (Debian's
``chromium``) that loads without errors and shows every chart."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crawler import db
from crawler.cli.report import report
from crawler.monitor.report import daily_report
from crawler.monitor.watch import WatchSpec, add_watchlist, evaluate
from tests.monitor_seed import DIEN_BIEN, QUYNH_NHAI, T0, store

DAY = date(2026, 11, 20)  # T0 is 08:00 on that day in Vietnam
CHROMIUM_HINT = "the report render test needs Debian's chromium: apt-get install chromium"
TEXT = ("Sáng 20/11, Bí thư Tỉnh ủy Lò Minh Hùng làm việc tại xã Mường Giàng, huyện Quỳnh Nhai. "
        "Chủ tịch UBND tỉnh Nguyễn Đình Việt dự hội nghị.")  # fmt: skip


def seed(url: str) -> None:
    engine = db.open_database(url)
    with Session(engine) as session, session.begin():
        add_watchlist(session, "qn", WatchSpec(keywords=["quynh nhai"]), now=T0 - timedelta(days=40))
        for back in range(12):
            when = T0 - timedelta(days=back)
            store(session, QUYNH_NHAI, f"qn-{back}", f"Quỳnh Nhai ngày {back}", TEXT, published=when,
                  seen_at=when, entities=True)  # fmt: skip
            if back % 3 == 0:
                store(session, DIEN_BIEN, f"db-{back}", f"Điện Biên ngày {back}", "Tin Điện Biên.",
                      published=when, seen_at=when)  # fmt: skip
        site_id = db.ensure_site(session, QUYNH_NHAI)
        run = db.start_run(session, site_id, T0)
        db.finish_run(session, run, ended_at=T0, status="failed", counts={}, errors={"http_500": 3},
                      error_summary="http_500: 3")  # fmt: skip
        evaluate(session, T0)
    engine.dispose()


def test_daily_report_numbers(db_url):
    seed(db_url)
    engine = db.open_database(db_url)
    with Session(engine) as session:
        r = daily_report(session, DAY)
    engine.dispose()
    assert r.days[0] == DAY - timedelta(days=29) and r.days[-1] == DAY
    assert r.per_day_province["Sơn La"][-12:] == [1] * 12
    assert r.per_day_province["Điện Biên"][-1] == 1 and sum(r.per_day_province["Điện Biên"]) == 4
    assert r.per_site == {"quynhnhai_example": 12, "dienbien_example": 4}
    assert r.changes == {"new": 2, "edited": 0, "removed": 0}
    people = {p.name: p for p in r.people}
    assert people["Lò Minh Hùng"].roles == ["Bí thư Tỉnh ủy"] and people["Lò Minh Hùng"].articles == 1
    assert any(p.name == "Mường Giàng" for p in r.places)
    assert [(h.watchlist, h.counts["new"]) for h in r.watch_hits] == [("qn", 12)]
    assert {h.key: h.status for h in r.health} == {"quynhnhai_example": "alert"}


def test_report_daily_writes_html_and_markdown_with_charts(db_url, tmp_path: Path):
    seed(db_url)
    result = CliRunner().invoke(report, ["daily", "--date", DAY.isoformat(), "-o", str(tmp_path),
                                         "--db", db_url])  # fmt: skip
    assert result.exit_code == 0, result.output
    html = (tmp_path / "provnews-daily-2026-11-20.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img class="chart" [^>]*src="data:image/png;base64,', html)) == 4
    assert "Lò Minh Hùng" in html and "Bí thư Tỉnh ủy" in html and "failing: last run failed" in html
    md = (tmp_path / "provnews-daily-2026-11-20.md").read_text(encoding="utf-8")
    charts = re.findall(r"!\[[^]]*\]\((provnews-daily-2026-11-20/[a-z-]+\.png)\)", md)
    assert len(charts) == 4 and all((tmp_path / c).read_bytes().startswith(b"\x89PNG") for c in charts)
    assert "| Lò Minh Hùng | 1 | Bí thư Tỉnh ủy |" in md


HARNESS = """<!DOCTYPE html><html><body><iframe id="r" src="{name}" width="1000" height="4000"></iframe>
<script>
document.getElementById("r").addEventListener("load", () => {{
  const doc = document.getElementById("r").contentDocument;
  const charts = [...doc.querySelectorAll("img.chart")];
  const out = document.createElement("pre");
  out.id = "result";
  out.textContent = JSON.stringify({{title: doc.title, charts: charts.length,
    shown: charts.filter(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0)
      .length}});
  document.body.appendChild(out);
}});
</script></body></html>"""


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail(CHROMIUM_HINT, pytrace=False)
    return subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--enable-logging=stderr", "--v=0", *args],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_report_renders_in_headless_chromium_with_every_chart(db_url, tmp_path: Path):
    seed(db_url)
    assert CliRunner().invoke(report, ["daily", "--date", DAY.isoformat(), "-o", str(tmp_path),
                                       "--db", db_url]).exit_code == 0  # fmt: skip
    name = "provnews-daily-2026-11-20.html"
    (tmp_path / "harness.html").write_text(HARNESS.format(name=name), encoding="utf-8")
    done = chromium("--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom",
                    (tmp_path / "harness.html").as_uri())  # fmt: skip
    found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout)
    assert found, done.stderr[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"'))
    assert result == {"title": "provnews daily report 2026-11-20", "charts": 4, "shown": 4}
    console_errors = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console_errors == []
    shot = tmp_path / "report.png"
    chromium(f"--screenshot={shot}", "--window-size=1000,2400", (tmp_path / name).as_uri())
    assert shot.read_bytes().startswith(b"\x89PNG")
