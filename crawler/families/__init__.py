"""CMS families as versioned code: NukeViet, WordPress, Liferay and the generic fallback.

``FAMILIES`` maps a family name (the registry's ``family`` field) to its
:class:`~crawler.families.base.Family`; :func:`detect` ranks them for a fetched page.
"""

from __future__ import annotations

from crawler.families import generic, liferay, nukeviet, wordpress
from crawler.families.base import Detection, Discovery, Family, PageInfo, Signal, Version

DETECTION_THRESHOLD = 0.5
"""A family must score at least this to beat ``generic``."""


def _collect(*families: Family) -> dict[str, Family]:
    out: dict[str, Family] = {}
    for family in families:
        if family.name in out:
            raise ValueError(f"duplicate CMS family name {family.name!r}")
        if not family.versions:
            raise ValueError(f"CMS family {family.name!r} has no versions")
        out[family.name] = family
    return out


FAMILIES = _collect(nukeviet.FAMILY, wordpress.FAMILY, liferay.FAMILY, generic.FAMILY)


def get(name: str) -> Family:
    """The family called ``name``; ``KeyError`` names the known ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown CMS family {name!r}; known: {sorted(FAMILIES)}") from None


def rank(page: PageInfo) -> list[Detection]:
    """Every family's detection for the page, best first."""
    found = [family.detect(page) for family in FAMILIES.values()]
    return sorted(found, key=lambda d: d.score, reverse=True)


def detect(page: PageInfo) -> Detection:
    """The best family for the page, ``generic`` when none reaches the threshold."""
    best = rank(page)[0]
    if best.score >= DETECTION_THRESHOLD:
        return best
    return Detection("generic", 0.0, ("no family signal reached the threshold",))


__all__ = [
    "DETECTION_THRESHOLD", "FAMILIES", "Detection", "Discovery", "Family", "PageInfo", "Signal",
    "Version", "detect", "get", "rank",
]  # fmt: skip
