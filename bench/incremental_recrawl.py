"""Requests per new article: incremental recrawl against a naive full recrawl.

Serves the generated replica sites, crawls each once, publishes N new articles, then
recrawls twice from the same starting point: provnews' incremental crawl (conditional
GETs, known articles skipped, listings stop at known pages) and a naive full recrawl
(PROVNEWS_INCREMENTAL=false: every discovery URL and every article fetched again).
Prints one table. Run: ``.venv/bin/python bench/incremental_recrawl.py [--new N]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.replica import REPLICA_HOSTS, ReplicaServer  # noqa: E402

SITES = (("wp_example", "wp.example"), ("wpclassic_example", "wpclassic.example"),
         ("liferay_example", "liferay.example"))


def crawl(server: ReplicaServer, db_path: Path, key: str, *extra: str) -> None:
    host_map = json.dumps({h: server.proxy_url for h in REPLICA_HOSTS})
    cmd = [sys.executable, "-m", "crawler", "crawl", key, "--db", f"sqlite:///{db_path}",
           "--env", "test", "-s", f"PROVNEWS_HOST_MAP={host_map}", *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"crawl failed: {done.stderr.strip().splitlines()[-1]}")


def requests_for(server: ReplicaServer, host: str) -> int:
    return sum(1 for h, _path, _status in server.requests if h == host)


def measure(key: str, host: str, new: int, work: Path) -> list[list[object]]:
    rows: list[list[object]] = []
    with ReplicaServer() as server:
        base = work / f"{key}.db"
        crawl(server, base, key)
        stored = len(server.site(host).article_urls())
        server.site(host).add_articles(new)
        naive = ("-s", "PROVNEWS_INCREMENTAL=false")
        for label, extra in (("incremental", ()), ("naive full recrawl", naive)):
            db_copy = work / f"{key}-{label.split()[0]}.db"
            shutil.copy(base, db_copy)
            server.clear_requests()
            crawl(server, db_copy, key, *extra)
            n = requests_for(server, host)
            rows.append([host, stored, new, label, n, round(n / new, 2)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new", type=int, default=5, help="new articles published between crawls")
    args = parser.parse_args()
    print(f"requests per new article after publishing {args.new} (replica served on 127.0.0.1)")
    header = ["site", "stored", "new", "strategy", "requests", "per new article", "ratio"]
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        for key, host in SITES:
            rows = measure(key, host, args.new, Path(tmp))
            naive = rows[1][4]
            for row in rows:
                table.append([*row, f"{row[4] / naive:.2f}"])
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
