"""The values extraction returns. Offsets are into the text as given to ``extract_entities``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

_FIELDS = {
    "PER": ("cue", "roles"),
    "LOC": ("level", "level_stated", "unit_code_2024", "unit_name_2024", "unit_code_2025",
            "unit_name_2025", "province_code_2025", "resolved", "candidates"),
    "ORG": ("province", "district"),
}  # fmt: skip
_ALWAYS = {"resolved"}


@dataclass
class Mention:
    """One entity mention.

    ``start``/``end``: offsets of the name only (without the honorific or level word).
    ``outer_start``: where the cue or level word starts (== ``start`` when there is none).
    """

    start: int
    end: int
    label: str  # "PER", "LOC" or "ORG"
    text: str  # as written
    normalized: str  # PER: name in title case; ORG: abbreviations expanded, context attached
    outer_start: int = -1
    cue: str | None = None  # PER: "đồng chí", "ông", "Thượng tá"...
    roles: list[str] = field(default_factory=list)  # PER: role chain, each as written
    level: str | None = None  # LOC: "tỉnh", "huyện", "xã", "thôn"... stated or inferred
    level_stated: bool = False
    unit_code_2024: str | None = None  # LOC: pre-2025 code (province, district or commune)
    unit_name_2024: str | None = None  # "Chiềng Bằng, Quỳnh Nhai, Sơn La"
    unit_code_2025: str | None = None  # current commune code, when the unit is a commune
    unit_name_2025: str | None = None  # "Quỳnh Nhai, Sơn La"
    province_code_2025: str | None = None
    resolved: bool = False
    candidates: int = 0  # LOC: how many units have that name (0 = not in the gazetteer)
    province: str | None = None  # ORG: province it belongs to (stated or from context)
    district: str | None = None  # ORG: district it belongs to (stated or from context)
    priority: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the common fields plus those of this label that have a value."""
        d = asdict(self)
        keep = ("start", "end", "label", "text", "normalized", "outer_start", *_FIELDS[self.label])
        return {k: d[k] for k in keep if (d[k] is not None and d[k] != []) or k in _ALWAYS}


@dataclass
class Person:
    """One person in one text: all mentions merged."""

    name: str
    aliases: list[str]
    roles: list[str]
    cues: list[str]
    mentions: list[Mention]


@dataclass
class Place:
    name: str
    level: str | None
    unit_code_2024: str | None
    unit_name_2024: str | None
    unit_code_2025: str | None
    unit_name_2025: str | None
    resolved: bool
    mentions: list[Mention]


@dataclass
class Organization:
    name: str
    province: str | None
    district: str | None
    mentions: list[Mention]


@dataclass
class Entities:
    """Everything found in one text. ``mentions`` is in text order."""

    mentions: list[Mention] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    source_province: str | None = None
