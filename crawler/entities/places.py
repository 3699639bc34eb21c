"""Places: a level word and a name (or a list of names), or a bare known province/country name.

Resolution to administrative units uses the gazetteer and the text's context: the
source site's province, the provinces and districts named elsewhere in the text.
"""

from __future__ import annotations

from functools import cache

from crawler.entities import gazetteer as gz
from crawler.entities import lexicon as lx
from crawler.entities._text import Phrases, Token, longest
from crawler.entities.gazetteer import Unit, name_key
from crawler.entities.model import Mention

_LEVELS = Phrases(lx.PLACE_LEVELS)
_COUNTRY_KEYS = {name_key(c) for c in lx.COUNTRIES}


@cache
def big_names() -> frozenset[str]:
    """Name keys of provinces, districts and countries: never a person's name."""
    g = gz.load()
    keys = {k for k, units in g.by_name.items() if any(u.tier != "commune" for u in units)}
    return frozenset(keys | _COUNTRY_KEYS | set(lx.PROVINCE_ALIASES))


def _cap_run(toks: list[Token], j: int, hi: int = 4) -> int:
    k = j
    while k < len(toks) and k - j < hi and (toks[k].cap or (toks[k].text in {"-"} and k > j)):
        k += 1
    while k > j and toks[k - 1].text == "-":
        k -= 1
    return k - j


def _key(toks: list[Token], j: int, n: int) -> str:
    if toks[j + n - 1].text == "-":
        return ""
    return name_key(" ".join(t.text for t in toks[j : j + n]))


def _best_known(toks: list[Token], j: int, n: int, tiers: tuple[str, ...] | None) -> int:
    """Longest prefix of the run that the gazetteer knows (at those tiers), else 0."""
    g = gz.load()
    for m in range(n, 0, -1):
        units = g.by_name.get(_key(toks, j, m), [])
        if any(tiers is None or u.tier in tiers for u in units) or _key(toks, j, m) in _COUNTRY_KEYS:
            return m
    return 0


def _mk(toks, j, n, text, outer, level, stated) -> Mention:
    s, e = toks[j].start, toks[j + n - 1].end
    m = Mention(s, e, "LOC", text[s:e], text[s:e], outer_start=outer, level=level, level_stated=stated)
    m.priority = 2 if stated else 1
    return m


def _with_level(toks: list[Token], i: int, text: str) -> tuple[list[Mention], int]:
    word, n = longest(toks, i, _LEVELS)
    if not n or (toks[i].text.isupper() and len(toks[i].text) > 2):
        return [], i + 1
    if toks[i].low.startswith("tp.") and len(toks[i].text) > 3:  # TP.HCM, TP.Quy Nhơn
        return [], i + 1
    level = lx.PLACE_LEVELS[word]
    if level in lx.VILLAGE_LEVELS and toks[i].cap and i > 0 and toks[i - 1].text not in {".", "\n"}:
        return [], i + 1
    tiers = gz.LEVEL_TIERS.get(word.rstrip("."))
    j = i + n
    run = _cap_run(toks, j)
    if not run:
        return [], i + 1
    known = _best_known(toks, j, run, tiers) or (
        run if level in lx.VILLAGE_LEVELS else _best_known(toks, j, run, None)
    )
    m = known or run
    out = [_mk(toks, j, m, text, toks[i].start, level, True)]
    k = j + m
    while k + 1 < len(toks) and (toks[k].text == "," or toks[k].low == "và"):
        k2 = k + 1 + (toks[k + 1].low == "và")
        run = _cap_run(toks, k2)
        if not run or longest(toks, k2, _LEVELS)[1]:
            break
        m = _best_known(toks, k2, run, tiers) or _best_known(toks, k2, run, None)
        if not m and level in lx.VILLAGE_LEVELS and run <= 3:
            m = run
        if not m:
            break
        out.append(_mk(toks, k2, m, text, toks[k2].start, level, True))
        k = k2 + m
    return out, k


def _bare(toks: list[Token], i: int, text: str, districts: set[str]) -> tuple[Mention | None, int]:
    if not toks[i].cap:
        return None, i + 1
    after_cap = i > 0 and toks[i - 1].cap
    run = _cap_run(toks, i, 6)
    for m in range(run, 0, -1):
        key = _key(toks, i, m)
        if m == 1 and (run > 1 or len(key) < 2):
            continue
        if key in _COUNTRY_KEYS and (m > 1 or not after_cap):
            return _mk(toks, i, m, text, toks[i].start, None, False), i + m
        if after_cap:
            continue
        if key in lx.PROVINCE_ALIASES or key in districts:
            return _mk(toks, i, m, text, toks[i].start, None, False), i + m
        units = gz.load().by_name.get(key, [])
        if m > 1 and any(u.tier == "province" for u in units):
            return _mk(toks, i, m, text, toks[i].start, None, False), i + m
    return None, i + 1


def find_places(toks: list[Token], text: str, source_province: str | None) -> list[Mention]:
    """Place mentions, not yet resolved (see :func:`resolve`)."""
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        if toks[i].low in {"tp.hcm", "tphcm"}:
            out.append(_mk(toks, i, 1, text, toks[i].start, "thành phố", True))
            i += 1
            continue
        found, nxt = _with_level(toks, i, text)
        out.extend(found)
        i = nxt
    districts = _context_district_keys(out, source_province)
    i = 0
    taken = {(m.start, m.end) for m in out}
    while i < len(toks):
        m, i = _bare(toks, i, text, districts)
        if m is not None and (m.start, m.end) not in taken:
            out.append(m)
    return sorted(out, key=lambda m: m.start)


def _context_provinces(mentions: list[Mention], source_province: str | None) -> list[Unit]:
    g = gz.load()
    names = [source_province] if source_province else []
    names += [lx.PROVINCE_ALIASES.get(name_key(m.text), m.text) for m in mentions]
    out = []
    for n in names:
        unit = g.province_named(n)
        if unit is not None and unit not in out:
            out.append(unit)
    return out


def _context_district_keys(mentions: list[Mention], source_province: str | None) -> set[str]:
    g = gz.load()
    provs = {u.code for u in _context_provinces(mentions, source_province) if u.system == "2024"}
    return {name_key(u.name) for u in g.units.values() if u.tier == "district" and u.parent in provs}
