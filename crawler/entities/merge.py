"""Merge the mentions of one text into people, places and organisations."""

from __future__ import annotations

from crawler.entities.gazetteer import name_key
from crawler.entities.model import Entities, Mention, Organization, Person, Place


def _person_key(m: Mention, full: list[str]) -> str:
    """A short mention ("ông Thiện") joins the one full name that ends with it."""
    key = name_key(m.normalized)
    if len(key.split()) == 1:
        hits = [f for f in full if f.split()[-1] == key]
        if len(hits) == 1:
            return hits[0]
    return key


def _people(mentions: list[Mention]) -> list[Person]:
    pers = [m for m in mentions if m.label == "PER"]
    full = list(dict.fromkeys(name_key(m.normalized) for m in pers if len(m.normalized.split()) > 1))
    groups: dict[str, list[Mention]] = {}
    for m in pers:
        groups.setdefault(_person_key(m, full), []).append(m)
    out = []
    for ms in groups.values():
        name = max((m.normalized for m in ms), key=len)
        roles = list(dict.fromkeys(r for m in ms for r in m.roles))
        cues = list(dict.fromkeys(m.cue for m in ms if m.cue))
        aliases = list(dict.fromkeys(m.text for m in ms if m.normalized != name))
        out.append(Person(name=name, aliases=aliases, roles=roles, cues=cues, mentions=ms))
    return out


def _places(mentions: list[Mention]) -> list[Place]:
    groups: dict[tuple, list[Mention]] = {}
    for m in mentions:
        if m.label == "LOC":
            key = (m.unit_code_2024 or m.unit_code_2025 or name_key(m.text), m.level)
            groups.setdefault(key, []).append(m)
    out = []
    for ms in groups.values():
        m = ms[0]
        out.append(Place(name=m.text, level=m.level, unit_code_2024=m.unit_code_2024,
                         unit_name_2024=m.unit_name_2024, unit_code_2025=m.unit_code_2025,
                         unit_name_2025=m.unit_name_2025, resolved=m.resolved, mentions=ms))  # fmt: skip
    return out


def _orgs(mentions: list[Mention]) -> list[Organization]:
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.label == "ORG":
            groups.setdefault(name_key(m.normalized), []).append(m)
    return [Organization(name=ms[0].normalized, province=ms[0].province, district=ms[0].district, mentions=ms)
            for ms in groups.values()]  # fmt: skip


def merge_entities(mentions: list[Mention], source_province: str | None) -> Entities:
    return Entities(mentions=mentions, people=_people(mentions), places=_places(mentions),
                    organizations=_orgs(mentions), source_province=source_province)  # fmt: skip
