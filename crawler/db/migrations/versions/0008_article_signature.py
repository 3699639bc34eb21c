"""Near-duplicate signatures as one row per article; only band keys stay in article_sketch.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

``article_sketch`` held 80 rows per article: the 64 signature values (read whole, only
for a candidate) and the 16 LSH band keys (the indexed lookup). Every row went into the
random-key ``hash`` index, the largest write of a crawl as the store grows. The signature
is now one packed ``article_signature`` row per article, appended in id order; the band
keys stay where they were. Rows stored before are converted in place.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BINS = 64
_MASK = (1 << 56) - 1
_PACK = struct.Struct(f"<{BINS}q")
_CHUNK = 2000  # articles per step of the conversion


def _sketches(bind: sa.Connection, after: int) -> list[tuple[int, list[int]]]:
    """The next articles' sketch rows (signature and band keys), in id order."""
    ids = [row[0] for row in bind.execute(sa.text(
        "SELECT DISTINCT article_id FROM article_sketch WHERE article_id > :after "
        "ORDER BY article_id LIMIT :n"), {"after": after, "n": _CHUNK})]
    if not ids:
        return []
    rows: dict[int, list[int]] = {aid: [] for aid in ids}
    for aid, h in bind.execute(sa.text(
            "SELECT article_id, hash FROM article_sketch WHERE article_id >= :lo AND article_id <= :hi"),
            {"lo": ids[0], "hi": ids[-1]}):
        rows[aid].append(h)
    return list(rows.items())


def _chunks(bind: sa.Connection) -> Iterator[list[tuple[int, list[int]]]]:
    after = 0
    while batch := _sketches(bind, after):
        yield batch
        after = batch[-1][0]


def upgrade() -> None:
    op.create_table(
        "article_signature",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_article_signature__article_id__article",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_signature"),
    )
    bind = op.get_bind()
    signatures = sa.table("article_signature", sa.column("article_id"), sa.column("signature"))
    for batch in _chunks(bind):
        packed = []
        for aid, rows in batch:
            sig = [-1] * BINS
            for h in rows:
                if not h >> 62:
                    sig[(h >> 56) & 63] = h & _MASK
            if -1 not in sig:  # a complete signature (anything else was never compared)
                packed.append({"article_id": aid, "signature": _PACK.pack(*sig)})
        if packed:
            bind.execute(sa.insert(signatures), packed)
    op.execute("DELETE FROM article_sketch WHERE hash < 4611686018427387904")  # not a band key (bit 62)


def downgrade() -> None:
    bind = op.get_bind()
    sketch = sa.table("article_sketch", sa.column("article_id"), sa.column("hash"))
    after = 0
    while True:
        batch = bind.execute(sa.text(
            "SELECT article_id, signature FROM article_signature WHERE article_id > :after "
            "ORDER BY article_id LIMIT :n"), {"after": after, "n": _CHUNK}).all()
        if not batch:
            break
        bind.execute(sa.insert(sketch), [
            {"article_id": aid, "hash": (slot << 56) | value}
            for aid, blob in batch for slot, value in enumerate(_PACK.unpack(blob))])
        after = batch[-1][0]
    op.drop_table("article_signature")
