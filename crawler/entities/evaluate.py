"""Score entity mentions against hand annotations (the project's evaluation set).

Spans are compared strictly, after stripping a leading level word (LOC) or honorific
(PER) from both sides, so "xã Mường Giàng" and "Mường Giàng" are the same span.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from crawler.entities import lexicon as lx
from crawler.entities.gazetteer import name_key

LABELS = ("PER", "LOC", "ORG")
_STRIP = {
    "LOC": sorted(lx.PLACE_LEVELS, key=len, reverse=True),
    "PER": sorted(lx.CUES, key=len, reverse=True),
}


def strip_span(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    """Drop one leading level word or honorific (and the space after it) from a span."""
    low = text[start:end].lower()
    for word in _STRIP.get(label, ()):
        if low.startswith(word + " ") and end - start > len(word) + 1:
            return start + len(word) + 1, end
    return start, end


@dataclass
class Score:
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    roles_right: int = 0
    roles_total: int = 0
    units_right: int = 0
    units_total: int = 0

    def prf(self, label: str) -> tuple[float, float, float]:
        tp, fp, fn = self.tp[label], self.fp[label], self.fn[label]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def role_rate(self) -> float:
        return self.roles_right / self.roles_total if self.roles_total else 0.0

    @property
    def unit_rate(self) -> float:
        return self.units_right / self.units_total if self.units_total else 0.0


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _spans(text: str, ents: Iterable[dict]) -> dict[tuple[str, int, int], dict]:
    return {(e["label"], *strip_span(text, e["start"], e["end"], e["label"])): e for e in ents}


def _norm(s: str) -> str:
    return " ".join(name_key(s).split())


def score_doc(score: Score, doc: dict, predicted: list[dict], people: dict[str, list[str]] | None) -> None:
    """Add one document. ``predicted``: mention dicts; ``people``: name -> roles, if known."""
    text = doc["text"]
    gold, pred = _spans(text, doc["entities"]), _spans(text, predicted)
    for key in gold.keys() | pred.keys():
        label = key[0]
        if key in gold and key in pred:
            score.tp[label] += 1
        elif key in gold:
            score.fn[label] += 1
        else:
            score.fp[label] += 1
    for key, g in gold.items():
        if g.get("unit"):
            score.units_total += 1
            score.units_right += key in pred and pred[key].get("unit_name_2024") == g["unit"]
    if people is None:
        return
    roles = {_norm(k): [_norm(r) for r in v] for k, v in people.items()}
    for g in doc["entities"]:
        if g["label"] == "PER" and g.get("role"):
            score.roles_total += 1
            score.roles_right += _norm(g["role"]) in roles.get(_norm(g["text"]), [])


def evaluate(docs: list[dict], extract: Callable[[dict], tuple[list[dict], dict | None]]) -> Score:
    """Score an extractor: ``extract(doc)`` returns (mention dicts, {person name: roles} or None)."""
    score = Score()
    for doc in docs:
        predicted, people = extract(doc)
        score_doc(score, doc, predicted, people)
    return score
