"""The whole pipeline against the bare-Scrapy ceiling, side by side, on one generated site.

Generates (or reuses) the bench site (``bench/sitegen.py``: NukeViet + WordPress hosts),
serves it on 127.0.0.1 (``bench/serve.py``: nginx if installed) and runs, each in its own
child process and at equal concurrency:

  a  bare Scrapy spider: listings by rel=next + article links, nothing parsed (bench/bare.py)
  b  provnews crawl, PROVNEWS_ENTITIES=false, SQLite
  c  provnews crawl with entities, SQLite
  d  provnews crawl with entities, PostgreSQL (a throwaway database; skipped if none)

provnews runs as ``provnews crawl`` does (``crawler.cli.crawl._crawl``: same settings,
migrations, summary), with ``--backfill`` so it walks every listing as (a) does, and the
bench registry file in PROVNEWS_REGISTRY_FILES. Measured per child: article pages fetched /
wall time, CPU (user+sys of the child and its reaped workers, ``os.wait4``) per page, peak
RSS (the larger of ``ru_maxrss`` and the sampled sum over the child's process tree: pages
shared by the crawl process and its workers counted once per process; plus the worker
pool's in-memory job files, which no process maps), peak PSS (the same
tree's proportional set size, shared pages divided among their sharers: the memory really
held) and the RSS sum (``/proc/<pid>/status``) when the fetched count first passes each
``--rss-at`` mark. The CPU split is the crawl process's own and its workers' (b-d).
"stored" is the articles the run stored new (b-d): a variant whose pages were fetched
but not stored is flagged in its "done" line, as its speed would mean nothing.

Run: ``.venv/bin/python bench/pipeline.py [--pages 20000] [--only a,b] [--concurrency 16]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# A bench script named like an installed package would shadow it: bench goes last.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]


PG_ADMIN = os.environ.get("PROVNEWS_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
VARIANTS = {
    "a": "bare Scrapy (links only)",
    "b": "provnews, no entities, SQLite",
    "c": "provnews + entities, SQLite",
    "d": "provnews + entities, PostgreSQL",
}
PROGRESS = re.compile(r"… (\w+): discovered \d+, fetched (\d+)")


@dataclass
class Result:
    variant: str
    fetched: int = 0
    stored: int | None = None
    """Articles stored new (b-d): the work was done, not just fetched."""
    failed: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    maxrss_kb: int = 0
    maxpss_kb: int = 0
    rss_at: dict[int, int] = field(default_factory=dict)
    note: str = ""
    cpu_split: tuple[float, float] | None = None
    """CPU seconds of the crawl process and of its extraction workers (b-d)."""


def scrapy_settings(concurrency: int, items: int) -> dict:
    """What every variant gets: politeness lifted for a local server, equal concurrency."""
    return {
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_ITEMS": items,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "WARNING", "PROVNEWS_PROGRESS_INTERVAL": 1.0,
    }


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (an extraction pool's workers count)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _sum_field(pids: list[int], path: str, field: str) -> int:
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/{path}").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _memfd_kb(pids: list[int]) -> int:
    """Memory held in in-memory files (``memfd``: the worker pool's job slots), once per
    file: it is not in any process's RSS, as nothing maps it."""
    seen: dict[tuple[int, int], int] = {}
    for p in pids:
        try:
            fds = os.listdir(f"/proc/{p}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if not os.readlink(f"/proc/{p}/fd/{fd}").startswith("/memfd:"):
                    continue
                st = os.stat(f"/proc/{p}/fd/{fd}")
            except OSError:
                continue
            seen[(st.st_dev, st.st_ino)] = st.st_blocks * 512 // 1024
    return sum(seen.values())


def _rss_kb(pid: int) -> int:
    """Resident memory of the process tree, summed: pages shared between the processes
    (the interpreter, lxml, SQLite...) count once per process, so this overstates; plus
    what its in-memory files hold."""
    pids = _tree(pid)
    return _sum_field(pids, "status", "VmRSS:") + _memfd_kb(pids)


def _pss_kb(pid: int) -> int:
    """Proportional set size of the process tree: each shared page divided among the
    processes sharing it, so the sum is the memory the crawl really holds (with what its
    in-memory files hold)."""
    pids = _tree(pid)
    return _sum_field(pids, "smaps_rollup", "Pss:") + _memfd_kb(pids)


def measure(variant: str, cmd: list[str], marks: list[int], timeout: float) -> tuple[Result, str]:
    """Run ``cmd``; follow its progress lines on stderr; return the measures and its stdout."""
    result = Result(variant)
    counts: dict[str, int] = {}
    tail: list[str] = []
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # noqa: S603
                            text=True)
    out: list[str] = []

    def read_err() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            m = PROGRESS.search(line)
            if m:
                counts[m[1]] = int(m[2])
                total = sum(counts.values())
                for mark in marks:
                    if total >= mark and mark not in result.rss_at:
                        result.rss_at[mark] = _rss_kb(proc.pid)
            else:
                tail.append(line.rstrip())
                del tail[:-20]

    def read_out() -> None:
        assert proc.stdout is not None
        out.append(proc.stdout.read())

    last_rss, peak, peak_pss = [0], [0], [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            last_rss[0] = _rss_kb(proc.pid) or last_rss[0]
            peak[0] = max(peak[0], last_rss[0])
            peak_pss[0] = max(peak_pss[0], _pss_kb(proc.pid))

    threads = [threading.Thread(target=f, daemon=True) for f in (read_err, read_out, sample)]
    for t in threads:
        t.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    done.set()
    result.wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in threads:
        t.join(5)
    result.cpu = usage.ru_utime + usage.ru_stime
    # ru_maxrss is the largest single process; the sampled sum covers a worker pool too.
    result.maxrss_kb = max(usage.ru_maxrss, peak[0])
    result.maxpss_kb = peak_pss[0]
    final = json.loads(out[0].strip().splitlines()[-1]).get("fetched", 0) if out and out[0].strip() else 0
    for mark in marks:  # passed after the last progress line: the last sample before exit
        if mark not in result.rss_at and final >= mark:  # (its workers may be gone: see main)
            result.rss_at[mark] = last_rss[0]
    if proc.returncode != 0:
        result.note = f"exit {proc.returncode}: " + " | ".join(tail[-3:])
    return result, "".join(out)


def child_provnews(config: dict) -> None:
    """Child (b-d): what ``provnews crawl KEY... --backfill -s ...`` does, bench registry included."""
    import resource

    from crawler.cli.crawl import _crawl, summary_table

    summaries = _crawl(config["keys"], config["db"], "test", config["settings"], False, False)
    own, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(summary_table(summaries), file=sys.stderr)
    print(json.dumps({"fetched": sum(s.fetched for s in summaries),
                      "stored_new": sum(s.stored_new for s in summaries),
                      "failed": sum(s.failed for s in summaries),
                      "cpu_crawl": own.ru_utime + own.ru_stime,
                      "cpu_workers": workers.ru_utime + workers.ru_stime,
                      "errors": dict(sum((Counter(s.errors) for s in summaries), Counter())),
                      "statuses": [s.status for s in summaries]}))


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    """A throwaway PostgreSQL database's URL, dropped afterwards; None when no server answers."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception:
        yield None
        return
    name = f"provnews_bench_{os.getpid()}"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_variant(variant: str, tree: Path, server: Any, work: Path, args: argparse.Namespace,
                marks: list[int]) -> Result:
    """One variant in its own child process (``server`` is a running ``serve.Server``)."""
    import sitegen  # not at module level: the --child process must not import the replica

    manifest = json.loads((tree / "manifest.json").read_text())
    base = scrapy_settings(args.concurrency, args.concurrent_items)
    if variant == "a":
        config = {"settings": base, "proxy": server.url, "sites": [
            {"key": k, "article_pattern": s["article_pattern"],
             "listings": [f"http://{s['host']}{p}" for p in s["listings"]]}
            for k, s in manifest["sites"].items()]}
        cmd = [sys.executable, "-P", str(BENCH / "bare.py"), json.dumps(config)]
        result, out = measure(variant, cmd, marks, args.timeout)
        return _finish(result, out)
    registry = work / "bench_sites.toml"
    registry.write_text(sitegen.registry_toml(tree), encoding="utf-8")
    settings = {**base, "PROVNEWS_REGISTRY_FILES": [str(registry)], "PROVNEWS_BACKFILL": True,
                "PROVNEWS_MAX_LISTING_PAGES": 100_000,
                "PROVNEWS_HOST_MAP": {h: server.url for h in server.hosts},
                "PROVNEWS_ENTITIES": variant != "b", **dict(x.split("=", 1) for x in args.set)}
    with contextlib.ExitStack() as stack:
        if variant == "d":
            url = stack.enter_context(postgres_database())
            if url is None:
                return Result(variant, note="no PostgreSQL server at " + PG_ADMIN)
        else:
            url = f"sqlite:///{work / f'{variant}.db'}"
        config = {"keys": list(manifest["sites"]), "db": url, "settings": settings}
        cmd = [sys.executable, "-P", str(Path(__file__).resolve()), "--child", json.dumps(config)]
        result, out = measure(variant, cmd, marks, args.timeout)
    return _finish(result, out)


def _finish(result: Result, out: str) -> Result:
    for line in reversed(out.strip().splitlines()):
        with contextlib.suppress(ValueError):
            data = json.loads(line)
            result.fetched = int(data["fetched"])
            if "stored_new" in data:
                result.stored, result.failed = int(data["stored_new"]), int(data["failed"])
                if result.stored < result.fetched:
                    result.note += f" (only {result.stored} of {result.fetched} stored)"
                if result.failed:
                    result.note += f" ({result.failed} failed: {data.get('errors')})"
            if "cpu_crawl" in data:
                result.cpu_split = (data["cpu_crawl"], data["cpu_workers"])
            break
    return result


def _mb(kb: int | None) -> str:
    return f"{kb / 1024:.0f}" if kb else "–"


def split(r: Result) -> str:
    """CPU ms per page of the crawl process + of its extraction workers."""
    if not r.cpu_split or not r.fetched:
        return "–"
    return " + ".join(f"{1000 * s / r.fetched:.2f}" for s in r.cpu_split)


def table(results: list[Result], marks: list[int]) -> str:
    base = next((r for r in results if r.variant == "a" and r.fetched), None)
    header = ["variant", "articles", "stored", "wall s", "pages/s", "× a", "CPU ms/page", "× a",
              "crawl + workers",
              "peak RSS MB", "× a", "peak PSS MB",
              *[f"RSS@{m} MB" for m in marks]]
    rows = []
    for r in results:
        pps = r.fetched / r.wall if r.wall and r.fetched else 0
        cpu = 1000 * r.cpu / r.fetched if r.fetched else 0

        def ratio(v: float, b: float) -> str:
            return f"{v / b:.2f}" if base and b and v else "–"

        bpps = base.fetched / base.wall if base else 0
        bcpu = 1000 * base.cpu / base.fetched if base else 0
        rows.append([f"{r.variant}  {VARIANTS[r.variant]}", r.fetched or "–",
                     "–" if r.stored is None else r.stored, f"{r.wall:.1f}",
                     f"{pps:.1f}" if pps else "–", ratio(pps, bpps), f"{cpu:.2f}" if cpu else "–",
                     ratio(cpu, bcpu), split(r), _mb(r.maxrss_kb),
                     ratio(r.maxrss_kb, base.maxrss_kb if base else 0), _mb(r.maxpss_kb),
                     *[_mb(r.rss_at.get(m)) for m in marks]])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in [header, *rows]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"  {r.variant}: {r.note}" for r in results if r.note]
    return "\n".join(lines + notes)


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    from importlib.metadata import version

    libs = ", ".join(f"{p} {version(p)}" for p in ("scrapy", "twisted", "sqlalchemy", "lxml", "psycopg"))
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem / 1024 / 1024:.0f} GiB RAM; "
            f"Python {platform.python_version()}, {libs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000, help="article pages on the site (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="a,b,c,d", help="variants to run, e.g. a,b")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="CONCURRENT_REQUESTS and _PER_DOMAIN for every variant (default 16)")
    parser.add_argument("--concurrent-items", type=int, default=10,
                        help="CONCURRENT_ITEMS for every variant (default 10, provnews' own; "
                             "Scrapy's default is 100)")
    parser.add_argument("--rss-at", default=None,
                        help="fetched counts to sample RSS at (default 5000 and 95 %% of N)")
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a child is killed")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the provnews variants (b-d), e.g. PROVNEWS_NEAR_DUPLICATES=false")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_provnews(json.loads(args.child))
        return
    import serve
    import sitegen

    # The last default mark is 95 % of the pages: a mark first passed by the final progress
    # line is sampled as the crawl closes, when its workers may have exited already.
    default_marks = f"{min(5000, args.pages // 4)},{args.pages * 95 // 100}"
    marks = [int(x) for x in (args.rss_at or default_marks).split(",")]
    variants = [v for v in args.only.split(",") if v in VARIANTS]
    started = time.perf_counter()
    tree = sitegen.generate(args.pages, args.seed)
    manifest = json.loads((tree / "manifest.json").read_text())
    print(f"site: {tree} ({args.pages} articles: "
          + ", ".join(f"{k} {s['articles']} of {s['bytes_min'] // 1000}-{s['bytes_max'] // 1000} KB"
                      for k, s in manifest["sites"].items())
          + f"; ready in {time.perf_counter() - started:.1f} s)")
    print(f"machine: {machine()}")
    if args.set:
        print(f"provnews settings (b-d): {' '.join(args.set)}")
    results = []
    with serve.serve(tree, args.server) as server, \
            tempfile.TemporaryDirectory(prefix="provnews-bench-") as tmp:
        print(f"server: {server.kind} at {server.url}; concurrency {args.concurrency} "
              f"(CONCURRENT_REQUESTS = _PER_DOMAIN) per site crawler, 2 site crawlers per process, "
              f"CONCURRENT_ITEMS {args.concurrent_items}")
        for v in variants:
            result = run_variant(v, tree, server, Path(tmp), args, marks)
            print(f"  {v} done: {result.fetched} articles in {result.wall:.1f} s {result.note}", flush=True)
            results.append(result)
    print()
    print(table(results, marks))


if __name__ == "__main__":
    main()
