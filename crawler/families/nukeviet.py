"""NukeViet (portal and eGovernment editions): the commonest CMS of Vietnamese portals."""

from __future__ import annotations

from crawler.families.base import Discovery, Family, Signal, Version, has, html_contains, xpath

FAMILY = Family(
    name="nukeviet",
    label="NukeViet 4.x (portal, eGovernment)",
    versions=(
        Version(
            "V1",
            parser="nukeviet",
            fixtures="nukeviet",
            notes="themes egov, default and mobile_egov; labels in nukeviet/labels.jsonl",
        ),
    ),
    discovery=Discovery(
        feeds=("/rss/",),
        sitemaps=("/sitemap.xml",),
        listings=("/",),
        pagination="page_path",  # /<category>/page-2/ with rel=next
        article_pattern=r"^/[a-z0-9-]+/[a-z0-9-]+-\d+\.html$",
        article_id_pattern=r"-(\d+)\.html$",
        feed_directory="/feeds/",
    ),
    signals=(
        Signal(0.7, "generator meta names NukeViet", lambda p: "nukeviet" in p.generator),
        Signal(
            0.4,
            "NukeViet script globals (nv_base_siteurl, nv_*)",
            xpath("//script[contains(., 'nv_base_siteurl') or contains(., 'nv_my_ofs')]"),
        ),
        Signal(
            0.2,
            "NukeViet theme paths (/themes/egov/, /themes/default/)",
            html_contains("/themes/egov/", "/themes/default/", "/themes/mobile_"),
        ),
        Signal(0.2, "NukeViet news markup (#news-bodyhtml)", has("#news-bodyhtml")),
        Signal(0.1, "per-category feeds at /rss/<category>/", has("a[href^='/rss/'], link[href^='/rss/']")),
    ),
)
