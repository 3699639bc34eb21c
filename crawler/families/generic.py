"""The generic family: any site no family recognises (metadata, generic layout rules)."""

from __future__ import annotations

from crawler.families.base import Discovery, Family, Version

FAMILY = Family(
    name="generic",
    label="generic (JSON-LD/OpenGraph metadata, displayed fields, trafilatura)",
    versions=(Version("V1", parser="generic", fixtures="articles"),),
    discovery=Discovery(
        feeds=("/rss/", "/rss.xml", "/feed/", "/rss/home.rss"),
        sitemaps=("/sitemap.xml",),
        listings=("/",),
        pagination="rel_next",
    ),
)
