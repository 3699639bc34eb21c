"""Items passed from the spider to the pipelines (dataclasses, as Scrapy recommends)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.extract.model import Article


@dataclass
class PageItem:
    """One fetched article page, before and after extraction."""

    site_key: str
    """Registry key of the site the page belongs to."""
    url: str
    """Final URL of the response (after redirects)."""
    status: int
    """HTTP status of the response."""
    body: bytes
    """Raw response body as received."""
    encoding: str | None
    """Encoding Scrapy decoded the body with (header, meta or detection)."""
    fetched_at: datetime
    """When the response arrived (aware, UTC)."""
    discovered_via: str | None
    """Discovery channel that found the URL: ``feed``, ``sitemap`` or ``listing`` (None when
    a stored article is revisited)."""
    article: Article | None = field(default=None)
    """Filled by ExtractArticlePipeline."""
    sketch: list[int] = field(default_factory=list)
    """Near-duplicate sketch of the text (``crawler.dedupe``), filled with ``article``."""
    entities: Any = None
    """``crawler.entities.Entities`` when entity extraction is on."""
    stored_outcome: str | None = None
    """Filled by StoreArticlePipeline: ``new``, ``updated`` or ``unchanged``."""


@dataclass
class GoneItem:
    """A revisit found a stored article gone (404/410, or redirected to a non-article)."""

    site_key: str
    url: str
    """The stored URL that was revisited."""
    status: int
    seen_at: datetime
