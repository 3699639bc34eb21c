"""What a crawl asks the store: which discovered articles it has, and discovery validators.

The spider does not hold the site's stored URLs in memory: for each discovery page it
asks, in one query, which of the page's article URLs (or their family ids) are stored,
so it can skip them unless the revisit policy says they are due or a sitemap says they
changed. Validators (ETag/Last-Modified) of feeds, sitemaps and listings are loaded once;
there is one per discovery URL, not per article.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler import db, discovery
from crawler.registry import Site


class CrawlState:
    def __init__(self, site: Site | None = None, engine: Engine | None = None,
                 site_id: int | None = None,
                 validators: dict[str, tuple[str | None, str | None]] | None = None):
        self.site = site
        self.engine = engine
        self.site_id = site_id
        self.validators = validators or {}
        """``{url: (etag, last_modified)}`` of feeds, sitemaps and listing pages."""

    @classmethod
    def load(cls, db_url: str | None, site: Site) -> CrawlState:
        engine = db.open_database(db_url)
        with Session(engine) as session:
            site_id = session.scalar(sa.select(db.SiteRow.id).where(db.SiteRow.key == site.key))
            validators = db.load_fetch_states(session, site_id) if site_id is not None else {}
        if site_id is None:  # a site never crawled: nothing is known
            engine.dispose()
            return cls(site)
        return cls(site, engine, site_id, validators)

    def identity(self, url: str) -> str:
        return discovery.article_identity(url, self.site.article_id_pattern if self.site else None)

    def lookup_many(self, urls: list[str]) -> dict[str, db.KnownArticle]:
        """Known articles among ``urls``, keyed by the identity of each given URL."""
        if self.engine is None or self.site_id is None or not urls:
            return {}
        identities = {url: self.identity(url) for url in urls}
        with Session(self.engine) as session:
            rows = db.known_articles(session, self.site_id, list(set(identities.values())), urls)
        found: dict[str, db.KnownArticle] = {}
        for known, identity in rows:
            for key in {identity, self.identity(known.url), self.identity(known.canonical_url)}:
                if key:
                    found.setdefault(key, known)
        return {identities[u]: found[identities[u]] for u in urls if identities[u] in found}

    def due_for_revisit(self, now: datetime, limit: int) -> list[db.KnownArticle]:
        """Stored articles whose next check is due, most overdue first."""
        if self.engine is None or self.site_id is None:
            return []
        with Session(self.engine) as session:
            return db.due_articles(session, self.site_id, now, limit)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
