"""Article versions, removals and the revisit schedule in the store.

Called by ``store.upsert_article`` after it decides new / updated / unchanged, and by
the store pipeline when a revisit finds an article gone. Flush only; never commit.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import revisit
from crawler.db.duplicates import chunks
from crawler.db.models import ArticleRow, ArticleVersionRow
from crawler.extract.model import Article

VERSIONED_FIELDS = ("title", "published_at", "author", "lead", "text", "category")


@dataclass(frozen=True)
class KnownArticle:
    """What the spider needs to know about a stored article to decide whether to fetch it."""

    url: str
    canonical_url: str
    status: str
    last_seen_at: datetime
    next_check_at: datetime | None
    source_modified_at: datetime | None = None


def _render(fields: dict[str, object]) -> list[str]:
    lines = [f"{name}: {fields.get(name) or ''}" for name in ("title", "published_at", "author",
                                                               "category")]
    lines.append("")
    lines += [f"lead: {fields.get('lead') or ''}", ""]
    lines += str(fields.get("text") or "").split("\n")
    return lines


def field_diff(old: dict[str, object], new: dict[str, object]) -> str:
    """A readable unified diff of two versions' extracted fields (not the whole page)."""
    return "\n".join(difflib.unified_diff(_render(old), _render(new), "before", "after", lineterm=""))


def _fields(article: Article) -> dict[str, object]:
    return {name: getattr(article, name) for name in VERSIONED_FIELDS}


def sighting_values(first_seen_at: datetime, seen_at: datetime) -> dict[str, Any]:
    """What every sighting of a stored article sets: active again, the revisit schedule."""
    return {"status": "active", "removed_at": None, "missing_checks": 0,
            "next_check_at": revisit.next_check_at(first_seen_at, seen_at)}


def after_upsert(session: Session, row: Any, outcome: str, article: Article, *,
                 run_id: int | None, digest: str, seen_at: datetime) -> None:
    """Record the version (v1 when new, vN+1 with a diff when updated) and reschedule.

    ``row`` is ``(id, first_seen_at, version_count)`` as the upsert's RETURNING gave it.
    """
    article_id, first_seen_at, version_count = row
    values: dict[str, object] = sighting_values(first_seen_at, seen_at)
    if outcome in ("new", "updated"):
        version = 1 if outcome == "new" else version_count + 1
        diff = None
        if outcome == "updated":
            previous = session.execute(
                sa.select(*(getattr(ArticleVersionRow, n) for n in VERSIONED_FIELDS))
                .where(ArticleVersionRow.article_id == article_id)
                .order_by(ArticleVersionRow.version.desc()).limit(1)
            ).first()
            old = dict(zip(VERSIONED_FIELDS, previous, strict=True)) if previous else {}
            diff = field_diff(old, _fields(article))
        session.execute(sa.insert(ArticleVersionRow).values(
            article_id=article_id, version=version, captured_at=seen_at, crawl_run_id=run_id,
            content_hash=digest, diff=diff, **_fields(article),
        ))
        values["version_count"] = version
    session.execute(sa.update(ArticleRow).where(ArticleRow.id == article_id).values(**values))


def mark_missing(session: Session, url: str, seen_at: datetime) -> str:
    """A revisit found the article gone: ``missing`` the first time, ``removed`` the second.

    The stored copy stays; only its status changes. Returns ``unknown`` for a URL that is
    not stored.
    """
    row = session.scalars(
        sa.select(ArticleRow).where(sa.or_(ArticleRow.canonical_url == url, ArticleRow.url == url))
    ).first()
    if row is None:
        return "unknown"
    if row.status == "removed":
        row.next_check_at = seen_at + revisit.LATE_INTERVAL
        session.flush()
        return "removed_before"
    row.missing_checks += 1
    if row.missing_checks >= revisit.MISSING_CHECKS_TO_REMOVE:
        row.status = "removed"
        row.removed_at = seen_at
        row.next_check_at = seen_at + revisit.LATE_INTERVAL
        outcome = "removed"
    else:
        row.next_check_at = seen_at + revisit.MISSING_RECHECK
        outcome = "missing"
    session.flush()
    return outcome


_KNOWN_COLUMNS = (ArticleRow.url, ArticleRow.canonical_url, ArticleRow.status, ArticleRow.last_seen_at,
                  ArticleRow.next_check_at, ArticleRow.source_modified_at, ArticleRow.identity)
LOOKUP_CHUNK = 400


def known_articles(session: Session, site_id: int, identities: list[str],
                   urls: list[str]) -> list[tuple[KnownArticle, str | None]]:
    """The stored articles of a site among these identities or URLs, with their identity."""
    out = []
    for i in range(0, max(len(identities), len(urls)), LOOKUP_CHUNK):
        ids, some = identities[i:i + LOOKUP_CHUNK], urls[i:i + LOOKUP_CHUNK]
        rows = session.execute(
            sa.select(*_KNOWN_COLUMNS).where(
                ArticleRow.site_id == site_id,
                # Both terms are indexed ((site_id, identity) and the unique canonical_url),
                # so the lookup costs the page's URLs, not the site's size.
                sa.or_(ArticleRow.identity.in_(ids), ArticleRow.canonical_url.in_(some)),
            )
        ).all()
        out += [(KnownArticle(*row[:6]), row[6]) for row in rows]
    return out


def due_articles(session: Session, site_id: int, now: datetime, limit: int) -> list[KnownArticle]:
    """Stored articles of a site whose revisit is due, most overdue first."""
    rows = session.execute(
        sa.select(*_KNOWN_COLUMNS[:6])
        .where(ArticleRow.site_id == site_id, ArticleRow.next_check_at <= now)
        .order_by(ArticleRow.next_check_at).limit(limit)
    ).all()
    return [KnownArticle(*row) for row in rows]


def article_versions(session: Session, article_id: int) -> list[ArticleVersionRow]:
    return list(session.scalars(
        sa.select(ArticleVersionRow).where(ArticleVersionRow.article_id == article_id)
        .order_by(ArticleVersionRow.version)
    ))


def record_source_modified(session: Session, site_id: int, lastmods: dict[str, datetime]) -> int:
    """Remember each article's sitemap ``lastmod`` (keyed by article identity), so the next
    crawl re-fetches exactly the articles whose lastmod moved. One indexed UPDATE per
    article, sent as executemany; a row already holding its lastmod is not rewritten (an
    article row carries its compressed page, and every crawl used to rewrite every article
    row its sitemaps list). Returns how many rows changed."""
    if not lastmods:
        return 0
    stamp = sa.bindparam("stamp", type_=ArticleRow.source_modified_at.type)
    stmt = (
        sa.update(cast(sa.Table, ArticleRow.__table__))
        .where(ArticleRow.site_id == site_id, ArticleRow.identity == sa.bindparam("key"),
               sa.or_(ArticleRow.source_modified_at.is_(None), ArticleRow.source_modified_at != stamp))
        .values(source_modified_at=stamp)
    )
    changed = 0
    for chunk in chunks(list(lastmods.items())):  # 10,000 rows' parameters at once peaked at 6.2 MB
        done = session.connection().execute(stmt, [{"key": k, "stamp": v} for k, v in chunk])
        changed += done.rowcount
    return changed
