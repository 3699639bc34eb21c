"""What a crawl knows before it starts: stored articles and discovery-URL validators.

Loaded once per crawl from the store so the spider can skip articles it already has
(unless the revisit policy says they are due, or a sitemap says they changed) and send
conditional GETs for feeds, sitemaps and listings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db, discovery, revisit
from crawler.registry import Site


@dataclass
class CrawlState:
    known: dict[str, db.KnownArticle] = field(default_factory=dict)
    """Stored articles of the site by identity (see ``discovery.article_identity``)."""
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """``{url: (etag, last_modified)}`` of feeds, sitemaps and listing pages."""

    @classmethod
    def load(cls, db_url: str | None, site: Site) -> CrawlState:
        engine = db.open_database(db_url)
        try:
            with Session(engine) as session:
                site_id = session.scalar(sa.select(db.SiteRow.id).where(db.SiteRow.key == site.key))
                if site_id is None:
                    return cls()
                known = db.known_articles(session, site_id)
                validators = db.load_fetch_states(session, site_id)
        finally:
            engine.dispose()
        state = cls(validators=validators)
        for article in known:
            state.known[discovery.article_identity(article.url, site.article_id_pattern)] = article
            state.known.setdefault(
                discovery.article_identity(article.canonical_url, site.article_id_pattern), article
            )
        return state

    def lookup(self, identity: str) -> db.KnownArticle | None:
        return self.known.get(identity)

    def due_for_revisit(self, now: datetime, limit: int) -> list[db.KnownArticle]:
        """Stored articles whose next check is due, most overdue first."""
        unique = {a.canonical_url: a for a in self.known.values()}
        due = [a for a in unique.values() if revisit.is_due(a.next_check_at, now)]
        due.sort(key=lambda a: a.next_check_at or now)
        return due[:limit]
