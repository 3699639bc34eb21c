"""People (with roles), places (resolved to administrative units before and after the
July 2025 reform) and organisations in Vietnamese government news, offline, by rules
and a gazetteer. Pure functions: no Scrapy, no database, no network.

Text is NFC-normalised at the door; offsets in the result always refer to the text as
given (NFD input included).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter

from crawler.entities import gazetteer as gz
from crawler.entities import lexicon as lx
from crawler.entities._text import Token, to_nfc, tokenize
from crawler.entities.gazetteer import name_key
from crawler.entities.merge import merge_entities
from crawler.entities.model import Entities, Mention, Organization, Person, Place
from crawler.entities.orgs import find_orgs
from crawler.entities.people import find_people
from crawler.entities.places import big_names, find_places
from crawler.entities.resolve import resolve

__all__ = ["Entities", "Mention", "Organization", "Person", "Place", "article_fields", "extract_entities"]

_FIXED_RE = re.compile(
    "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(lx.FIXED_PHRASES, key=len, reverse=True)),
    re.IGNORECASE,
)
_HCM_PERSON = re.compile(r"\b(Chủ tịch|Bác)\s+(Hồ Chí Minh|Hồ)\b")


_CREDIT_RE = re.compile(r"\(?\b(?:Ảnh|Nguồn|Video|Clip)\s*:[^\n()]*\)?")


def _fixed_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _FIXED_RE.finditer(text)]


def _credit_spans(text: str) -> list[tuple[int, int]]:
    """Photo and source credits ("Ảnh: Báo Thái Nguyên") are bylines, not mentions."""
    return [(m.start(), m.end()) for m in _CREDIT_RE.finditer(text)]


def _special_people(text: str) -> list[Mention]:
    out = []
    for m in _HCM_PERSON.finditer(text):
        if m.group(1) == "Bác" and m.group(2) != "Hồ":
            continue
        s, e = m.start(2), m.end(2)
        mention = Mention(s, e, "PER", m.group(2), "Hồ Chí Minh", outer_start=m.start(), cue=m.group(1))
        mention.priority = 4
        out.append(mention)
    return out


def _mask(spans: list[tuple[int, int]], size: int) -> bytearray:
    out = bytearray(size + 1)
    for s, e in spans:
        out[s:e] = b"\x01" * (e - s)
    return out


def _select(cands: list[Mention], blocked: list[tuple[int, int]], text: str) -> list[Mention]:
    """Keep non-overlapping mentions: higher priority first, then longer."""
    size = len(text)
    fixed, credit = _mask(blocked, size), _mask(_credit_spans(text), size)
    used = bytearray(size + 1)
    kept: list[Mention] = []
    for m in sorted(cands, key=lambda m: (-m.priority, -(m.end - m.outer_start), m.start)):
        if m.label != "ORG" and any(fixed[m.start : m.end]):
            continue
        if any(credit[m.start : m.end]):
            continue
        if any(used[m.outer_start : m.end]):
            continue
        kept.append(m)
        used[m.outer_start : m.end] = b"\x01" * (m.end - m.outer_start)
    return sorted(kept, key=lambda m: m.start)


def _org_context(orgs: list[Mention], places: list[Mention], source: str | None) -> None:
    """Attach the province/district an organisation belongs to, stated or from context."""
    g = gz.load()
    districts = Counter(p.unit_code_2024 for p in places if p.unit_code_2024 and len(p.unit_code_2024) == 3)
    main_district = g.get("2024", "district", districts.most_common(1)[0][0]) if districts else None
    provinces = [p.unit_name_2024 for p in places if p.unit_code_2024 and len(p.unit_code_2024) == 2]
    province = source or (provinces[0] if provinces else None)
    starts = [p.outer_start for p in places]
    for org in orgs:
        lo, hi = bisect_left(starts, org.start), bisect_right(starts, org.end)
        inner = [p for p in places[lo:hi] if p.end <= org.end and p.resolved]
        if inner:
            unit = g.get("2024", "district", inner[-1].unit_code_2024)
            org.district = unit.name if unit else None
            org.province = (inner[-1].unit_name_2024 or "").split(", ")[-1] or None
            continue
        low = org.text.lower().replace("uỷ", "ủy")
        if re.search(r"(huyện|huyện ủy|huyện đoàn)$", low) and main_district is not None:
            org.district = main_district.name
            prov = g.province_of(main_district)
            org.province = prov.name if prov else province
            org.normalized += f" {main_district.name}"
        elif re.search(r"(tỉnh|tỉnh ủy|tỉnh đoàn)$", low) and province:
            org.province = province
            org.normalized += f" {province}"


def _extract_nfc(text: str, source_province: str | None) -> list[Mention]:
    toks: list[Token] = tokenize(text)
    blocked = _fixed_spans(text)
    people = find_people(toks, text, set(big_names())) + _special_people(text)
    starts = {p.start for p in people}
    tok_start = [t.start for t in toks]
    orgs = find_orgs(toks, text, lambda k: tok_start[k] in starts)
    places = find_places(toks, text, source_province)
    resolve(places, source_province)
    _org_context(orgs, places, source_province)
    return _select(people + orgs + places, blocked, text)


def extract_entities(text: str, *, source_province: str | None = None, author: str | None = None) -> Entities:
    """People, places and organisations mentioned in ``text``.

    ``source_province``: the province of the site the text comes from (resolves "tỉnh",
    "Tỉnh ủy" and ambiguous commune names). ``author``: the article's byline; a name
    equal to it is not reported as a person unless the text itself names them with a cue.
    """
    if not isinstance(text, str) or not text:
        return Entities(source_province=source_province)
    nfc, offsets = to_nfc(text)
    mentions = _extract_nfc(nfc, source_province)
    if author:
        akey = name_key(author)
        mentions = [
            m for m in mentions if not (m.label == "PER" and m.cue is None and name_key(m.text) == akey)
        ]
    if offsets is not None:
        for m in mentions:
            m.start, m.end, m.outer_start = offsets[m.start], offsets[m.end], offsets[m.outer_start]
            m.text = text[m.start : m.end]
    return merge_entities(mentions, source_province)


def article_fields(text: str, *, source_province: str | None = None, author: str | None = None) -> dict:
    """JSON-ready ``people``, ``places`` and ``organizations`` for one article's text."""
    ents = extract_entities(text, source_province=source_province, author=author)
    spans = lambda ms: [[m.start, m.end] for m in ms]  # noqa: E731
    return {
        "people": [{"name": p.name, "aliases": p.aliases, "roles": p.roles, "cues": p.cues,
                    "spans": spans(p.mentions)} for p in ents.people],
        "places": [{"name": p.name, "level": p.level, "unit_code_2024": p.unit_code_2024,
                    "unit_name_2024": p.unit_name_2024, "unit_code_2025": p.unit_code_2025,
                    "unit_name_2025": p.unit_name_2025, "resolved": p.resolved,
                    "spans": spans(p.mentions)} for p in ents.places],
        "organizations": [{"name": o.name, "province": o.province, "district": o.district,
                           "spans": spans(o.mentions)} for o in ents.organizations],
    }  # fmt: skip
