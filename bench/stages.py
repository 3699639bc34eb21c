"""Micro-benchmarks per pipeline stage, each beside its baseline library, as one table.

Stages: date parsing (provnews' ``parse_datetime`` vs ``dateparser.parse``), extraction
per family and the generic fallback (``extract_article`` vs trafilatura), entities
(``extract_entities`` vs underthesea/ViNLP when installed), database writes on SQLite
(provnews' ``upsert_article`` path vs one ORM commit per article vs batched inserts) and
re-processing stored raw HTML. Pages come from the bench site (``bench/sitegen.py``) and,
for the generic fallback, the real news pages of ``tests/fixtures/articles``. Pinned to
one CPU; best of ``--repeat`` passes.

Run: ``.venv/bin/python bench/stages.py [--pages 2000] [--sample 200] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# A bench script named like an installed package would shadow it: bench goes last.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]



class Base(DeclarativeBase):
    pass


class Row(Base):
    """The naive baseline's table: one row per article, no versions, no upsert."""

    __tablename__ = "naive_article"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String, unique=True)
    title: Mapped[str | None]
    text: Mapped[str | None]
    raw_html: Mapped[bytes | None] = mapped_column(sa.LargeBinary)


NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DATES = (
    "Thứ Hai, 22/10/2025, 14:30 (GMT+7)", "14:30 ngày 22/10/2025", "22-10-2025 | 14:30",
    "Cập nhật: 14:22 13/11/2023", "Thứ sáu - 30/05/2025 19:38", "30/05/2025 19:38",
    "2025-10-22T14:30:00+07:00", "22/10/2025", "08/05/2026 06:11:00 PM", "20 Tháng Sáu, 2025",
)


def best_rate(fn: Callable[[], int], repeat: int) -> float:
    """Items per second of the best of ``repeat`` passes (``fn`` returns its item count)."""
    best = 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        n = fn()
        best = max(best, n / (time.perf_counter() - t))
    return best


def bench_pages(pages: int, sample: int) -> dict[str, list[tuple[str, bytes]]]:
    """(url, html) of ``sample`` article pages per bench family, plus the real news pages."""
    import sitegen

    tree = sitegen.generate(pages)
    out: dict[str, list[tuple[str, bytes]]] = {}
    for key, site in json.loads((tree / "manifest.json").read_text())["sites"].items():
        root = tree / site["host"]
        files = sorted(p for p in root.rglob("*.html") if p.name != "index.html" or key == "bench_wordpress")
        files = [p for p in files if "/category/" not in str(p) and "page-" not in str(p)
                 and p.parent != root and not (key == "bench_nukeviet" and p.name == "index.html")]
        step = max(1, len(files) // sample)
        rel = [p.relative_to(root).as_posix() for p in files[::step][:sample]]
        out[site["family"]] = [(f"http://{site['host']}/" + r.removesuffix("index.html"),
                                (root / r).read_bytes()) for r in rel]
    news = ROOT / "tests" / "fixtures" / "articles"
    labels = [json.loads(x) for x in (news / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    out["generic"] = [(lab["url"], (news / f"{lab['id']}.html").read_bytes()) for lab in labels
                      if (news / f"{lab['id']}.html").exists()]
    return out


def dates_row(repeat: int) -> list[list[Any]]:
    from crawler.extract.dates import parse_datetime

    strings = list(DATES) * 500
    ours = best_rate(lambda: sum(1 for s in strings if parse_datetime(s, now=NOW)), repeat)
    parsed = sum(1 for s in DATES if parse_datetime(s, now=NOW))
    row = ["date parsing (10 common formats)", "strings/s", f"{ours:,.0f}", f"{parsed}/{len(DATES)}"]
    try:
        import dateparser
    except ImportError:
        return [[*row, "dateparser", "not installed", "", ""]]
    settings = {"TIMEZONE": "Asia/Ho_Chi_Minh", "RETURN_AS_TIMEZONE_AWARE": True,
                "RELATIVE_BASE": NOW.replace(tzinfo=None)}
    few = list(DATES) * 20

    def theirs() -> int:
        return sum(1 for s in few if dateparser.parse(s, languages=["vi"], settings=settings))

    rate = best_rate(theirs, repeat)
    ok = sum(1 for s in DATES if dateparser.parse(s, languages=["vi"], settings=settings))
    return [[*row, f"dateparser {dateparser.__version__}", f"{rate:,.0f}", f"{ours / rate:.0f}×",
             f"{ok}/{len(DATES)}"]]


def extraction_rows(pages: dict[str, list[tuple[str, bytes]]], repeat: int) -> list[list[Any]]:
    import trafilatura

    from crawler.extract import extract_article

    rows = []
    for family, items in pages.items():
        hint = family if family != "generic" else "generic"
        ok = sum(1 for u, h in items if extract_article(h, u, fetched_at=NOW, family=hint).text)
        ours = best_rate(lambda items=items, hint=hint: sum(
            1 for u, h in items if extract_article(h, u, fetched_at=NOW, family=hint)), repeat)

        def theirs(items: Sequence[tuple[str, bytes]] = items) -> int:
            for u, h in items:
                trafilatura.bare_extraction(h.decode("utf-8", "replace"), url=u, with_metadata=True)
            return len(items)

        rate = best_rate(theirs, repeat)
        label = f"extraction: {family}" + (" (generic fallback, 15 real news pages)" if family == "generic"
                                           else f" ({len(items)} bench pages)")
        rows.append([label, "pages/s", f"{ours:,.1f}", f"{ok}/{len(items)} with body",
                     f"trafilatura {trafilatura.__version__} bare_extraction", f"{rate:,.1f}",
                     f"{ours / rate:.1f}×", ""])
    return rows


def entity_rows(texts: list[str], repeat: int) -> list[list[Any]]:
    from crawler.entities import extract_entities

    rate = best_rate(lambda: sum(1 for t in texts if extract_entities(t) is not None), repeat)
    found = sum(1 for _ in texts)
    installed = [n for n in ("underthesea", "ViNLP") if importlib.util.find_spec(n)]
    base = ", ".join(installed) + " installed (not measured)" if installed else \
        "underthesea / ViNLP: not installed (GPL, heavy)"
    return [["entities (people, places, orgs)", "articles/s", f"{rate:,.1f}", f"{found} texts", base,
             "", "", ""]]


def db_rows(pages: dict[str, list[tuple[str, bytes]]], work: Path) -> tuple[list[list[Any]], str]:
    """Three ways to write the same extracted articles to SQLite; returns the provnews DB URL."""
    from sqlalchemy.orm import Session

    from crawler import db
    from crawler.extract import extract_article
    from crawler.registry import load_registry

    items = [(u, h, extract_article(h, u, fetched_at=NOW, family=f))
             for f, its in pages.items() if f != "generic" for u, h in its]
    url = f"sqlite:///{work / 'provnews.db'}"
    engine = db.open_database(url)
    site = next(iter(load_registry().values()))
    with Session(engine) as s, s.begin():
        site_id = db.ensure_site(s, site)
        run_id = db.start_run(s, site_id, NOW)
    t = time.perf_counter()
    with Session(engine) as s, s.begin():  # one transaction per batch, as the store pipeline does
        for _u, h, art in items:
            db.upsert_article(s, site_id=site_id, run_id=run_id, article=art, raw_html=h, encoding="utf-8",
                              http_status=200, discovered_via="sitemap", seen_at=NOW)
    ours = len(items) / (time.perf_counter() - t)
    engine.dispose()
    from crawler import dedupe

    bulk_engine = db.open_database(f"sqlite:///{work / 'bulk.db'}")
    with Session(bulk_engine) as s, s.begin():
        bulk_site = db.ensure_site(s, site)
    fetched = [db.Fetched(article=art, raw_html=h, encoding="utf-8", http_status=200,
                          discovered_via="sitemap", seen_at=NOW, sketch=dedupe.sketch(art.text))
               for _u, h, art in items]
    t = time.perf_counter()
    for i in range(0, len(fetched), 50):  # the crawl's batches: store_fetched, 1 txn each
        with Session(bulk_engine) as s, s.begin():
            db.store_fetched(s, site_id=bulk_site, run_id=None, items=fetched[i:i + 50])
    bulk = len(items) / (time.perf_counter() - t)
    bulk_engine.dispose()

    naive_engine = sa.create_engine(f"sqlite:///{work / 'naive.db'}")
    Base.metadata.create_all(naive_engine)
    t = time.perf_counter()
    for u, h, art in items:
        with Session(naive_engine) as s, s.begin():
            s.add(Row(url=u, title=art.title, text=art.text, raw_html=zlib.compress(h, 6)))
    naive = len(items) / (time.perf_counter() - t)
    with naive_engine.begin() as c:
        c.execute(sa.delete(Row.__table__))
    t = time.perf_counter()
    with naive_engine.begin() as c:
        c.execute(sa.insert(Row.__table__), [
            {"url": u, "title": a.title, "text": a.text, "raw_html": zlib.compress(h, 6)}
            for u, h, a in items])
    batched = len(items) / (time.perf_counter() - t)
    naive_engine.dispose()
    return [
        ["db writes, SQLite: store_fetched (the crawl's path)", "articles/s", f"{bulk:,.0f}",
         f"{len(items)} new articles, batches of 50, with versions, sketches, duplicate links",
         "naive: 1 ORM commit per article", f"{naive:,.0f}", f"{bulk / naive:.1f}×", ""],
        ["", "", "", "", "batched core insert, 1 txn (no versions/sketches)", f"{batched:,.0f}",
         f"{bulk / batched:.2f}×", ""],
        ["db writes, SQLite: upsert_article per article", "articles/s", f"{ours:,.0f}",
         "the race-safe per-article path, 1 txn", "", "", "", ""],
    ], url


REPROCESS_ROWS = 2000


def _store_for_reprocess(url: str, rows: int) -> int:
    """Store ``rows`` bench pages (half per family, each under a registry site of that family)
    with a placeholder extraction, so the first ``provnews reprocess`` fills in the real one."""
    from sqlalchemy.orm import Session

    from crawler import db
    from crawler.discovery import normalize_url
    from crawler.extract.model import Article
    from crawler.registry import load_registry

    pages = bench_pages(2000, rows // 2)
    sites = load_registry().values()
    engine = db.open_database(url)
    stored = 0
    with Session(engine) as s, s.begin():
        for family in ("nukeviet", "wordpress"):
            site_id = db.ensure_site(s, next(site for site in sites if site.family == family))
            for u, h in pages[family]:
                placeholder = Article(url=u, canonical_url=normalize_url(u), title="(placeholder)")
                db.upsert_article(s, site_id=site_id, run_id=None, article=placeholder, raw_html=h,
                                  encoding="utf-8", http_status=200, discovered_via="sitemap", seen_at=NOW)
                stored += 1
    engine.dispose()
    return stored


def _timed_reprocess(url: str) -> tuple[float, str]:
    """Wall seconds of the whole ``provnews reprocess --db URL`` command, on every CPU, and its
    summary line."""
    everywhere = (lambda: os.sched_setaffinity(0, range(os.cpu_count() or 1))) \
        if hasattr(os, "sched_setaffinity") else None  # this script pins itself to one CPU
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-P", "-m", "crawler", "reprocess", "--db", url],  # noqa: S603
                          capture_output=True, text=True, check=False, cwd=ROOT, preexec_fn=everywhere)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"provnews reprocess failed: {done.stderr[-2000:]}")
    return elapsed, done.stdout.strip().splitlines()[-1]


def reprocess_row(url: str, _count: int) -> list[Any]:
    """``provnews reprocess`` over a store of REPROCESS_ROWS bench pages (next to ``url``):
    the whole command, interpreter start-up included, on every CPU. Rate with every
    article unchanged (a rerun), and with every one changed (its content_hash tampered,
    so each is stored as a new version with a diff)."""
    import sqlalchemy as sa

    from crawler import db

    store = f"sqlite:///{Path(url.removeprefix('sqlite:///')).parent / 'reprocess.db'}"
    rows = _store_for_reprocess(store, REPROCESS_ROWS)
    first = _timed_reprocess(store)[1]  # placeholders -> real extractions
    if f"updated {rows}" not in first:
        raise RuntimeError(f"expected every placeholder updated: {first}")
    unchanged, line = _timed_reprocess(store)
    if f"unchanged {rows}" not in line:
        raise RuntimeError(f"expected every article unchanged: {line}")
    engine = db.open_database(store)
    with engine.begin() as c:
        c.execute(sa.update(db.ArticleRow).values(content_hash="0" * 64))
    engine.dispose()
    changed, line = _timed_reprocess(store)
    if f"updated {rows}" not in line:
        raise RuntimeError(f"expected every article updated: {line}")
    return [f"re-processing stored HTML ({rows:,} rows)", "articles/s", f"{rows / unchanged:,.1f}",
            "all unchanged; `provnews reprocess --db`, whole command incl. start-up, all CPUs",
            "same, every row changed (hash tampered)", f"{rows / changed:,.1f}", "", ""]


def print_table(rows: list[list[Any]]) -> None:
    header = ["stage", "unit", "provnews", "note", "baseline", "baseline rate", "provnews ÷ baseline",
              "baseline ok"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for i, row in enumerate([header, *rows]):
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="bench site size to sample pages from")
    parser.add_argument("--sample", type=int, default=200, help="pages per family")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    pages = bench_pages(args.pages, args.sample)
    from crawler.extract import extract_article

    texts = [extract_article(h, u, fetched_at=NOW).text or "" for f, its in pages.items() for u, h in its]
    print(f"pages: {', '.join(f'{f} {len(v)}' for f, v in pages.items())}; one CPU; best of {args.repeat}")
    rows = dates_row(args.repeat) + extraction_rows(pages, args.repeat) + entity_rows(texts, args.repeat)
    with tempfile.TemporaryDirectory(prefix="provnews-stages-") as tmp:
        more, url = db_rows(pages, Path(tmp))
        rows += more
        rows.append(reprocess_row(url, sum(len(v) for f, v in pages.items() if f != "generic")))
    print_table(rows)


if __name__ == "__main__":
    main()
