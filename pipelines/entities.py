"""ExtractEntitiesPipeline: people, places and organisations of each stored article.

A thin adapter over ``crawler.entities.extract_entities`` and ``crawler.db.store_entities``.
Runs after StoreArticlePipeline, only for articles it stored as new or updated (an
unchanged article keeps its entities). An entity error never stops the crawl: it is
logged and counted in ``provnews/entities/errors``. ``PROVNEWS_ENTITIES = False`` turns
the pipeline off.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy.orm import Session

from crawler import db
from crawler.entities import extract_entities
from crawler.items import PageItem

logger = logging.getLogger(__name__)
STORED = ("new", "updated")


class ExtractEntitiesPipeline:
    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("PROVNEWS_ENTITIES", True):
            raise NotConfigured("PROVNEWS_ENTITIES is off")
        self.crawler = crawler
        self.engine = db.open_database(crawler.settings.get("PROVNEWS_DATABASE_URL"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractEntitiesPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.stored_outcome not in STORED or item.article is None:
            return item
        try:
            self._store(item)
        except Exception:  # any failure: the article is stored, the crawl goes on
            self.crawler.stats.inc_value("provnews/entities/errors")
            logger.exception("entities of %s not stored", item.url)
        return item

    def _store(self, item: PageItem) -> None:
        article = item.article
        assert article is not None
        text = "\n".join(part for part in (article.title, article.lead, article.text) if part)
        site = getattr(self.crawler.spider, "site", None)
        province = site.province if site is not None else None
        entities = extract_entities(text, source_province=province, author=article.author)
        key = article.canonical_url or article.url
        with Session(self.engine) as session, session.begin():
            article_id = session.scalars(
                sa.select(db.ArticleRow.id).where(db.ArticleRow.canonical_url == key)
            ).one()
            stored = db.store_entities(session, article_id, entities)
        self.crawler.stats.inc_value("provnews/entities/articles")
        self.crawler.stats.inc_value("provnews/entities/mentions", stored)

    def close_spider(self) -> None:
        self.engine.dispose()
