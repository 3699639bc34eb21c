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
   executemany each for the band keys, the signatures and the links (``duplicates.link_near_duplicates``
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

from crawler.db.duplicates import (
    CANDIDATES,
    chunks,
    link_near_duplicates,
    signatures_of,
    split_sketch,
    store_sketches,
    unpack_signature,
)
from crawler.db.models import DISCOVERY_SOURCES, ArticleRow, ArticleSketchRow, ArticleVersionRow
from crawler.db.store import _aware, _content, _dialect_insert, content_hash, upsert_article
from crawler.db.versions import VERSIONED_FIELDS, _fields, field_diff, sighting_values
from crawler.extract.model import Article

_ARTICLE = cast(sa.Table, ArticleRow.__table__)
_SKETCH = cast(sa.Table, ArticleSketchRow.__table__)
_VERSION = cast(sa.Table, ArticleVersionRow.__table__)


@dataclass(frozen=True)
class Fetched:
    """One fetched and extracted article page, as ``store_fetched`` takes it."""

    article: Article
    raw_html: bytes | None
    """The page as fetched; empty stores no HTML; None keeps what is stored (re-processing)."""
    encoding: str | None
    http_status: int
    discovered_via: str | None
    seen_at: datetime
    identity: str | None = None
    sketch: list[int] | None = None
    """Near-duplicate sketch rows (``dedupe.sketch``); None: do not group this article."""
    source_modified_at: datetime | None = None
    """The page's lastmod in the sitemap that listed it; None keeps what is stored."""


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


def store_fetched(session: Session, *, site_id: int, run_id: int | None,
                  items: list[Fetched]) -> list[Stored]:
    """Store every item (new, updated or unchanged, as ``upsert_article`` decides) and
    group it with its near-duplicates; one result per item, in order."""
    for item in items:
        _aware(item.seen_at, "seen_at")
        if item.discovered_via not in (None, *DISCOVERY_SOURCES):
            raise ValueError(f"discovered_via must be one of {DISCOVERY_SOURCES} or None")
    keys = [_key(item.article) for item in items]
    digests = [content_hash(i.article.title, i.article.text, i.article.published_at, i.article.author)
               for i in items]
    stored: dict[str, _Known] = {}
    c = _ARTICLE.c
    for chunk in chunks(sorted(set(keys))):
        stored.update((row[0], _Known(*row[1:])) for row in session.execute(
            sa.select(c.canonical_url, c.id, c.content_hash, c.first_seen_at, c.version_count)
            .where(c.canonical_url.in_(chunk))))
    first: dict[str, int] = {}  # key -> index of its first occurrence in the batch
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    new = {key: i for key, i in first.items() if key not in stored}
    same = [i for key, i in first.items() if key in stored and stored[key].digest == digests[i]]
    changed = [i for key, i in first.items() if key in stored and stored[key].digest != digests[i]]
    results: dict[int, Stored] = dict(_insert_new(session, site_id, run_id, items, keys, digests, new))
    results.update(_touch_unchanged(session, items, keys, digests, stored, same))
    results.update(_update_changed(session, run_id, items, keys, digests, stored, changed))
    for i, item in enumerate(items):
        if i not in results:  # repeated in the batch, or another writer got there in between
            results[i] = _one(session, site_id, run_id, item, keys[i])
    return [results[i] for i in range(len(items))]


@dataclass(frozen=True)
class _Known:
    id: int
    digest: str
    first_seen_at: datetime
    version_count: int


def _later_seen() -> sa.ColumnElement[Any]:
    col = _ARTICLE.c
    seen = sa.bindparam("b_seen", type_=col.last_seen_at.type)
    return sa.case((col.last_seen_at < seen, seen), else_=col.last_seen_at)


def _lastmod_or_kept() -> sa.ColumnElement[Any]:
    """The page's sitemap lastmod when it came with one, else the stored one."""
    kept = _ARTICLE.c.source_modified_at
    return sa.func.coalesce(sa.bindparam("b_lastmod", type_=kept.type), kept)


def _applied(session: Session, expected: dict[int, tuple[str, int]], rowcount: int) -> set[int]:
    """The article ids whose optimistic UPDATE matched: all when the executemany's row count
    says so, else those now holding the (digest, version) this batch wrote."""
    if rowcount == len(expected):
        return set(expected)
    c = _ARTICLE.c
    now = {aid: (digest, version) for aid, digest, version in session.execute(
        sa.select(c.id, c.content_hash, c.version_count).where(c.id.in_(list(expected))))}
    return {aid for aid, want in expected.items() if now.get(aid) == want}


def _touch_unchanged(session: Session, items: list[Fetched], keys: list[str], digests: list[str],
                     stored: dict[str, _Known], same: list[int]) -> list[tuple[int, Stored]]:
    """Seen again with the same content: bump ``last_seen_at`` and reschedule, one
    executemany (``WHERE content_hash`` still equal, else the per-article path decides)."""
    if not same:
        return []
    c = _ARTICLE.c
    params = []
    for i in same:
        known, item = stored[keys[i]], items[i]
        revisit_values = sighting_values(known.first_seen_at, item.seen_at)
        params.append({"b_id": known.id, "b_digest": digests[i], "b_seen": item.seen_at,
                       "b_identity": item.identity, "b_lastmod": item.source_modified_at,
                       **{f"b_{k}": v for k, v in revisit_values.items()}})
    stmt = (sa.update(_ARTICLE)
            .where(c.id == sa.bindparam("b_id"), c.content_hash == sa.bindparam("b_digest"))
            .values(last_seen_at=_later_seen(),
                    identity=sa.func.coalesce(sa.bindparam("b_identity", type_=c.identity.type), c.identity),
                    source_modified_at=_lastmod_or_kept(),
                    **{k: sa.bindparam(f"b_{k}") for k in ("status", "removed_at", "missing_checks",
                                                            "next_check_at")}))
    done = session.connection().execute(stmt, params)
    expected = {stored[keys[i]].id: (digests[i], stored[keys[i]].version_count) for i in same}
    applied = _applied(session, expected, done.rowcount)
    return [(i, Stored("unchanged", stored[keys[i]].id)) for i in same if stored[keys[i]].id in applied]


def _update_changed(session: Session, run_id: int | None, items: list[Fetched], keys: list[str],
                    digests: list[str], stored: dict[str, _Known],
                    changed: list[int]) -> list[tuple[int, Stored]]:
    """Edited since stored: new content and version N+1 with a diff against version N, in
    one executemany per statement; the UPDATE only applies where the stored digest and
    version are still the ones read (optimistic), the rest goes the per-article way."""
    if not changed:
        return []
    c = _ARTICLE.c
    applied: set[int] = set()
    groups: dict[bool, list[int]] = {}
    for i in changed:  # one statement shape per group: with or without new raw HTML
        groups.setdefault(items[i].raw_html is not None, []).append(i)
    for _with_html, group in groups.items():
        params = []
        for i in group:
            known, item = stored[keys[i]], items[i]
            content = _content(item.article, keys[i], digests[i], item.raw_html, item.encoding,
                               item.http_status, run_id, item.seen_at)
            if item.identity is not None:
                content["identity"] = item.identity
            params.append({"b_id": known.id, "b_old": known.digest, "b_version": known.version_count,
                           "b_seen": item.seen_at, "b_lastmod": item.source_modified_at,
                           "version_count": known.version_count + 1,
                           **content, **sighting_values(known.first_seen_at, item.seen_at)})
        names = [k for k in params[0] if not k.startswith("b_")]
        if any(set(p) != set(params[0]) for p in params):  # identity given for some only
            for p in params:
                p.setdefault("identity", None)
            names = [*dict.fromkeys([*names, "identity"])]
        values: dict[str, Any] = {k: sa.bindparam(f"v_{k}", type_=c[k].type) for k in names}
        if "identity" in values:
            values["identity"] = sa.func.coalesce(values["identity"], c.identity)
        stmt = (sa.update(_ARTICLE)
                .where(c.id == sa.bindparam("b_id"), c.content_hash == sa.bindparam("b_old"),
                       c.version_count == sa.bindparam("b_version"))
                .values(last_seen_at=_later_seen(), source_modified_at=_lastmod_or_kept(), **values))
        rows = [{**{k: v for k, v in p.items() if k.startswith("b_")},
                 **{f"v_{k}": p[k] for k in names}} for p in params]
        done = session.connection().execute(stmt, rows)
        expected = {stored[keys[i]].id: (digests[i], stored[keys[i]].version_count + 1) for i in group}
        applied |= _applied(session, expected, done.rowcount)
    ours = [i for i in changed if stored[keys[i]].id in applied]
    if not ours:
        return []
    v = _VERSION.c
    wanted = [(stored[keys[i]].id, stored[keys[i]].version_count) for i in ours]
    previous: dict[int, dict[str, object]] = {}
    for chunk in chunks(wanted):
        for row in session.execute(sa.select(v.article_id, *(v[n] for n in VERSIONED_FIELDS))
                                   .where(sa.tuple_(v.article_id, v.version).in_(chunk))):
            previous[row[0]] = dict(zip(VERSIONED_FIELDS, row[1:], strict=True))
    session.execute(sa.insert(_VERSION), [
        {"article_id": stored[keys[i]].id, "version": stored[keys[i]].version_count + 1,
         "captured_at": items[i].seen_at, "crawl_run_id": run_id, "content_hash": digests[i],
         "diff": field_diff(previous.get(stored[keys[i]].id, {}), _fields(items[i].article)),
         **_fields(items[i].article)}
        for i in ours
    ])
    out = []
    for i in ours:
        aid, sketch = stored[keys[i]].id, items[i].sketch
        group_id = link_near_duplicates(session, aid, sketch=sketch) if sketch is not None else None
        out.append((i, Stored("updated", aid, group_id)))
    return out


def _one(session: Session, site_id: int, run_id: int | None, item: Fetched, key: str) -> Stored:
    """The per-article path: race-safe upsert, then regroup the article if it changed."""
    outcome = upsert_article(
        session, site_id=site_id, run_id=run_id, article=item.article, raw_html=item.raw_html,
        encoding=item.encoding, http_status=item.http_status,
        discovered_via=item.discovered_via, seen_at=item.seen_at, identity=item.identity,
    )  # fmt: skip
    article_id = session.scalars(sa.select(_ARTICLE.c.id).where(_ARTICLE.c.canonical_url == key)).one()
    if item.source_modified_at is not None:
        session.execute(sa.update(_ARTICLE).where(_ARTICLE.c.id == article_id)
                        .values(source_modified_at=item.source_modified_at))
    group = None
    if outcome != "unchanged" and item.sketch is not None:
        group = link_near_duplicates(session, article_id, sketch=item.sketch)
    return Stored(outcome, article_id, group)


def _insert_new(session: Session, site_id: int, run_id: int | None, items: list[Fetched],
                keys: list[str], digests: list[str], first: dict[str, int]) -> list[tuple[int, Stored]]:
    if not first:
        return []
    rows = []
    for key, i in first.items():
        item, article = items[i], items[i].article
        row = _content(article, key, digests[i], item.raw_html, item.encoding, item.http_status,
                       run_id, item.seen_at)
        row.setdefault("raw_html", None)  # None: nothing to keep, store none
        row.setdefault("raw_encoding", item.encoding)
        row.update(site_id=site_id, canonical_url=key, identity=item.identity,
                   discovered_via=item.discovered_via, first_seen_at=item.seen_at,
                   last_seen_at=item.seen_at, version_count=1, duplicate_of_id=None,
                   duplicate_similarity=None, source_modified_at=item.source_modified_at,
                   **sighting_values(item.seen_at, item.seen_at))
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
    from crawler import dedupe  # here, not at import: the crawl process never sketches (numpy: +20 MB)
    if not new:
        return {}
    split = {aid: split_sketch(rows or []) for aid, rows in new}
    owners: dict[int, list[int]] = {}  # band key -> stored articles having it
    for chunk in chunks(sorted({h for keys, _sig in split.values() for h in keys})):
        for h, owner in session.execute(sa.select(_SKETCH.c.hash, _SKETCH.c.article_id)
                                        .where(_SKETCH.c.hash.in_(chunk))):
            owners.setdefault(h, []).append(owner)
    signatures = {aid: unpack_signature(packed) for aid, (_keys, packed) in split.items()}
    picked: dict[int, list[int]] = {}
    batch_owners: dict[int, list[int]] = {}
    for aid, _rows in new:
        shared: Counter[int] = Counter()
        for h in split[aid][0]:
            shared.update(c for c in owners.get(h, ()) if c < aid)
            shared.update(batch_owners.get(h, ()))
            batch_owners.setdefault(h, []).append(aid)
        picked[aid] = [c for c, _n in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))][:CANDIDATES]
    earlier = sorted({c for cs in picked.values() for c in cs} - signatures.keys())
    signatures.update(signatures_of(session, earlier))
    roots: dict[int, int | None] = {}
    for chunk in chunks(earlier):
        roots.update(session.execute(sa.select(_ARTICLE.c.id, _ARTICLE.c.duplicate_of_id)
                                     .where(_ARTICLE.c.id.in_(chunk))).all())
    links: list[dict[str, Any]] = []
    groups: dict[int, int] = {}
    for aid, _rows in new:
        best = max(((dedupe.similarity(signatures[aid], signatures.get(c, [])), c)
                    for c in picked[aid]), default=(0.0, None))
        if best[1] is None or best[0] < dedupe.THRESHOLD:
            continue
        group = groups.get(best[1]) or roots.get(best[1]) or best[1]
        groups[aid] = group
        links.append({"aid": aid, "group": group, "similarity": round(best[0], 3)})
    store_sketches(session, [(aid, rows) for aid, rows in new if rows])
    if links:
        session.connection().execute(
            sa.update(_ARTICLE).where(_ARTICLE.c.id == sa.bindparam("aid"))
            .values(duplicate_of_id=sa.bindparam("group"),
                    duplicate_similarity=sa.bindparam("similarity")), links)
    return groups
