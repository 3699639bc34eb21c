"""Generic fallback layer (stub)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from parsel import Selector


def parse(
    sel: Selector, html: str, url: str | None, *, now: datetime | None, wanted: set[str]
) -> tuple[dict[str, Any], list[str]]:
    return {}, []
