"""WordPress 6.x routing, feeds and core sitemaps for generated sites.

The URL scheme is WordPress's with "day and name" permalinks: ``/YYYY/MM/DD/slug/``,
``/page/N/``, ``/category/<slug>/``, ``/feed/``, ``/wp-sitemap.xml`` (index) with
``/wp-sitemap-posts-post-1.xml`` etc., ``/?p=ID`` redirects to the permalink and
``/sitemap.xml`` redirects to the core sitemap. The HTML comes from a template
(:mod:`.wp_block` or :mod:`.wp_classic`); removed posts answer 404 like a trashed post.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Protocol
from urllib.parse import parse_qs
from xml.sax.saxutils import escape as xml_escape

from .generated import FEED_SIZE, PAGE_SIZE, GeneratedArticle, SiteView
from .response import Response, redirect, text

WP_VERSION = "6.5.3"
XML_UTF8 = "application/rss+xml; charset=UTF-8"
SITEMAP_TYPE = "application/xml; charset=UTF-8"
_SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_POST = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)/?$")
_ARCHIVE = re.compile(r"^(?P<base>/(?:category|author)/[a-z0-9-]+)?/(?:page/(?P<n>\d+)/)?$")
_CATEGORY_FEED = re.compile(r"^/category/([a-z0-9-]+)/feed/$")
SITEMAPS = ("posts-post-1", "posts-page-1", "taxonomies-category-1", "users-1")
ABOUT_PATH = "/gioi-thieu/"


class Template(Protocol):
    """The HTML of one WordPress theme."""

    def listing(
        self, view: SiteView, items: Sequence[GeneratedArticle], page: int, pages: int, base: str
    ) -> bytes: ...

    def article(self, view: SiteView, article: GeneratedArticle) -> bytes: ...

    def page(self, view: SiteView, title: str, paragraph: str) -> bytes: ...


def post_path(article: GeneratedArticle) -> str:
    return f"/{article.published:%Y/%m/%d}/{article.slug}/"


class WordPressTheme:
    """Routes a WordPress site; ``template`` decides block or classic markup."""

    family = "wordpress"

    def __init__(self, template: Template) -> None:
        self.template = template

    def article_path(self, article: GeneratedArticle) -> str:
        return post_path(article)

    def respond(self, view: SiteView, path: str, query: str) -> Response:
        if path == "/" and "p" in parse_qs(query):
            return self._by_id(view, parse_qs(query)["p"][0])
        match = _POST.match(path)
        if match:
            return self._post(view, path)
        if path == "/feed/":
            return _feed(view, view.articles[:FEED_SIZE], "/feed/")
        if path == "/comments/feed/":
            return _feed(view, (), "/comments/feed/")
        match = _CATEGORY_FEED.match(path)
        if match:
            items = [a for a in view.articles if a.category_slug == match[1]][:FEED_SIZE]
            return _feed(view, items, path) if items else self._not_found(view)
        if path == "/sitemap.xml":
            return redirect(f"{view.base_url}/wp-sitemap.xml")
        if path.startswith("/wp-sitemap"):
            return _sitemap(view, path) or self._not_found(view)
        if path == "/robots.txt":
            return text(200, robots(view.base_url), kind="robots")
        if path == ABOUT_PATH:
            body = self.template.page(view, "Giới thiệu", f"{view.name} đăng tải tin tức, sự kiện.")
            return Response(200, body, last_modified=view.changed_at)
        match = _ARCHIVE.match(path)
        if match and match["n"] == "1":
            return redirect(page_url(view, match["base"] or "", 1))
        if match:
            return self._archive(view, match["base"] or "", int(match["n"] or 1))
        return self._not_found(view)

    def _post(self, view: SiteView, path: str) -> Response:
        for article in view.articles:
            canonical = post_path(article)
            if path.rstrip("/") + "/" == canonical:
                if path != canonical:
                    return redirect(view.base_url + canonical)
                body = self.template.article(view, article)
                return Response(200, body, kind="article", article_url=view.base_url + canonical,
                                last_modified=article.modified)  # fmt: skip
        return self._not_found(view)

    def _by_id(self, view: SiteView, post_id: str) -> Response:
        for article in view.articles:
            if str(article.id) == post_id:
                return redirect(view.base_url + post_path(article))
        return self._not_found(view)

    def _archive(self, view: SiteView, base: str, page: int) -> Response:
        items = list(view.articles)
        if base.startswith("/category/"):
            items = [a for a in items if a.category_slug == base.rsplit("/", 1)[1]]
        elif base.startswith("/author/"):
            items = [a for a in items if a.author_slug == base.rsplit("/", 1)[1]]
        pages = max(1, -(-len(items) // PAGE_SIZE))
        if (base and not items) or page > pages:
            return self._not_found(view)
        shown = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        body = self.template.listing(view, shown, page, pages, base)
        return Response(200, body, kind="listing", last_modified=view.changed_at)

    def _not_found(self, view: SiteView) -> Response:
        body = self.template.page(view, "Không tìm thấy trang", "Trang này không tồn tại.")
        return Response(404, body, kind="error")


def page_url(view: SiteView, base: str, page: int) -> str:
    """``/`` , ``/page/2/``, ``/category/x/``, ``/category/x/page/2/``."""
    return f"{view.base_url}{base}/" + (f"page/{page}/" if page > 1 else "")


def robots(base_url: str) -> str:
    """WordPress's virtual robots.txt, naming the core sitemap."""
    return (
        "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
        f"Sitemap: {base_url}/wp-sitemap.xml\n"
    )


def _rfc822(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC))


def _feed(view: SiteView, items: Sequence[GeneratedArticle], path: str) -> Response:
    """RSS 2.0 as WordPress writes it: GMT dates, dc:creator, categories, guid ?p=ID."""
    entries = "".join(
        "\t<item>\n"
        f"\t\t<title>{xml_escape(a.title)}</title>\n"
        f"\t\t<link>{view.base_url}{post_path(a)}</link>\n"
        f"\t\t<dc:creator><![CDATA[{a.author}]]></dc:creator>\n"
        f"\t\t<pubDate>{_rfc822(a.published)}</pubDate>\n"
        f"\t\t<category><![CDATA[{a.category}]]></category>\n"
        f'\t\t<guid isPermaLink="false">{view.base_url}/?p={a.id}</guid>\n'
        f"\t\t<description><![CDATA[{a.lead} [&#8230;]]]></description>\n"
        f"\t\t<content:encoded><![CDATA[{''.join(f'<p>{p}</p>' for p in a.paragraphs)}]]>"
        "</content:encoded>\n\t</item>\n"
        for a in items
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/">\n<channel>\n'
        f"\t<title>{xml_escape(view.name)}</title>\n"
        f'\t<atom:link href="{view.base_url}{path}" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{view.base_url}</link>\n\t<description>Tin tức - Sự kiện</description>\n"
        f"\t<lastBuildDate>{_rfc822(view.newest_modified())}</lastBuildDate>\n"
        "\t<language>vi</language>\n\t<sy:updatePeriod>hourly</sy:updatePeriod>\n"
        f"\t<generator>https://wordpress.org/?v={WP_VERSION}</generator>\n"
        f"{entries}</channel>\n</rss>\n"
    )
    return Response(200, body.encode(), XML_UTF8, kind="feed", last_modified=view.changed_at)


def _sitemap(view: SiteView, path: str) -> Response | None:
    name = path.removeprefix("/wp-sitemap").removesuffix(".xml").lstrip("-")
    if name == "":
        locs = "".join(f"<sitemap><loc>{view.base_url}/wp-sitemap-{s}.xml</loc></sitemap>" for s in SITEMAPS)
        return _xml(f'<sitemapindex xmlns="{_SM_NS}">{locs}</sitemapindex>', view)
    rows: list[tuple[str, datetime | None]]
    if name == "posts-post-1":
        rows = [(view.base_url + post_path(a), a.modified) for a in view.articles]
    elif name == "posts-page-1":
        rows = [(view.base_url + ABOUT_PATH, None)]
    elif name == "taxonomies-category-1":
        slugs = dict.fromkeys(a.category_slug for a in view.articles)
        rows = [(f"{view.base_url}/category/{s}/", None) for s in slugs]
    elif name == "users-1":
        slugs = dict.fromkeys(a.author_slug for a in view.articles)
        rows = [(f"{view.base_url}/author/{s}/", None) for s in slugs]
    else:
        return None
    urls = "".join(
        f"<url><loc>{loc}</loc>"
        + (f"<lastmod>{mod.astimezone(UTC).isoformat()}</lastmod>" if mod else "")
        + "</url>"
        for loc, mod in rows
    )
    return _xml(f'<urlset xmlns="{_SM_NS}">{urls}</urlset>', view)


def _xml(root: str, view: SiteView) -> Response:
    stylesheet = f'<?xml-stylesheet type="text/xsl" href="{view.base_url}/wp-sitemap.xsl" ?>\n'
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n{stylesheet}{root}\n'
    return Response(200, body.encode(), SITEMAP_TYPE, kind="sitemap", last_modified=view.changed_at)
