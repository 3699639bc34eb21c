"""A Liferay-style government portal (Liferay 7.x, asset publisher) for generated sites.

News lives on the page ``/web/guest/tin-tuc``: an asset publisher portlet (instance
``INSTANCE``) lists abstracts ten per page, paginated by ``p_p_id`` query links in a
``.taglib-page-iterator``. Articles are at
``/web/guest/tin-tuc/-/asset_publisher/<instance>/content/<slug>``; the portlet's Atom
feed at ``/web/guest/tin-tuc/-/asset_publisher/<instance>/rss``; ``/sitemap.xml`` lists
articles with ``lastmod``. Every answer carries the ``Liferay-Portal`` header, as the
real product sends. Removed articles answer 404.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs
from xml.sax.saxutils import escape as xml_escape

from . import liferay_pages as pages
from .generated import FEED_SIZE, PAGE_SIZE, GeneratedArticle, SiteView
from .response import Response, text

PORTAL_HEADER = "Liferay Community Edition Portal 7.4.3.112 CE GA112"
NEWS_PAGE = "/web/guest/tin-tuc"
HOME_PAGE = "/web/guest/trang-chu"
_SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_CONTENT = re.compile(r"^/web/guest/tin-tuc/-/asset_publisher/(\w+)/content/([a-z0-9-]+)$")


class LiferayTheme:
    """Routes a Liferay portal with one asset publisher news page."""

    family = "liferay"

    def __init__(self, instance: str = pages.INSTANCE) -> None:
        self.instance = instance

    def article_path(self, article: GeneratedArticle) -> str:
        return pages.article_path(article, self.instance)

    def respond(self, view: SiteView, path: str, query: str) -> Response:
        response = self._route(view, path, query)
        return response.evolve(headers={**response.headers, "Liferay-Portal": PORTAL_HEADER})

    def _route(self, view: SiteView, path: str, query: str) -> Response:
        if path in ("/", NEWS_PAGE, "/web/guest", HOME_PAGE):
            return self._listing(view, path, query)
        match = _CONTENT.match(path)
        if match and match[1] == self.instance:
            for article in view.articles:
                if article.slug == match[2]:
                    body = pages.article(view, article, self.instance)
                    return Response(200, body, kind="article", last_modified=article.modified,
                                    article_url=view.base_url + self.article_path(article))  # fmt: skip
        if path == f"{NEWS_PAGE}/-/asset_publisher/{self.instance}/rss":
            return _atom(view, view.articles[:FEED_SIZE], self.instance)
        if path == "/sitemap.xml":
            return _sitemap(view, self.instance)
        if path == "/robots.txt":
            return text(200, f"User-Agent: *\nDisallow:\nSitemap: {view.base_url}/sitemap.xml\n",
                        kind="robots")  # fmt: skip
        return Response(404, pages.not_found(view), kind="error")

    def _listing(self, view: SiteView, path: str, query: str) -> Response:
        params = parse_qs(query)
        cur_key = f"_{pages.portlet_id(self.instance)}_cur"
        try:
            page = int(params.get(cur_key, ["1"])[0])
        except ValueError:
            page = 1
        count = max(1, -(-len(view.articles) // PAGE_SIZE))
        page = min(max(page, 1), count)  # Liferay clamps an out-of-range cursor
        items = view.articles[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        body = pages.listing(view, items, page, count, self.instance, home=path != NEWS_PAGE)
        return Response(200, body, kind="listing", last_modified=view.changed_at)


def _atom(view: SiteView, items: tuple[GeneratedArticle, ...], instance: str) -> Response:
    """Liferay's default asset publisher feed type: Atom 1.0."""
    entries = "".join(
        "<entry>"
        f"<title>{xml_escape(a.title)}</title>"
        f'<link rel="alternate" href="{view.base_url}{pages.article_path(a, instance)}" />'
        f"<author><name>{xml_escape(a.author)}</name></author>"
        f"<id>{view.base_url}{pages.article_path(a, instance)}</id>"
        f"<updated>{a.modified.astimezone(UTC).isoformat().replace('+00:00', 'Z')}</updated>"
        f"<published>{a.published.astimezone(UTC).isoformat().replace('+00:00', 'Z')}</published>"
        f'<summary type="text">{xml_escape(a.lead)}</summary>'
        "</entry>\n"
        for a in items
    )
    updated = view.changed_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'<title>Tin tức</title><link rel="alternate" href="{view.base_url}{NEWS_PAGE}" />'
        f"<subtitle>{xml_escape(view.name)}</subtitle><id>{view.base_url}{NEWS_PAGE}</id>"
        f"<updated>{updated}</updated>\n{entries}</feed>\n"
    )
    return Response(200, body.encode(), "application/atom+xml;charset=UTF-8", kind="feed",
                    last_modified=view.changed_at)  # fmt: skip


def _sitemap(view: SiteView, instance: str) -> Response:
    rows: list[tuple[str, datetime | None]] = [
        (view.base_url + HOME_PAGE, None),
        (view.base_url + NEWS_PAGE, None),
    ]
    rows += [(view.base_url + pages.article_path(a, instance), a.modified) for a in view.articles]
    urls = "".join(
        f"<url><loc>{loc}</loc>"
        + (f"<lastmod>{mod.astimezone(UTC).isoformat()}</lastmod>" if mod else "")
        + "<changefreq>daily</changefreq></url>\n"
        for loc, mod in rows
    )
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_SM_NS}">\n{urls}</urlset>\n'
    return Response(200, body.encode(), "text/xml;charset=UTF-8", kind="sitemap",
                    last_modified=view.changed_at)  # fmt: skip
