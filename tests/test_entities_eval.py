"""The hand-annotated evaluation set: annotations are well-formed, and quality floors hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.entities import extract_entities
from crawler.entities.evaluate import evaluate, load

EVAL = Path(__file__).parent / "fixtures/entities/eval.jsonl"
DOCS = load(EVAL)

# Measured on the set (see bench/entities.py); a drop below these fails.
FLOORS = {"PER": 0.93, "LOC": 0.90, "ORG": 0.80, "roles": 0.90, "units": 0.95}


def provnews(doc: dict) -> tuple[list[dict], dict]:
    ents = extract_entities(doc["text"], source_province=doc.get("source_province"))
    people = {p.name: p.roles for p in ents.people}
    for p in ents.people:
        for m in p.mentions:
            people.setdefault(m.text, p.roles)
    return [m.to_dict() for m in ents.mentions], people


@pytest.fixture(scope="module")
def score():
    return evaluate(DOCS, provnews)


def test_set_has_at_least_40_documents():
    assert len(DOCS) >= 40
    assert len({d["id"] for d in DOCS}) == len(DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=[d["id"] for d in DOCS])
def test_every_annotated_span_matches_the_text(doc):
    for ent in doc["entities"]:
        assert doc["text"][ent["start"] : ent["end"]] == ent["text"], ent
        assert ent["label"] in {"PER", "LOC", "ORG"}


@pytest.mark.parametrize("label", ["PER", "LOC", "ORG"])
def test_f1_floor(score, label):
    assert score.prf(label)[2] >= FLOORS[label]


def test_roles_attached_floor(score):
    assert score.role_rate >= FLOORS["roles"]


def test_places_resolved_floor(score):
    assert score.unit_rate >= FLOORS["units"]
