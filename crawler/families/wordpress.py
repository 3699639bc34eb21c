"""WordPress 6.x: block themes (Twenty Twenty-Three style) and classic themes."""

from __future__ import annotations

import re

from crawler.families.base import Discovery, Family, Signal, Version, has, html_contains

FAMILY = Family(
    name="wordpress",
    label="WordPress 6.x (block and classic themes)",
    versions=(
        Version(
            "V1",
            parser="wordpress",
            fixtures="families/wordpress/V1",
            notes="block themes (wp-block-post-*) and classic themes (entry-title, entry-meta)",
        ),
    ),
    discovery=Discovery(
        feeds=("/feed/",),
        sitemaps=("/wp-sitemap.xml",),
        listings=("/",),
        pagination="older_posts",  # /page/2/; block themes link it, classic say "older posts"
        next_page_css=(
            "a.wp-block-query-pagination-next::attr(href)",
            ".nav-links .nav-previous a::attr(href)",
            ".nav-links a.next::attr(href)",
        ),
        # Day-and-name permalinks; sites with other permalink settings override it.
        article_pattern=r"^/\d{4}/\d{2}/\d{2}/[^/]+/$",
    ),
    signals=(
        Signal(0.7, "generator meta names WordPress", lambda p: p.generator.startswith("wordpress")),
        Signal(
            0.3,
            "core asset paths (/wp-content/, /wp-includes/)",
            html_contains("/wp-content/", "/wp-includes/"),
        ),
        Signal(0.2, "REST API link (api.w.org)", has("link[rel='https://api.w.org/']")),
        Signal(0.1, "block or classic post markup", has("[class*='wp-block-post'], .hentry")),
        Signal(
            0.1,
            "day-and-name permalinks",
            lambda p: any(
                re.search(r"/\d{4}/\d{2}/\d{2}/[^/]+/$", h) for h in p.sel.css("a::attr(href)").getall()
            ),
        ),
    ),
)
