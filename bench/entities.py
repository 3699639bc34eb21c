"""Benchmark entity extraction on the hand-annotated set, side by side with baselines.

    python bench/entities.py [--speed-runs N]

Prints per-type precision/recall/F1 (strict spans after stripping a leading level word
or honorific, see tests/fixtures/entities/GUIDELINES.md) for provnews and, when they are
installed, ViNLP and underthesea (baselines only, never project dependencies:
``pip install vinlp underthesea`` in a separate environment; underthesea is GPL), then
provnews' speed in articles/second on one core over the full texts of the saved pages.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.entities import extract_entities  # noqa: E402
from crawler.entities.evaluate import LABELS, evaluate, load  # noqa: E402

EVAL = ROOT / "tests/fixtures/entities/eval.jsonl"


def provnews(doc: dict) -> tuple[list[dict], dict]:
    ents = extract_entities(doc["text"], source_province=doc.get("source_province"))
    people: dict[str, list[str]] = {}
    for p in ents.people:
        for m in p.mentions:
            people.setdefault(m.text, p.roles)
    return [m.to_dict() for m in ents.mentions], people


def _bio_spans(text: str, tagged: list[tuple[str, str]]) -> list[dict]:
    """Token/BIO-tag pairs from a baseline -> character spans in ``text``."""
    spans: list[dict] = []
    pos, cur = 0, None
    for word, tag in tagged:
        surface = word.replace("_", " ")
        at = text.find(surface, pos)
        if at < 0:
            cur = None
            continue
        pos = at + len(surface)
        label = tag[2:] if tag[:2] in ("B-", "I-") else None
        if label in LABELS and (tag.startswith("I-") and cur and cur["label"] == label):
            cur["end"] = pos
        elif label in LABELS:
            cur = {"label": label, "start": at, "end": pos}
            spans.append(cur)
        else:
            cur = None
    return spans


def baseline(module: str):
    """An extractor over ``module.ner`` (ViNLP or underthesea), or None when absent."""
    if importlib.util.find_spec(module) is None:
        return None
    ner = importlib.import_module(module).ner

    def run(doc: dict) -> tuple[list[dict], None]:
        tagged = []
        for line in doc["text"].split("\n"):
            if line.strip():
                tagged += [(t[0], t[-1]) for t in ner(line)]
        spans = _bio_spans(doc["text"], tagged)
        for s in spans:
            s["text"] = doc["text"][s["start"] : s["end"]]
        return spans, None

    return run


def _speed(runs: int) -> tuple[int, float]:
    from crawler.extract import extract_article

    pages = sorted((ROOT / "tests/fixtures/nukeviet/articles").glob("*.html"))
    pages += sorted((ROOT / "tests/fixtures/articles").glob("*.html"))
    texts = []
    for page in pages:
        art = extract_article(page.read_bytes())
        texts.append(f"{art.title or ''}\n{art.lead or ''}\n{art.text or ''}")
    extract_entities(texts[0])  # load the gazetteer outside the timing
    t0 = time.process_time()
    for _ in range(runs):
        for text in texts:
            extract_entities(text, source_province="Bình Định")
    return len(texts) * runs, time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--speed-runs", type=int, default=5)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    docs = load(EVAL)
    n = sum(len(d["entities"]) for d in docs)
    print(f"evaluation set: {len(docs)} texts, {n} annotated mentions ({EVAL.relative_to(ROOT)})\n")
    print(f"{'system':<12} {'type':<4} {'P':>6} {'R':>6} {'F1':>6}")
    systems = {"provnews": provnews, "ViNLP": baseline("ViNLP"), "underthesea": baseline("underthesea")}
    for name, run in systems.items():
        if run is None:
            print(f"{name:<12} not installed (pip install {name.lower()} in a separate venv to compare)")
            continue
        score = evaluate(docs, run)
        for label in LABELS:
            p, r, f = score.prf(label)
            print(f"{name:<12} {label:<4} {p:6.3f} {r:6.3f} {f:6.3f}")
        if name == "provnews":
            print(f"{'':<12} roles attached: {score.roles_right}/{score.roles_total} = {score.role_rate:.3f}")
            right, total = score.units_right, score.units_total
            print(f"{'':<12} places resolved right: {right}/{total} = {score.unit_rate:.3f}")
    count, secs = _speed(args.speed_runs)
    print(f"\nspeed: {count} articles in {secs:.2f} s CPU on one core = {count / secs:.0f} articles/second")


if __name__ == "__main__":
    main()
