"""Generated replica sites: a mutable, thread-safe article model rendered by a CMS theme.

A :class:`GeneratedSite` holds articles (real government-news prose from
:mod:`.texts`, drawn with a seed) and a :class:`Theme` that renders them as one CMS
family would: listings, feeds, sitemaps, robots.txt and article pages. Tests change the
site while a crawler runs against it::

    gs = srv.site("wp.example")
    gs.add_articles(5)      # newest first in listings, feeds and sitemaps
    gs.edit_articles(3)     # new title and one new paragraph; ``modified`` bumped
    gs.remove_articles(2)   # gone from every index; the URL answers 404

Time is a logical clock: it starts one hour after the newest article and every
mutation moves it forward one hour, so runs are reproducible.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

from .response import Response
from .texts import BaseText, load_texts, slugify

VN = timezone(timedelta(hours=7))
DEFAULT_LATEST = datetime(2025, 6, 20, 16, 30, tzinfo=VN)
DEFAULT_COUNT = 28
PAGE_SIZE = 10
FEED_SIZE = 10
_STEP = timedelta(hours=1)


@dataclass(frozen=True)
class GeneratedArticle:
    """One article of a generated site; times are aware (+07:00), to the minute."""

    id: int
    slug: str
    title: str
    published: datetime
    modified: datetime
    author: str
    category: str
    lead: str
    paragraphs: tuple[str, ...]

    @property
    def category_slug(self) -> str:
        return slugify(self.category)

    @property
    def author_slug(self) -> str:
        return slugify(self.author)


@dataclass(frozen=True)
class SiteView:
    """A consistent snapshot of a site that a theme renders one response from."""

    host: str
    name: str
    articles: tuple[GeneratedArticle, ...]
    """Live articles, newest first."""
    changed_at: datetime
    """When an index (listing, feed, sitemap) last changed."""

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

    def newest_modified(self) -> datetime:
        return max((a.modified for a in self.articles), default=self.changed_at)


class Theme(Protocol):
    """What a CMS family's renderer provides."""

    family: str

    def article_path(self, article: GeneratedArticle) -> str: ...

    def respond(self, view: SiteView, path: str, query: str) -> Response: ...


class GeneratedSite:
    """One generated host: articles plus the theme that renders them."""

    def __init__(
        self,
        host: str,
        name: str,
        theme: Theme,
        fixtures_dir: Path,
        *,
        seed: int,
        count: int = DEFAULT_COUNT,
        latest: datetime = DEFAULT_LATEST,
    ) -> None:
        self.host = host
        self.name = name
        self.theme = theme
        self._lock = threading.RLock()
        self._rng = random.Random(seed)  # noqa: S311 - reproducible test content, not secrets
        self._pool = load_texts(fixtures_dir)
        self._rng.shuffle(self._pool)
        self._used = 0
        self._next_id = 100 + seed % 50
        self._articles: dict[int, GeneratedArticle] = {}
        self._slugs: set[str] = set()
        self._changed_at = latest
        times = [latest - timedelta(hours=7 * i + (i * 37) % 5) for i in range(count)]
        for published in reversed(times):
            self._new_article(published)
        self._clock = latest + _STEP

    # -- reading ---------------------------------------------------------------------
    def articles(self) -> list[GeneratedArticle]:
        """Live articles, newest first."""
        with self._lock:
            return sorted(self._articles.values(), key=lambda a: (a.published, a.id), reverse=True)

    def article_urls(self) -> list[str]:
        """URLs of the live articles, newest first."""
        return [self.url_of(a) for a in self.articles()]

    def url_of(self, article: GeneratedArticle) -> str:
        return f"http://{self.host}{self.theme.article_path(article)}"

    def view(self) -> SiteView:
        with self._lock:
            return SiteView(self.host, self.name, tuple(self.articles()), self._changed_at)

    def respond(self, path: str, query: str, user_agent: str) -> Response:
        return self.theme.respond(self.view(), path, query)

    # -- mutations ---------------------------------------------------------------------
    def add_articles(self, n: int) -> list[str]:
        """Publish ``n`` new articles (newest first in every index); their URLs, newest first."""
        with self._lock:
            now = self._tick()
            added = [self._new_article(now - timedelta(minutes=n - i)) for i in range(n)]
            return [self.url_of(a) for a in reversed(added)]

    def edit_articles(self, n: int) -> list[str]:
        """Change title and one paragraph of ``n`` articles (never the newest); their URLs.

        ``modified`` moves to the site clock; ``published`` and so listing order stay.
        """
        with self._lock:
            candidates = self.articles()[1:]
            if n > len(candidates):
                raise ValueError(f"{self.host}: cannot edit {n} of {len(candidates)} articles")
            now = self._tick()
            chosen = self._rng.sample(candidates, n)
            for article in chosen:
                self._articles[article.id] = _edited(article, now)
            return [self.url_of(a) for a in chosen]

    def remove_articles(self, n: int) -> list[str]:
        """Take ``n`` articles down (never the newest): out of every index, URL answers 404."""
        with self._lock:
            candidates = self.articles()[1:]
            if n > len(candidates):
                raise ValueError(f"{self.host}: cannot remove {n} of {len(candidates)} articles")
            self._tick()
            chosen = self._rng.sample(candidates, n)
            for article in chosen:
                del self._articles[article.id]
            return [self.url_of(a) for a in chosen]

    # -- internals ---------------------------------------------------------------------
    def _tick(self) -> datetime:
        self._clock += _STEP
        self._changed_at = self._clock
        return self._clock

    def _new_article(self, published: datetime) -> GeneratedArticle:
        base = self._take_text()
        slug = slugify(base.title)
        while slug in self._slugs:
            slug += "-2"
        self._slugs.add(slug)
        article = GeneratedArticle(
            id=self._next_id, slug=slug, title=base.title,
            published=published, modified=published, author=base.author,
            category=base.category, lead=base.lead, paragraphs=base.paragraphs,
        )  # fmt: skip
        self._next_id += 1 + self._next_id % 3  # WordPress ids have gaps (revisions, pages)
        self._articles[article.id] = article
        self._changed_at = max(self._changed_at, published)
        return article

    def _take_text(self) -> BaseText:
        base = self._pool[self._used % len(self._pool)]
        rounds = self._used // len(self._pool)
        self._used += 1
        if rounds:
            base = replace(base, title=f"{base.title} (kỳ {rounds + 1})")
        return base


def _edited(article: GeneratedArticle, now: datetime) -> GeneratedArticle:
    """The article after an editor's correction: a new title and a changed paragraph."""
    paragraphs = list(article.paragraphs)
    i = min(1, len(paragraphs) - 1)
    paragraphs[i] = f"{paragraphs[i]} (Thông tin được cập nhật lúc {now:%H:%M} ngày {now:%d/%m/%Y}.)"
    return replace(
        article,
        title=f"{article.title} – cập nhật",
        paragraphs=tuple(paragraphs),
        modified=now,
    )
