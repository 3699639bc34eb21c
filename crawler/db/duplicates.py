"""Near-duplicate groups in the store: signatures and LSH band keys in one indexed table."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.db.models import ArticleRow, ArticleSketchRow

CANDIDATES = 10


def _signature_of(session: Session, article_id: int) -> list[int]:
    from crawler import dedupe  # here, not at import: the crawl process never sketches (numpy: +20 MB)
    rows = session.scalars(
        sa.select(ArticleSketchRow.hash).where(ArticleSketchRow.article_id == article_id)
    ).all()
    return dedupe.signature_from_rows(list(rows))


def link_near_duplicates(session: Session, article_id: int, text: str | None = None, *,
                         sketch: list[int] | None = None) -> int | None:
    """Store the article's sketch rows (given, or computed from ``text``) and link it to the
    group of its most similar earlier article, if one is similar enough. Candidates are
    the articles sharing a band key (an indexed equality lookup). Returns the group's first
    article id, or None."""
    from crawler import dedupe  # here, not at import: the crawl process never sketches (numpy: +20 MB)
    rows = dedupe.sketch(text) if sketch is None else sketch
    session.execute(sa.delete(ArticleSketchRow).where(ArticleSketchRow.article_id == article_id))
    session.execute(sa.update(ArticleRow).where(ArticleRow.id == article_id)
                    .values(duplicate_of_id=None, duplicate_similarity=None))
    if not rows:
        return None
    signature = dedupe.signature_from_rows(rows)
    bands = [row for row in rows if row >> 62]
    candidates = session.scalars(
        sa.select(ArticleSketchRow.article_id).distinct()
        .where(ArticleSketchRow.hash.in_(bands), ArticleSketchRow.article_id < article_id)
        .limit(CANDIDATES)
    ).all()
    best = max(((dedupe.similarity(signature, _signature_of(session, c)), c) for c in candidates),
               default=(0.0, None))
    session.execute(sa.insert(ArticleSketchRow), [{"article_id": article_id, "hash": h} for h in rows])
    if best[1] is None or best[0] < dedupe.THRESHOLD:
        return None
    root = session.scalar(sa.select(ArticleRow.duplicate_of_id).where(ArticleRow.id == best[1]))
    group = root or best[1]
    session.execute(sa.update(ArticleRow).where(ArticleRow.id == article_id)
                    .values(duplicate_of_id=group, duplicate_similarity=round(best[0], 3)))
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
