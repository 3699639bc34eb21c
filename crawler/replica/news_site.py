"""news.example: a small news site built around 15 real article pages.

The article pages (``tests/fixtures/articles/``) keep their original bytes; the
site generates what a crawler discovers them through: paginated listings (``/``,
``/trang-2/`` …, five per page, newest first), an RSS 2.0 feed of the ten newest,
a sitemap and robots.txt. Article URLs are ``/bai/<slug>.html`` with the slug
made from the label id by :func:`article_path`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import news_pages
from .response import Response, redirect, text

HOST = "news.example"
BASE_URL = f"http://{HOST}"
PAGE_SIZE = 5
FEED_SIZE = 10
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_LISTING_PAGE = re.compile(r"^/trang-(\d+)/$")


def article_path(label_id: str) -> str:
    """The URL path of an article: ``vnexpress-net_01`` -> ``/bai/vnexpress-net-01.html``."""
    return f"/bai/{label_id.lower().replace('_', '-')}.html"


def declared_charset(page: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag, lower-cased, or None."""
    match = _META_CHARSET.search(page)
    return match[1].decode("ascii").lower() if match else None


@dataclass(frozen=True)
class NewsArticle:
    """One article of the site, from its label."""

    label_id: str
    file: Path
    title: str
    lead: str
    category: str
    published_at: datetime
    charset: str | None

    @property
    def path(self) -> str:
        return article_path(self.label_id)

    @property
    def url(self) -> str:
        return BASE_URL + self.path


def load_articles(articles_dir: Path) -> list[NewsArticle]:
    """Articles from ``labels.jsonl``, newest first."""
    articles = []
    lines = (articles_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    for line in filter(None, lines):
        label = json.loads(line)
        file = articles_dir / f"{label['id']}.html"
        articles.append(
            NewsArticle(
                label_id=label["id"],
                file=file,
                title=label["title"],
                lead=label.get("lead") or "",
                category=label.get("category") or "Tin tức",
                published_at=datetime.fromisoformat(label["published"]),
                charset=declared_charset(file.read_bytes()),
            )
        )
    articles.sort(key=lambda a: a.published_at, reverse=True)
    paths = [a.path for a in articles]
    if len(set(paths)) != len(paths):
        raise ValueError(f"{articles_dir}: two label ids map to the same article path")
    return articles


class NewsSite:
    """Routes requests for news.example."""

    host = HOST

    def __init__(self, fixtures_dir: Path) -> None:
        self.articles = load_articles(fixtures_dir / "articles")
        self._by_path = {a.path: a for a in self.articles}
        self.page_count = max(1, -(-len(self.articles) // PAGE_SIZE))

    def article_urls(self) -> list[str]:
        """Every article URL, newest first."""
        return [a.url for a in self.articles]

    def respond(self, path: str, query: str, user_agent: str) -> Response:
        article = self._by_path.get(path)
        if article is not None:
            return self._article(article)
        if path == "/" or _LISTING_PAGE.match(path):
            return self._listing(path)
        if path == "/rss.xml":
            body = news_pages.rss(self.articles[:FEED_SIZE], BASE_URL)
            return Response(200, body, "application/rss+xml; charset=utf-8", kind="feed")
        if path == "/sitemap.xml":
            body = news_pages.sitemap(self.articles)
            return Response(200, body, "application/xml; charset=utf-8", kind="sitemap")
        if path == "/robots.txt":
            return text(200, news_pages.robots(BASE_URL), kind="robots")
        if path.startswith("/admin/"):
            return Response(403, news_pages.simple_page("Truy cập bị từ chối", ""), kind="error")
        if path in news_pages.STATIC_PAGES:
            title, paragraph = news_pages.STATIC_PAGES[path]
            return Response(200, news_pages.simple_page(title, paragraph))
        return Response(404, news_pages.simple_page("Không tìm thấy trang", ""), kind="error")

    def _article(self, article: NewsArticle) -> Response:
        content_type = "text/html"
        if article.charset:
            content_type += f"; charset={article.charset}"
        return Response(
            200, article.file.read_bytes(), content_type, kind="article", article_url=article.url
        )

    def _listing(self, path: str) -> Response:
        match = _LISTING_PAGE.match(path)
        page = int(match[1]) if match else 1
        if match and page == 1:
            return redirect(BASE_URL + "/")
        if page > self.page_count:
            return Response(404, news_pages.simple_page("Không tìm thấy trang", ""), kind="error")
        items = self.articles[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        body = news_pages.listing(items, page, self.page_count)
        return Response(200, body, kind="listing")
