"""Storing articles, runs and entities directly through the store, for monitoring tests."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.entities import extract_entities
from crawler.extract.model import Article
from crawler.registry import Site

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
QUYNH_NHAI = Site(key="quynhnhai_example", name="Quỳnh Nhai", base_url="http://quynhnhai.example/",
                  province="Sơn La", level="district", family="generic")  # fmt: skip
DIEN_BIEN = Site(key="dienbien_example", name="Báo Điện Biên Phủ", base_url="http://dienbien.example/",
                 province="Điện Biên", level="newspaper", family="generic")  # fmt: skip


def store(session: Session, site: Site, slug: str, title: str, text: str, *,
          published: datetime | None = T0, author: str | None = "Lò Văn Minh", lead: str | None = None,
          seen_at: datetime = T0, run_id: int | None = None, entities: bool = False) -> int:  # fmt: skip
    """Upsert one article (new or a new version) and return its id."""
    site_id = db.ensure_site(session, site)
    article = Article(url=f"{site.base_url}{slug}.html", title=title, text=text, lead=lead,
                      published_at=published, author=author)  # fmt: skip
    db.upsert_article(session, site_id=site_id, run_id=run_id, article=article, raw_html=b"",
                      encoding=None, http_status=200, discovered_via="listing", seen_at=seen_at)  # fmt: skip
    article_id = session.scalars(sa.select(db.ArticleRow.id).where(db.ArticleRow.url == article.url)).one()
    if entities:
        body = "\n".join(p for p in (title, lead, text) if p)
        found = extract_entities(body, source_province=site.province)
        db.store_entities(session, article_id, found)
    return article_id
