"""Liferay portals (6.2 and 7.x) publishing news through the asset publisher portlet."""

from __future__ import annotations

from crawler.families.base import Discovery, Family, Signal, Version, has, html_contains, xpath

FAMILY = Family(
    name="liferay",
    label="Liferay portal (asset publisher)",
    versions=(
        Version(
            "V1",
            parser="liferay",
            fixtures="families/liferay/V1",
            notes="asset publisher full content: .asset-full-content, .asset-metadata, "
            ".journal-content-article",
        ),
    ),
    discovery=Discovery(
        feeds=(),  # per portlet: /<page>/-/asset_publisher/<instance>/rss, found on the page
        sitemaps=("/sitemap.xml",),
        listings=("/",),
        pagination="p_p_id",  # ?p_p_id=<portlet>&..._cur=N in .taglib-page-iterator
        next_page_css=(".taglib-page-iterator li:not(.disabled) a:contains('Tiếp')::attr(href)",),
        article_pattern=r"/-/asset_publisher/[A-Za-z0-9]+/content/[^/]+$",
    ),
    signals=(
        Signal(0.7, "Liferay-Portal response header", lambda p: bool(p.header("Liferay-Portal"))),
        Signal(
            0.4,
            "Liferay JavaScript globals (Liferay.ThemeDisplay)",
            xpath("//script[contains(., 'Liferay.ThemeDisplay') or contains(., 'Liferay.Portlet')]"),
        ),
        Signal(
            0.3,
            "portlet boundaries (portlet-boundary_, p_p_id_)",
            has("[class*='portlet-boundary_'], [id^='p_p_id_']"),
        ),
        Signal(
            0.1,
            "OSGi web paths (/o/...) and /web/guest/ pages",
            html_contains('"/o/frontend-', "/web/guest/"),
        ),
        Signal(0.1, "asset publisher links (/-/asset_publisher/)", html_contains("/-/asset_publisher/")),
    ),
)
