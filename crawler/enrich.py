"""All per-page CPU work of a crawl in one picklable function, for a worker process.

The crawl's reactor thread only downloads and parses discovery pages; each article
page's extraction, site selector overrides, near-duplicate sketch and (when enabled)
entity extraction run here, in a process pool, so the crawl never waits on parsing or
NLP (two cores: Scrapy on one, this on the other).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.discovery import normalize_url
from crawler.extract import extract_article
from crawler.extract.model import Article
from crawler.extract.overrides import apply_selectors


@dataclass(frozen=True)
class PageJob:
    body: bytes
    url: str
    fetched_at: datetime
    family: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    province: str | None = None
    entities: bool = False


@dataclass
class PageResult:
    article: Article
    sketch: list[int]
    entities: object | None = None
    """``crawler.entities.Entities`` when asked for, else None."""
    entity_error: str | None = None


def warm_up(entities: bool) -> None:
    """Worker initializer: load the gazetteer once instead of on the first page."""
    if entities:
        from crawler.entities import gazetteer

        gazetteer.load()


def process_page(job: PageJob) -> PageResult:
    from crawler import dedupe  # here, not at import: the crawl process never sketches (numpy: +20 MB)
    article = extract_article(job.body, job.url, fetched_at=job.fetched_at, family=job.family)
    if job.selectors:
        article = apply_selectors(article, job.body, job.selectors, now=job.fetched_at)
    # One article, one identity: rel=canonical preferred, tracking parameters dropped.
    article.canonical_url = normalize_url(article.canonical_url or job.url)
    result = PageResult(article=article, sketch=dedupe.sketch(article.text))
    if job.entities:
        try:
            from crawler.entities import extract_entities

            text = "\n".join(p for p in (article.title, article.lead, article.text) if p)
            result.entities = extract_entities(text, source_province=job.province, author=article.author)
        except Exception as exc:  # an NLP bug must not lose the article
            result.entity_error = f"{type(exc).__name__}: {exc}"
    return result
