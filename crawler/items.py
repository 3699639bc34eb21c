"""Items passed from the spider to the pipelines (dataclasses, as Scrapy recommends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class PageItem:
    """One fetched article page; the store pipeline's workers extract and store it."""

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
    source_modified_at: datetime | None = None
    """The page's ``lastmod`` in the sitemap that listed it, if any (stored with it)."""


@dataclass
class GoneItem:
    """A revisit found a stored article gone (404/410, or redirected to a non-article)."""

    site_key: str
    url: str
    """The stored URL that was revisited."""
    status: int
    seen_at: datetime
