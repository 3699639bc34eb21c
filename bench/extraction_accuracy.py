#!/usr/bin/env python3
"""Side-by-side extraction accuracy and speed: provnews against trafilatura, htmldate, newspaper4k.

Usage: ``.venv/bin/python bench/extraction_accuracy.py [--corpus news|nukeviet|all] [--repeat N]``

Every extractor runs in the same process on the same labelled pages: the 15 real news
pages in ``tests/fixtures/articles/`` and the 133 NukeViet portal pages in
``tests/fixtures/nukeviet/`` (three themes). Scoring uses the corpus scorer
(``bench/score_extractors.py``): title exact, date to the day, date to the minute where
the page shows a time, author (label or aliases), lead (first sentence of the sapo
contained in the output), body (first and last sentence contained). provnews' lead is
scored on ``lead + text``, the same way the baselines' single text is.

Speed is pages per second on one core: the process is pinned to one CPU, each extractor
warms up on one page, then extracts every page ``--repeat`` times; the best pass counts.
A baseline that is not installed is reported as such, never a crash.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures"
NEWS = FIXTURES / "articles"
NUKEVIET = FIXTURES / "nukeviet"
NUKEVIET_LABELS = ("labels.jsonl", "articles_default/labels.jsonl", "articles_mobile_egov/labels.jsonl")
COLUMNS = (("title", "title"), ("date_day", "date (day)"), ("date", "date (minute)"),
           ("author", "author"), ("lead", "lead"), ("body", "body first+last"))  # fmt: skip

Page = dict[str, Any]  # label fields + "html" (bytes) + "key" (unique id)
Prediction = dict[str, Any]  # id, title, published, author, text


def _load_scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extractors", ROOT / "bench" / "score_extractors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(corpus: str) -> list[Page]:
    """Labelled pages of one corpus, with their bytes."""
    pages = []
    if corpus == "news":
        for line in (NEWS / "labels.jsonl").read_text(encoding="utf-8").splitlines():
            label = json.loads(line)
            label["html"] = (NEWS / f"{label['id']}.html").read_bytes()
            label["key"] = label["id"]
            pages.append(label)
        return pages
    for name in NUKEVIET_LABELS:
        for line in (NUKEVIET / name).read_text(encoding="utf-8").splitlines():
            label = json.loads(line)
            label["html"] = (NUKEVIET / label["file"]).read_bytes()
            label["key"] = label["file"]
            pages.append(label)
    return pages


# --- extractors: each takes (html bytes, url) and returns a prediction dict ---------------


def provnews(html: bytes, url: str) -> Prediction:
    from crawler.extract import extract_article

    art = extract_article(html, url)
    text = "\n\n".join(part for part in (art.lead, art.text) if part)
    published = art.published_at.isoformat() if art.published_at else None
    return {"title": art.title, "published": published, "author": art.author, "text": text}


def _trafilatura(**options: Any) -> Callable[[bytes, str], Prediction]:
    def run(html: bytes, url: str) -> Prediction:
        import trafilatura

        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, **options)
        if doc is None:
            return {}
        data = doc if isinstance(doc, dict) else doc.as_dict()
        return {"title": data.get("title"), "published": data.get("date"),
                "author": data.get("author"), "text": data.get("text")}  # fmt: skip

    return run


_TIME_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%d %H:%M"}


def htmldate_extensive(html: bytes, url: str) -> Prediction:
    from htmldate import find_date

    found = find_date(html, url=url, extensive_search=True, original_date=True, outputformat="%Y-%m-%d %H:%M")
    return {"published": found}


def newspaper4k(html: bytes, url: str) -> Prediction:
    with warnings.catch_warnings():  # "nltk is not installed": only its NLP features need it
        warnings.simplefilter("ignore", UserWarning)
        from newspaper import Article

    article = Article(url, language="vi", fetch_images=False)
    article.download(input_html=html.decode("utf-8", errors="replace"))
    article.parse()
    published = article.publish_date.isoformat() if article.publish_date else None
    return {"title": article.title, "published": published, "author": ", ".join(article.authors),
            "text": article.text}  # fmt: skip


# name, module that must be importable, function, fields it predicts
EXTRACTORS: list[tuple[str, str, Callable[[bytes, str], Prediction], tuple[str, ...]]] = [
    ("provnews", "crawler.extract", provnews, ()),
    ("trafilatura (defaults)", "trafilatura", _trafilatura(), ()),
    ("trafilatura (favor_recall)", "trafilatura", _trafilatura(favor_recall=True), ()),
    ("trafilatura (time requested)", "trafilatura", _trafilatura(date_extraction_params=_TIME_PARAMS), ()),
    ("htmldate (extensive)", "htmldate", htmldate_extensive, ("date_day", "date")),
    ("newspaper4k", "newspaper", newspaper4k, ()),
]


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


def pin_one_core() -> str:
    """Pin this process to one CPU so pages/second means one core."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def run_one(func: Callable[[bytes, str], Prediction], pages: list[Page], repeat: int) -> tuple[dict, float]:
    """Predictions keyed by page, and pages/second of the best of ``repeat`` passes."""
    func(pages[0]["html"], pages[0]["url"])  # warm-up: imports, lazy tables
    preds: dict[str, Prediction] = {}
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for page in pages:
            try:
                preds[page["key"]] = func(page["html"], page["url"])
            except Exception as exc:  # a baseline crashing on a page scores 0 there
                preds[page["key"]] = {"error": f"{type(exc).__name__}: {exc}"}
        best = min(best, time.perf_counter() - start)
    return preds, len(pages) / best


def score(scorer: Any, pages: list[Page], preds: dict[str, Prediction]) -> dict[str, tuple[int, int]]:
    rows = [scorer.score_page(page, preds.get(page["key"])) for page in pages]
    return scorer.aggregate(rows)


def cell(acc: dict[str, tuple[int, int]], field: str, predicted: tuple[str, ...]) -> str:
    if predicted and field not in predicted:
        return "–"
    hits, total = acc[field]
    return "n/a" if total == 0 else f"{hits}/{total}"


def table(corpus: str, pages: list[Page], results: list[tuple[str, Any]]) -> list[str]:
    head = ["system", *(label for _, label in COLUMNS), "pages/s"]
    rows = []
    for name, result in results:
        if isinstance(result, str):
            rows.append([name, *(["–"] * len(COLUMNS)), result])
            continue
        acc, speed, predicted = result
        rows.append([name, *(cell(acc, f, predicted) for f, _ in COLUMNS), f"{speed:.1f}"])
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    out = [f"{corpus}: {len(pages)} pages", ""]
    out.append("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    out.append("|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|")
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        out.append("| " + " | ".join(cells) + " |")
    return out


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"Python {sys.version.split()[0]}"]
    for dist in ("provnews", "trafilatura", "htmldate", "newspaper4k", "lxml"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist} not installed")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", choices=("news", "nukeviet", "all"), default="all")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per extractor (best counts)")
    parser.add_argument("--only", action="append", help="run only extractors whose name starts with this")
    parser.add_argument("--per-page", action="store_true", help="list the pages each extractor gets wrong")
    args = parser.parse_args(argv)
    scorer = _load_scorer()
    print(f"{versions()}; {pin_one_core()}; best of {args.repeat} passes")
    corpora = ("news", "nukeviet") if args.corpus == "all" else (args.corpus,)
    for corpus in corpora:
        pages = load_pages(corpus)
        results: list[tuple[str, Any]] = []
        for name, module, func, predicted in EXTRACTORS:
            if args.only and not any(name.startswith(o) for o in args.only):
                continue
            if not installed(module):
                results.append((name, f"not installed ({module})"))
                continue
            preds, speed = run_one(func, pages, args.repeat)
            results.append((name, (score(scorer, pages, preds), speed, predicted)))
            if args.per_page:
                print_misses(scorer, name, pages, preds, predicted)
        print()
        print("\n".join(table(corpus, pages, results)))
    return 0


def print_misses(scorer: Any, name: str, pages: list[Page], preds: dict, predicted: tuple[str, ...]) -> None:
    for page in pages:
        row = scorer.score_page(page, preds.get(page["key"]))
        wrong = [f for f, _ in COLUMNS if row.get(f) == 0 and (not predicted or f in predicted)]
        if wrong:
            print(f"  {name}: {page['key']}: {', '.join(wrong)}")


if __name__ == "__main__":
    sys.exit(main())
