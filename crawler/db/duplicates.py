"""Near-duplicate groups in the store: LSH band keys in one indexed table
(``article_sketch``), each article's signature packed in one row (``article_signature``)."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.db.models import ArticleRow, ArticleSignatureRow, ArticleSketchRow

CANDIDATES = 10
BINS = 64  # crawler.dedupe.BINS (not imported: the crawl process never loads numpy)
_MASK = (1 << 56) - 1
_PACK = struct.Struct(f"<{BINS}q")
_SKETCH = cast(sa.Table, ArticleSketchRow.__table__)
_SIGNATURE = cast(sa.Table, ArticleSignatureRow.__table__)
CHUNK = 400
"""Keys per ``IN (...)`` list: well under SQLite's and PostgreSQL's parameter limits."""


def chunks(items: list[Any]) -> list[list[Any]]:
    """``items`` in lists of at most ``CHUNK``, one ``IN (...)`` each."""
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def split_sketch(rows: list[int]) -> tuple[list[int], bytes | None]:
    """``dedupe.sketch`` rows as stored: the band keys (bit 62 set) and the packed signature
    (None when the rows hold no complete signature)."""
    bands = [h for h in rows if h >> 62]
    sig = [-1] * BINS
    for h in rows:
        if not h >> 62:
            sig[(h >> 56) & 63] = h & _MASK
    return bands, (None if -1 in sig else _PACK.pack(*sig))


def unpack_signature(blob: bytes | None) -> list[int]:
    """The (truncated) signature of a stored ``article_signature`` row; [] for none."""
    return list(_PACK.unpack(blob)) if blob else []


def insert_plain(session: Session, table: sa.Table, columns: tuple[str, ...],
                 rows: list[tuple[Any, ...]]) -> None:
    """INSERT rows straight through the driver's executemany: SQLAlchemy's per-row
    parameter processing costs more than the database for small rows. Only for columns
    without type processing (integers, bytes: the values go to the driver as they are)."""
    if not rows:
        return
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"  # psycopg takes %s too
    quote = conn.dialect.identifier_preparer
    sql = (f"INSERT INTO {quote.format_table(table)} ({', '.join(map(quote.quote, columns))}) "  # noqa: S608 (names from the model)
           f"VALUES ({', '.join([mark] * len(columns))})")
    conn.exec_driver_sql(sql, rows)


def store_sketches(session: Session, sketches: Iterable[tuple[int, list[int]]]) -> None:
    """Write the band keys and the signature of each (article id, ``dedupe.sketch`` rows)."""
    bands: list[tuple[int, int]] = []
    signatures: list[tuple[int, bytes]] = []
    for aid, rows in sketches:
        keys, packed = split_sketch(rows)
        bands += [(aid, h) for h in keys]
        if packed is not None:
            signatures.append((aid, packed))
    insert_plain(session, _SKETCH, ("article_id", "hash"), bands)
    insert_plain(session, _SIGNATURE, ("article_id", "signature"), signatures)


def signatures_of(session: Session, article_ids: list[int]) -> dict[int, list[int]]:
    """The stored signatures of these articles (those without one are left out)."""
    found: dict[int, list[int]] = {}
    for chunk in chunks(article_ids):
        found.update((aid, unpack_signature(blob)) for aid, blob in session.execute(
            sa.select(_SIGNATURE.c.article_id, _SIGNATURE.c.signature)
            .where(_SIGNATURE.c.article_id.in_(chunk))))
    return found


def link_near_duplicates(session: Session, article_id: int, text: str | None = None, *,
                         sketch: list[int] | None = None) -> int | None:
    """Store the article's sketch rows (given, or computed from ``text``) and link it to the
    group of its most similar earlier article, if one is similar enough. Candidates are
    the articles sharing a band key (an indexed equality lookup). Returns the group's first
    article id, or None."""
    from crawler import dedupe  # here, not at import: the crawl process never sketches (numpy: +20 MB)
    rows = dedupe.sketch(text) if sketch is None else sketch
    session.execute(sa.delete(ArticleSketchRow).where(ArticleSketchRow.article_id == article_id))
    session.execute(sa.delete(ArticleSignatureRow).where(ArticleSignatureRow.article_id == article_id))
    session.execute(sa.update(ArticleRow).where(ArticleRow.id == article_id)
                    .values(duplicate_of_id=None, duplicate_similarity=None))
    if not rows:
        return None
    bands, packed = split_sketch(rows)
    signature = unpack_signature(packed)
    candidates = list(session.scalars(
        sa.select(ArticleSketchRow.article_id).distinct()
        .where(ArticleSketchRow.hash.in_(bands), ArticleSketchRow.article_id < article_id)
        .limit(CANDIDATES)
    ).all())
    stored = signatures_of(session, candidates)
    best = max(((dedupe.similarity(signature, stored.get(c, [])), c) for c in candidates),
               default=(0.0, None))
    store_sketches(session, [(article_id, rows)])
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
