"""Near-duplicate groups in the store: sketches in an indexed table, one link per copy."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import dedupe
from crawler.db.models import ArticleRow, ArticleSketchRow

CANDIDATES = 5
MIN_SHARED = 8
"""Candidates must share this many of the 64 sketch hashes (about Jaccard 0.3 or more)."""


def _sketch_of(session: Session, article_id: int) -> list[int]:
    return sorted(session.scalars(
        sa.select(ArticleSketchRow.hash).where(ArticleSketchRow.article_id == article_id)
    ))


def link_near_duplicates(session: Session, article_id: int, text: str | None = None, *,
                         sketch: list[int] | None = None) -> int | None:
    """Store the article's sketch (given, or computed from ``text``) and link it to the
    group of its most similar earlier article, if one is similar enough. Returns the
    group's first article id, or None."""
    if sketch is None:
        sketch = dedupe.sketch(text)
    session.execute(sa.delete(ArticleSketchRow).where(ArticleSketchRow.article_id == article_id))
    session.execute(sa.update(ArticleRow).where(ArticleRow.id == article_id)
                    .values(duplicate_of_id=None, duplicate_similarity=None))
    if not sketch:
        return None
    shared = sa.func.count().label("shared")
    candidates = session.execute(
        sa.select(ArticleSketchRow.article_id, shared)
        .where(ArticleSketchRow.hash.in_(sketch), ArticleSketchRow.article_id < article_id)
        .group_by(ArticleSketchRow.article_id)
        .having(shared >= MIN_SHARED)
        .order_by(shared.desc()).limit(CANDIDATES)
    ).all()
    best = max(((dedupe.similarity(sketch, _sketch_of(session, c)), c) for c, _ in candidates),
               default=(0.0, None))
    session.execute(sa.insert(ArticleSketchRow), [{"article_id": article_id, "hash": h} for h in sketch])
    if best[1] is None or best[0] < dedupe.THRESHOLD:
        session.flush()
        return None
    root = session.scalar(sa.select(ArticleRow.duplicate_of_id).where(ArticleRow.id == best[1]))
    group = root or best[1]
    session.execute(sa.update(ArticleRow).where(ArticleRow.id == article_id)
                    .values(duplicate_of_id=group, duplicate_similarity=round(best[0], 3)))
    session.flush()
    return group


def near_duplicates(session: Session, article_id: int) -> list[ArticleRow]:
    """The other articles of the article's near-duplicate group, oldest first."""
    root = session.scalar(sa.select(ArticleRow.duplicate_of_id).where(ArticleRow.id == article_id))
    group = root or article_id
    return list(session.scalars(
        sa.select(ArticleRow)
        .where(sa.or_(ArticleRow.id == group, ArticleRow.duplicate_of_id == group),
               ArticleRow.id != article_id)
        .order_by(ArticleRow.id)
    ))
