"""Exports stream: 100,000 generated articles export as CSV, JSON lines and XLSX with the
process's peak memory under 200 MB and growing by far less than the data's size.

Peak memory is measured, not time: a child process records its peak RSS after imports
(the baseline) and again after the export (``VmHWM``).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crawler import db
from tests.monitor_seed import QUYNH_NHAI, T0

N_ARTICLES = 100_000
PEAK_LIMIT_MB = 200
GROWTH_LIMIT_MB = 60
PARAGRAPH = ("Ủy ban nhân dân huyện Quỳnh Nhai tổ chức hội nghị đánh giá kết quả thực hiện nhiệm vụ "
             "phát triển kinh tế - xã hội, bảo đảm quốc phòng - an ninh; người dân xã Mường Giàng "
             "phấn khởi đón mùa vàng trên lòng hồ thủy điện Sơn La. ")  # fmt: skip
# Peak RSS from /proc/self/status VmHWM, not ru_maxrss: Linux carries ru_maxrss across
# exec, so a child of a big pytest process would start at the parent's peak.
PROBE = """
import json, sys
import openpyxl.workbook, openpyxl.cell.cell  # imports are baseline, not export memory
from crawler.cli.export import export
def hwm():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
before = hwm()
try:
    export.main(sys.argv[1:], standalone_mode=False)
finally:
    print(json.dumps({"before_kb": before, "after_kb": hwm()}), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('big') / 'big.db'}"
    engine = db.open_database(url)
    with engine.begin() as connection:
        site_id = connection.execute(sa.insert(db.SiteRow).values(
            key=QUYNH_NHAI.key, name=QUYNH_NHAI.name, base_url=QUYNH_NHAI.base_url,
            province=QUYNH_NHAI.province, level=QUYNH_NHAI.level, family=QUYNH_NHAI.family, status="active",
        ).returning(db.SiteRow.id)).scalar_one()  # fmt: skip
        for start in range(0, N_ARTICLES, 5000):
            batch = [_article(site_id, i) for i in range(start, start + 5000)]
            connection.execute(sa.insert(db.ArticleRow), batch)
    engine.dispose()
    return url


def _article(site_id: int, i: int) -> dict[str, object]:
    when = T0 - timedelta(minutes=i)
    return {
        "site_id": site_id, "url": f"http://quynhnhai.example/tin-{i}.html",
        "canonical_url": f"http://quynhnhai.example/tin-{i}.html",
        "title": f"Tin số {i}: Quỳnh Nhai đón mùa vàng, \"năng suất\" cao", "published_at": when,
        "author": "Lò Văn Minh", "lead": PARAGRAPH, "text": PARAGRAPH * 6 + f"\n(Bài {i})",
        "category": "Tin tức - Sự kiện", "content_hash": f"{i:064x}", "first_seen_at": when,
        "last_seen_at": when, "last_changed_at": when, "provenance": {},
    }  # fmt: skip


def _export(big_db: str, out: Path, fmt: str) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", PROBE, "--format", fmt, "-o", str(out), "--db", big_db],
                          capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    return probe["before_kb"] / 1024, probe["after_kb"] / 1024


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_export_of_100k_articles_stays_under_200_mb(big_db: str, tmp_path: Path, fmt: str):
    out = tmp_path / f"big.{fmt}"
    before_mb, peak_mb = _export(big_db, out, fmt)
    data_mb = out.stat().st_size / 2**20
    print(f"{fmt}: baseline {before_mb:.0f} MB, peak {peak_mb:.0f} MB, file {data_mb:.0f} MB")
    assert peak_mb < PEAK_LIMIT_MB
    assert peak_mb - before_mb < GROWTH_LIMIT_MB
    if fmt == "csv":
        with out.open(encoding="utf-8-sig", newline="") as f:
            rows = sum(1 for _ in csv.DictReader(f))
        assert rows == N_ARTICLES and data_mb > 100  # the data is bigger than the memory growth
    elif fmt == "jsonl":
        with out.open(encoding="utf-8") as f:
            assert sum(1 for _ in f) == N_ARTICLES
