"""Resolve place mentions to administrative units, pre- and post-2025, using context.

A name shared by several units is resolved only when the context (the source site's
province, provinces and districts named in the text) singles one out; otherwise the
mention stays ``resolved=False`` with ``candidates`` > 1. Nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.entities import gazetteer as gz
from crawler.entities import lexicon as lx
from crawler.entities.gazetteer import Unit, name_key
from crawler.entities.model import Mention


@dataclass
class Context:
    provinces_2024: set[str] = field(default_factory=set)
    provinces_2025: set[str] = field(default_factory=set)
    districts: dict[str, str] = field(default_factory=dict)  # code -> name as written


def _candidates(m: Mention) -> list[Unit]:
    g = gz.load()
    key = name_key(lx.PROVINCE_ALIASES.get(name_key(m.text), m.text))
    units = g.by_name.get(key, [])
    if m.level in lx.VILLAGE_LEVELS:
        return []
    tiers = gz.LEVEL_TIERS.get(m.level or "")
    if m.level_stated and tiers:
        units = [u for u in units if u.tier in tiers]
    if not m.level_stated and any(u.tier != "commune" for u in units):
        units = [u for u in units if u.tier != "commune"]  # a bare name is a province or district
    return units


def _score(u: Unit, m: Mention, ctx: Context) -> float:
    g = gz.load()
    s = 0.5 if u.system == "2024" else 0.0
    prov = g.province_of(u)
    provs = ctx.provinces_2024 if u.system == "2024" else ctx.provinces_2025
    if u.tier == "province":
        s += 3
    elif prov is not None and prov.code in provs:
        s += 2
    if u.system == "2024" and u.tier == "commune" and ctx.districts.get(u.parent or "", m.text) != m.text:
        s += 4  # its district is named elsewhere in the text (not by this very name)
    if m.level and name_key(u.type) == name_key(m.level):
        s += 1
    if not m.level_stated and u.tier == "district":
        s += 0.25  # a bare name in context is more often the district than a commune
    return s


def _pick(m: Mention, ctx: Context) -> Unit | None:
    units = _candidates(m)
    m.candidates = len(units)
    if not units:
        return None
    scored = sorted(((_score(u, m, ctx), u) for u in units), key=lambda p: -p[0])
    best, unit = scored[0]
    if len(scored) > 1 and scored[1][0] == best:
        return None
    if len(scored) > 1 and unit.tier != "province" and best < 2:
        return None  # several units of that name and nothing in the context points at one
    return unit


def _fill(m: Mention, unit: Unit) -> None:
    g = gz.load()
    commune, province = g.current(unit)
    m.resolved = True
    if unit.system == "2024":
        m.unit_code_2024 = unit.code
        m.unit_name_2024 = g.path(unit)
    if commune is not None:
        m.unit_code_2025 = commune.code
        m.unit_name_2025 = g.path(commune)
    elif unit.system == "2025":
        m.unit_name_2025 = unit.name
    if province is not None:
        m.province_code_2025 = province.code
        m.unit_name_2025 = m.unit_name_2025 or province.name
    if not m.level:
        m.level = name_key(unit.type)


def _context(source_province: str | None, mentions: list[Mention]) -> Context:
    g = gz.load()
    ctx = Context()
    names = [source_province] if source_province else []
    names += [m.text for m in mentions if m.unit_code_2024 and len(m.unit_code_2024) == 2]
    for name in names:
        unit = g.province_named(lx.PROVINCE_ALIASES.get(name_key(name), name))
        if unit is None:
            continue
        if unit.system == "2024":
            ctx.provinces_2024.add(unit.code)
            ctx.provinces_2025.update(unit.successors)
        else:
            ctx.provinces_2025.add(unit.code)
    return ctx


def resolve(mentions: list[Mention], source_province: str | None) -> None:
    """Fill the unit fields of LOC mentions in place."""
    for m in mentions:  # provinces first: they are context for the rest
        unit = _pick(m, Context()) if not m.level or m.level in {"tỉnh", "thành phố"} else None
        if unit is not None and unit.tier == "province":
            _fill(m, unit)
    ctx = _context(source_province, mentions)
    for m in mentions:
        unit = _pick(m, ctx)
        if unit is not None and unit.tier == "district":
            ctx.districts[unit.code] = m.text
    for m in mentions:
        unit = _pick(m, ctx)
        if unit is not None:
            _fill(m, unit)
        elif m.text in lx.COUNTRIES or name_key(m.text) in {name_key(c) for c in lx.COUNTRIES}:
            m.level = "quốc gia"
