"""The extraction result: one plain dataclass, no Scrapy, no database."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Article:
    """Fields extracted from one article page.

    Every string is NFC-normalised with collapsed whitespace. ``provenance`` maps a
    field name to the layer that produced it (``family:nukeviet``, ``metadata``,
    ``generic``...). ``problems`` lists human-readable reasons for fields that could
    not be extracted or for input that was malformed; extraction never raises on bad
    pages.
    """

    url: str | None = None
    """The URL the page was fetched from (or given on the command line)."""
    canonical_url: str | None = None
    """``<link rel=canonical>`` / ``og:url`` resolved against ``url``; else ``url``."""
    title: str | None = None
    """Headline as displayed in the article heading."""
    published_at: datetime | None = None
    """Publication time, timezone-aware (Asia/Ho_Chi_Minh when the page shows no zone)."""
    published_raw: str | None = None
    """The date string exactly as shown on the page."""
    updated_at: datetime | None = None
    """Last-update time when the page shows one separately, timezone-aware."""
    author: str | None = None
    """Byline as displayed without role prefixes; several authors joined by ", "."""
    authors: list[str] = field(default_factory=list)
    """The byline split into individual authors."""
    source: str | None = None
    """A source credit ("Nguồn tin", "Theo TTXVN") kept apart from the author."""
    lead: str | None = None
    """The sapo / standfirst, kept apart from the body."""
    text: str | None = None
    """Body paragraphs joined by blank lines, without boilerplate, lead or byline."""
    images: list[dict[str, str | None]] = field(default_factory=list)
    """Images of the body in order: ``{"url": absolute URL, "caption": text or None}``."""
    category: str | None = None
    """Section as displayed (breadcrumb levels joined by " > ")."""
    family: str | None = None
    """The CMS family parser that recognised the page, if any."""
    provenance: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def to_json(self, page_id: str | None = None) -> dict[str, Any]:
        """The JSON shape printed by ``provnews extract``."""
        data = asdict(self)
        data["published"] = self.published_at.isoformat() if self.published_at else None
        data["updated"] = self.updated_at.isoformat() if self.updated_at else None
        del data["published_at"], data["updated_at"]
        out: dict[str, Any] = {"id": page_id}
        out.update(data)
        return out
