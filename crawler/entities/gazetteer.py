"""Vietnam's administrative units before and after the July 2025 reform, offline.

Data: ``data/admin_units.tsv.gz``, built once by ``data/build_gazetteer.py`` from the
wheel of ``vietnamadminunits`` (MIT); the version is in :data:`SOURCE`. Pre-2025: 63
provinces, their districts and communes; current: 34 provinces and their communes /
wards / special zones, with each old commune's successor(s) (default first).
"""

from __future__ import annotations

import gzip
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "admin_units.tsv.gz"

# Level words as written in text -> tiers they can name.
LEVEL_TIERS = {
    "tỉnh": ("province",), "thành phố": ("province", "district"), "tp": ("province", "district"),
    "huyện": ("district",), "quận": ("district",), "thị xã": ("district",), "tx": ("district",),
    "xã": ("commune",), "phường": ("commune",), "thị trấn": ("commune",), "tt": ("commune",),
    "đặc khu": ("commune",),
}  # fmt: skip
_TONE_FIX = {a + b: c for a, b, c in (
    ("o", "à", "òa"), ("o", "á", "óa"), ("o", "ả", "ỏa"), ("o", "ã", "õa"), ("o", "ạ", "ọa"),
    ("o", "è", "òe"), ("o", "é", "óe"), ("o", "ẻ", "ỏe"), ("o", "ẽ", "õe"), ("o", "ẹ", "ọe"),
    ("u", "ỳ", "ùy"), ("u", "ý", "úy"), ("u", "ỷ", "ủy"), ("u", "ỹ", "ũy"), ("u", "ỵ", "ụy"),
)}  # fmt: skip
_TONE_RE = re.compile("(" + "|".join(_TONE_FIX) + r")(?!\w)")


def name_key(name: str) -> str:
    """Matching key: NFC, lower case, one tone-mark placement ("Hoà" = "Hòa"), single spaces."""
    s = unicodedata.normalize("NFC", name).lower().replace("-", " ")
    s = _TONE_RE.sub(lambda m: _TONE_FIX[m.group(1)], s)
    return " ".join(s.split())


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit. ``system`` is "2024" (pre-reform) or "2025" (current)."""

    code: str
    name: str
    type: str  # "Tỉnh", "Huyện", "Xã", "Phường", "Thị trấn", "Đặc khu"...
    tier: str  # "province", "district" or "commune"
    system: str
    parent: str | None = None  # district code (old commune), province code otherwise
    successors: tuple[str, ...] = ()  # old commune -> new commune codes; province -> new province

    @property
    def full_name(self) -> str:
        return f"{self.type} {self.name}".strip()


@dataclass
class Gazetteer:
    units: dict[tuple[str, str, str], Unit] = field(default_factory=dict)  # (system, tier, code)
    by_name: dict[str, list[Unit]] = field(default_factory=dict)
    source: str = ""

    def get(self, system: str, tier: str, code: str | None) -> Unit | None:
        return self.units.get((system, tier, code)) if code else None

    def add(self, unit: Unit) -> None:
        self.units[(unit.system, unit.tier, unit.code)] = unit
        self.by_name.setdefault(name_key(unit.name), []).append(unit)

    def province_of(self, unit: Unit) -> Unit | None:
        """The province (same system) a unit belongs to."""
        if unit.tier == "province":
            return unit
        if unit.system == "2024" and unit.tier == "commune":
            district = self.get("2024", "district", unit.parent)
            return self.province_of(district) if district else None
        return self.get(unit.system, "province", unit.parent)

    def district_of(self, unit: Unit) -> Unit | None:
        if unit.system == "2024" and unit.tier == "commune":
            return self.get("2024", "district", unit.parent)
        return unit if unit.tier == "district" else None

    def path(self, unit: Unit) -> str:
        """Names from the unit up to its province: "Chiềng Bằng, Quỳnh Nhai, Sơn La"."""
        parts = [unit.name]
        district = self.district_of(unit)
        if district is not None and district is not unit:
            parts.append(district.name)
        province = self.province_of(unit)
        if province is not None and province is not unit:
            parts.append(province.name)
        return ", ".join(parts)

    def current(self, unit: Unit) -> tuple[Unit | None, Unit | None]:
        """(current commune or None, current province) for any unit."""
        if unit.system == "2025":
            return (unit if unit.tier == "commune" else None), self.province_of(unit)
        commune = (
            self.get("2025", "commune", unit.successors[0])
            if unit.tier == "commune" and unit.successors
            else None
        )
        if commune is not None:
            return commune, self.province_of(commune)
        old_province = self.province_of(unit)
        new_code = old_province.successors[0] if old_province and old_province.successors else None
        return None, self.get("2025", "province", new_code)

    def province_named(self, name: str) -> Unit | None:
        """The pre-2025 province with that name (or the current one if only that exists)."""
        hits = [u for u in self.by_name.get(name_key(name), []) if u.tier == "province"]
        hits.sort(key=lambda u: u.system)
        return hits[0] if hits else None


def _parse(lines: list[str]) -> Gazetteer:
    gaz = Gazetteer()
    new_province_of_old: dict[str, str] = {}
    # The unit types ("Xã", "Phường"...) repeat in ~14,000 rows: one string each, shared.
    rows = [[sys.intern(cell) for cell in line.split("\t")] for line in lines if line]
    for row in rows:
        if row[0] == "Q":
            for old in filter(None, row[4].split(",")):
                new_province_of_old[old] = row[1]
    for row in rows:
        kind = row[0]
        if kind == "S":
            gaz.source = row[1]
        elif kind == "P":
            succ = (new_province_of_old[row[1]],) if row[1] in new_province_of_old else ()
            gaz.add(Unit(row[1], row[2], row[3], "province", "2024", None, succ))
        elif kind == "D":
            gaz.add(Unit(row[1], row[3], row[4], "district", "2024", row[2]))
        elif kind == "W":
            gaz.add(
                Unit(
                    row[1], row[3], row[4], "commune", "2024", row[2], tuple(filter(None, row[5].split(",")))
                )
            )
        elif kind == "Q":
            gaz.add(Unit(row[1], row[2], row[3], "province", "2025"))
        elif kind == "N":
            gaz.add(Unit(row[1], row[3], row[4], "commune", "2025", row[2]))
    return gaz


@cache
def load() -> Gazetteer:
    """The gazetteer, read once per process (about 14,000 units)."""
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        return _parse(fh.read().split("\n"))


def source() -> str:
    """The package and version the data was built from."""
    return load().source
