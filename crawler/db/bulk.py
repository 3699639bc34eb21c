"""Storing a batch of fetched articles with a handful of statements, not several per article.

The crawl's workers store each batch of pages in one transaction. A first sighting is
the common case of a crawl (an incremental crawl fetches little else), so new articles
go in together:

1. one ``SELECT`` finds which of the batch's keys are already stored;
2. one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` writes the new rows,
   already carrying what ``versions.after_upsert`` would set (status, version 1, the
   revisit schedule);
3. one executemany writes their first versions;
4. near-duplicate sketches: one lookup of the stored articles sharing a band key with any
   article of the batch, one read of those candidates' signatures and groups, then one
   executemany each for the sketch rows and the links (``duplicates.link_near_duplicates``
   does the same per article).

Everything else takes the per-article path (``store.upsert_article`` and
``duplicates.link_near_duplicates``), which decides race-safely: a stored article seen
again (unchanged or edited), a key a concurrent writer inserted between steps 1 and 2,
and the second copy of a key within one batch. Flush only; the caller commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import dedupe, revisit
from crawler.db.duplicates import CANDIDATES, link_near_duplicates
from crawler.db.models import DISCOVERY_SOURCES, ArticleRow, ArticleSketchRow, ArticleVersionRow
from crawler.db.store import _aware, _content, _dialect_insert, content_hash, upsert_article
from crawler.db.versions import VERSIONED_FIELDS
from crawler.extract.model import Article

_ARTICLE = cast(sa.Table, ArticleRow.__table__)
_SKETCH = cast(sa.Table, ArticleSketchRow.__table__)
_VERSION = cast(sa.Table, ArticleVersionRow.__table__)
CHUNK = 400
"""Keys per ``IN (...)`` list: well under SQLite's and PostgreSQL's parameter limits."""


@dataclass(frozen=True)
class Fetched:
    """One fetched and extracted article page, as ``store_fetched`` takes it."""

    article: Article
    raw_html: bytes
    encoding: str | None
    http_status: int
    discovered_via: str | None
    seen_at: datetime
    identity: str | None = None
    sketch: list[int] | None = None
    """Near-duplicate sketch rows (``dedupe.sketch``); None: do not group this article."""


@dataclass(frozen=True)
class Stored:
    outcome: str
    """``new``, ``updated`` or ``unchanged``, as ``store.upsert_article`` says."""
    article_id: int
    duplicate_of: int | None = None
    """The near-duplicate group the article joined, if any."""


def _key(article: Article) -> str:
    key = article.canonical_url or article.url
    if not key:
        raise ValueError("article has neither canonical_url nor url")
    return key


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def store_fetched(session: Session, *, site_id: int, run_id: int | None,
                  items: list[Fetched]) -> list[Stored]:
    """Store every item (new, updated or unchanged, as ``upsert_article`` decides) and
    group it with its near-duplicates; one result per item, in order."""
    for item in items:
        _aware(item.seen_at, "seen_at")
        if item.discovered_via not in (None, *DISCOVERY_SOURCES):
            raise ValueError(f"discovered_via must be one of {DISCOVERY_SOURCES} or None")
    keys = [_key(item.article) for item in items]
    stored: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        stored.update(session.scalars(sa.select(_ARTICLE.c.canonical_url)
                                      .where(_ARTICLE.c.canonical_url.in_(chunk))))
    first: dict[str, int] = {}  # key -> index of its first occurrence among the new ones
    for i, key in enumerate(keys):
        if key not in stored and key not in first:
            first[key] = i
    results: dict[int, Stored] = dict(_insert_new(session, site_id, run_id, items, keys, first))
    for i, item in enumerate(items):
        if i not in results:  # stored before, repeated in the batch, or inserted concurrently
            results[i] = _one(session, site_id, run_id, item, keys[i])
    return [results[i] for i in range(len(items))]


def _one(session: Session, site_id: int, run_id: int | None, item: Fetched, key: str) -> Stored:
    """The per-article path: race-safe upsert, then regroup the article if it changed."""
    outcome = upsert_article(
        session, site_id=site_id, run_id=run_id, article=item.article, raw_html=item.raw_html,
        encoding=item.encoding, http_status=item.http_status,
        discovered_via=item.discovered_via, seen_at=item.seen_at, identity=item.identity,
    )  # fmt: skip
    article_id = session.scalars(sa.select(_ARTICLE.c.id).where(_ARTICLE.c.canonical_url == key)).one()
    group = None
    if outcome != "unchanged" and item.sketch is not None:
        group = link_near_duplicates(session, article_id, sketch=item.sketch)
    return Stored(outcome, article_id, group)


def _insert_new(session: Session, site_id: int, run_id: int | None, items: list[Fetched],
                keys: list[str], first: dict[str, int]) -> list[tuple[int, Stored]]:
    if not first:
        return []
    rows, digests = [], {}
    for key, i in first.items():
        item, article = items[i], items[i].article
        digest = content_hash(article.title, article.text, article.published_at, article.author)
        digests[i] = digest
        row = _content(article, key, digest, item.raw_html, item.encoding, item.http_status,
                       run_id, item.seen_at)
        row.update(site_id=site_id, canonical_url=key, identity=item.identity,
                   discovered_via=item.discovered_via, first_seen_at=item.seen_at,
                   last_seen_at=item.seen_at, status="active", removed_at=None, missing_checks=0,
                   version_count=1, next_check_at=revisit.next_check_at(item.seen_at, item.seen_at),
                   duplicate_of_id=None, duplicate_similarity=None, source_modified_at=None)
        rows.append(row)
    insert = _dialect_insert(session, _ARTICLE).on_conflict_do_nothing(index_elements=["canonical_url"])
    inserted = {key: article_id for article_id, key in session.execute(
        insert.returning(_ARTICLE.c.id, _ARTICLE.c.canonical_url), rows)}
    new = sorted((inserted[key], i) for key, i in first.items() if key in inserted)
    if not new:
        return []
    session.execute(sa.insert(_VERSION), [
        {"article_id": article_id, "version": 1, "captured_at": items[i].seen_at,
         "crawl_run_id": run_id, "content_hash": digests[i], "diff": None,
         **{name: getattr(items[i].article, name) for name in VERSIONED_FIELDS}}
        for article_id, i in new
    ])
    groups = _group_new(session, [(article_id, items[i].sketch) for article_id, i in new
                                  if items[i].sketch])
    return [(i, Stored("new", article_id, groups.get(article_id))) for article_id, i in new]


def _group_new(session: Session, new: list[tuple[int, list[int] | None]]) -> dict[int, int]:
    """Sketch rows and near-duplicate links of newly inserted articles (ascending ids):
    each joins the group of its most similar earlier article — stored before, or earlier
    in this batch — among up to ``CANDIDATES`` sharing the most band keys."""
    if not new:
        return {}
    bands = {aid: [h for h in rows or () if h >> 62] for aid, rows in new}
    owners: dict[int, list[int]] = {}  # band key -> stored articles having it
    for chunk in _chunks(sorted({h for keys in bands.values() for h in keys})):
        for h, owner in session.execute(sa.select(_SKETCH.c.hash, _SKETCH.c.article_id)
                                        .where(_SKETCH.c.hash.in_(chunk))):
            owners.setdefault(h, []).append(owner)
    signatures = {aid: dedupe.signature_from_rows(rows or []) for aid, rows in new}
    picked: dict[int, list[int]] = {}
    batch_owners: dict[int, list[int]] = {}
    for aid, _rows in new:
        shared: Counter[int] = Counter()
        for h in bands[aid]:
            shared.update(c for c in owners.get(h, ()) if c < aid)
            shared.update(batch_owners.get(h, ()))
            batch_owners.setdefault(h, []).append(aid)
        picked[aid] = [c for c, _n in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))][:CANDIDATES]
    earlier = sorted({c for cs in picked.values() for c in cs} - signatures.keys())
    roots: dict[int, int | None] = {}
    for chunk in _chunks(earlier):
        stored_rows: dict[int, list[int]] = {}
        for owner, h in session.execute(sa.select(_SKETCH.c.article_id, _SKETCH.c.hash)
                                        .where(_SKETCH.c.article_id.in_(chunk))):
            stored_rows.setdefault(owner, []).append(h)
        signatures.update({c: dedupe.signature_from_rows(r) for c, r in stored_rows.items()})
        roots.update(session.execute(sa.select(_ARTICLE.c.id, _ARTICLE.c.duplicate_of_id)
                                     .where(_ARTICLE.c.id.in_(chunk))).all())
    links, groups = [], {}
    for aid, _rows in new:
        best = max(((dedupe.similarity(signatures[aid], signatures.get(c, [])), c)
                    for c in picked[aid]), default=(0.0, None))
        if best[1] is None or best[0] < dedupe.THRESHOLD:
            continue
        group = groups.get(best[1]) or roots.get(best[1]) or best[1]
        groups[aid] = group
        links.append({"aid": aid, "group": group, "similarity": round(best[0], 3)})
    session.execute(sa.insert(_SKETCH), [{"article_id": aid, "hash": h}
                                         for aid, rows in new for h in rows or ()])
    if links:
        session.connection().execute(
            sa.update(_ARTICLE).where(_ARTICLE.c.id == sa.bindparam("aid"))
            .values(duplicate_of_id=sa.bindparam("group"),
                    duplicate_similarity=sa.bindparam("similarity")), links)
    return groups
