"""Storing a batch at once (``db.store_fetched``) gives what the per-article path gives,
on SQLite and PostgreSQL, with real NukeViet article pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db, dedupe
from crawler.db.models import ArticleSketchRow
from crawler.extract import extract_article
from crawler.registry import load_registry
from tests.conftest import FIXTURES

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
IDS = ("13", "14", "15", "16", "17", "18")
# Columns that differ by construction between two stores: ids and the run.
VOLATILE = {"id", "site_id", "crawl_run_id", "duplicate_of_id"}


def raw(article_id: str) -> bytes:
    return (FIXTURES / "nukeviet" / "articles" / f"{article_id}.html").read_bytes()


def fetched(article_id: str, *, url: str | None = None, seen_at: datetime = T0, **changes) -> db.Fetched:
    article = extract_article(raw(article_id), url or f"http://portal.example/x-{article_id}.html",
                              family="nukeviet")
    article.canonical_url = url or f"http://portal.example/x-{article_id}.html"
    article = replace(article, **changes)
    return db.Fetched(article=article, raw_html=raw(article_id), encoding="utf-8", http_status=200,
                      discovered_via="listing", seen_at=seen_at, identity=f"id:{article_id}",
                      sketch=dedupe.sketch(article.text))


def copy_of(item: db.Fetched, url: str) -> db.Fetched:
    """A syndicated copy: a credit line added, the last paragraph cut, another URL."""
    text = "Theo Báo Sơn La\n\n" + "\n\n".join((item.article.text or "").split("\n\n")[:-1])
    article = replace(item.article, canonical_url=url, url=url, text=text)
    return replace(item, article=article, identity=None, sketch=dedupe.sketch(text))


@pytest.fixture
def store(db_url):
    engine = db.open_database(db_url)
    with Session(engine) as session, session.begin():
        site_id = db.ensure_site(session, load_registry()["portal_example"])

    def run(items: list[db.Fetched]) -> list[db.Stored]:
        with Session(engine) as session, session.begin():
            return db.store_fetched(session, site_id=site_id, run_id=None, items=items)

    run.engine = engine  # type: ignore[attr-defined]
    run.site_id = site_id  # type: ignore[attr-defined]
    yield run
    engine.dispose()


def rows(engine, table: sa.Table, *order: sa.ColumnElement) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(*order))]


def test_a_batch_of_new_articles_is_stored_as_the_per_article_path_stores_it(store, tmp_path):
    items = [fetched(i) for i in IDS]
    results = store(items)
    assert [r.outcome for r in results] == ["new"] * len(IDS)
    assert len({r.article_id for r in results}) == len(IDS)

    # The same pages through upsert_article + link_near_duplicates, one by one.
    other = db.open_database(f"sqlite:///{tmp_path / 'one-by-one.db'}")
    with Session(other) as session, session.begin():
        site_id = db.ensure_site(session, load_registry()["portal_example"])
        for item in items:
            assert db.upsert_article(
                session, site_id=site_id, run_id=None, article=item.article, raw_html=item.raw_html,
                encoding=item.encoding, http_status=200, discovered_via="listing", seen_at=T0,
                identity=item.identity) == "new"
            aid = session.scalar(sa.select(db.ArticleRow.id)
                                 .where(db.ArticleRow.canonical_url == item.article.canonical_url))
            db.link_near_duplicates(session, aid, sketch=item.sketch)
    article = db.ArticleRow.__table__
    key = article.c.canonical_url
    bulk, single = rows(store.engine, article, key), rows(other, article, key)
    assert len(bulk) == len(single) == len(IDS)
    for a, b in zip(bulk, single, strict=True):
        assert {k: v for k, v in a.items() if k not in VOLATILE} == \
            {k: v for k, v in b.items() if k not in VOLATILE}
    same_tables(store.engine, other)
    sketch = ArticleSketchRow.__table__
    assert len(rows(store.engine, sketch, sketch.c.hash)) == len(rows(other, sketch, sketch.c.hash)) > 0
    other.dispose()


def one_by_one(engine, batches: list[list[db.Fetched]]) -> None:
    """What the per-article path stores for the same batches."""
    with Session(engine) as session, session.begin():
        site_id = db.ensure_site(session, load_registry()["portal_example"])
    for batch in batches:
        with Session(engine) as session, session.begin():
            for item in batch:
                outcome = db.upsert_article(
                    session, site_id=site_id, run_id=None, article=item.article,
                    raw_html=item.raw_html, encoding=item.encoding, http_status=200,
                    discovered_via="listing", seen_at=item.seen_at, identity=item.identity)
                if outcome != "unchanged":
                    aid = session.scalar(sa.select(db.ArticleRow.id).where(
                        db.ArticleRow.canonical_url == item.article.canonical_url))
                    db.link_near_duplicates(session, aid, sketch=item.sketch)


def same_tables(a, b) -> None:
    article, version = db.ArticleRow.__table__, db.ArticleVersionRow.__table__
    strip = lambda rows, drop: [{k: v for k, v in r.items() if k not in drop} for r in rows]  # noqa: E731
    assert strip(rows(a, article, article.c.canonical_url), VOLATILE) == \
        strip(rows(b, article, article.c.canonical_url), VOLATILE)
    order = (version.c.content_hash, version.c.version)
    assert strip(rows(a, version, *order), VOLATILE | {"article_id"}) == \
        strip(rows(b, version, *order), VOLATILE | {"article_id"})


def test_edited_unchanged_and_new_articles_in_one_batch_match_the_per_article_path(store, tmp_path):
    first = [fetched(i) for i in IDS[:5]]
    later = T0 + timedelta(days=1)
    second = []
    for n, item in enumerate(first):
        if n < 3:  # edited: the title, or the text (a paragraph cut)
            article = (replace(item.article, title=item.article.title + " (cập nhật)") if n % 2 else
                       replace(item.article, text="\n\n".join(item.article.text.split("\n\n")[:-1])))
            raw_html = None if n == 2 else item.raw_html  # None: keep the stored HTML
            item = replace(item, article=article, raw_html=raw_html, sketch=dedupe.sketch(article.text))
        second.append(replace(item, seen_at=later))
    second.append(fetched(IDS[5], seen_at=later))
    assert [r.outcome for r in store(first)] == ["new"] * 5
    results = store(second)
    assert [r.outcome for r in results] == ["updated"] * 3 + ["unchanged"] * 2 + ["new"]
    other = db.open_database(f"sqlite:///{tmp_path / 'one-by-one.db'}")
    one_by_one(other, [first, second])
    same_tables(store.engine, other)
    with Session(store.engine) as session:
        edited = session.get(db.ArticleRow, results[2].article_id)
        assert edited is not None and db.decompress_html(edited) == raw(IDS[2])  # kept
        versions = db.article_versions(session, results[1].article_id)
        assert [v.version for v in versions] == [1, 2] and "(cập nhật)" in (versions[1].diff or "")
    other.dispose()


def test_a_removed_article_seen_again_is_active_again(store):
    item = fetched("13")
    aid = store([item])[0].article_id
    with Session(store.engine) as session, session.begin():
        for _ in range(2):
            db.mark_missing(session, item.article.canonical_url, T0 + timedelta(hours=1))
    with Session(store.engine) as session:
        assert session.get(db.ArticleRow, aid).status == "removed"
    assert store([replace(item, seen_at=T0 + timedelta(days=1))])[0].outcome == "unchanged"
    with Session(store.engine) as session:
        row = session.get(db.ArticleRow, aid)
        assert (row.status, row.removed_at, row.missing_checks) == ("active", None, 0)
        assert row.next_check_at is not None and row.next_check_at.astimezone(UTC) > T0 + timedelta(days=1)


def test_storing_the_same_batch_again_changes_nothing(store):
    items = [fetched(i) for i in IDS]
    first = store(items)
    later = [replace(item, seen_at=T0 + timedelta(hours=7)) for item in items]
    again = store(later)
    assert [r.outcome for r in again] == ["unchanged"] * len(IDS)
    assert [r.article_id for r in again] == [r.article_id for r in first]
    with Session(store.engine) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(db.ArticleVersionRow)) == len(IDS)
        seen = session.scalars(sa.select(db.ArticleRow.last_seen_at)).all()
        assert {s.astimezone(UTC) for s in seen} == {T0 + timedelta(hours=7)}


def test_copies_join_the_group_of_a_stored_original_or_of_an_earlier_article_of_the_batch(store):
    original, other = fetched("13"), fetched("14")
    store([original])
    copy1 = copy_of(original, "http://news.example/a/copy1.html")
    copy2 = copy_of(original, "http://news.example/a/copy2.html")
    twin = fetched("16")
    twin_copy = copy_of(twin, "http://news.example/a/twin.html")
    results = store([copy1, other, twin, twin_copy, copy2])
    assert [r.outcome for r in results] == ["new"] * 5
    first_id = store([original])[0].article_id  # unchanged: gives its id back
    c1, o, t, tc, c2 = results
    assert c1.duplicate_of == first_id and c2.duplicate_of == first_id  # the root, stored before
    assert tc.duplicate_of == t.article_id  # an earlier article of the same batch
    assert o.duplicate_of is None and t.duplicate_of is None
    with Session(store.engine) as session:
        assert {r.id for r in db.near_duplicates(session, first_id)} == {c1.article_id, c2.article_id}
        assert {r.id for r in db.near_duplicates(session, tc.article_id)} == {t.article_id}
        assert db.near_duplicates(session, o.article_id) == []


def test_a_key_twice_in_one_batch_is_new_then_updated_with_a_second_version(store):
    item = fetched("13")
    edited = replace(item, article=replace(item.article, title=item.article.title + " (cập nhật)"),
                     seen_at=T0 + timedelta(minutes=5))
    results = store([item, fetched("14"), edited])
    assert [r.outcome for r in results] == ["new", "new", "updated"]
    assert results[0].article_id == results[2].article_id
    with Session(store.engine) as session:
        versions = db.article_versions(session, results[0].article_id)
        assert [v.version for v in versions] == [1, 2]
        assert "(cập nhật)" in (versions[1].diff or "")


def test_a_row_inserted_by_another_writer_meanwhile_is_not_duplicated(postgres_url):
    """A concurrent crawl stores the same article between the batch's lookup and its
    insert: the insert skips it and the per-article path finds it. On PostgreSQL, where a
    second connection can commit in between (SQLite has one writer at a time)."""
    from tests.pg import _reset_schema

    _reset_schema(postgres_url)
    engine, other = db.open_database(postgres_url), db.open_database(postgres_url)
    with Session(engine) as session, session.begin():
        site_id = db.ensure_site(session, load_registry()["portal_example"])
    items = [fetched(i) for i in IDS[:3]]
    raced = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def insert_first(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO article ") and not raced:
            with Session(other) as session, session.begin():
                raced.append(db.store_fetched(session, site_id=site_id, run_id=None, items=[items[1]]))

    with Session(engine) as session, session.begin():
        results = db.store_fetched(session, site_id=site_id, run_id=None, items=items)
    sa.event.remove(engine, "before_cursor_execute", insert_first)
    assert [r.outcome for r in raced[0]] == ["new"]
    assert [r.outcome for r in results] == ["new", "unchanged", "new"]
    assert results[1].article_id == raced[0][0].article_id
    with Session(engine) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(db.ArticleRow)) == 3
        assert session.scalar(sa.select(sa.func.count()).select_from(db.ArticleVersionRow)) == 3

    # An edit stored by another writer between this batch's lookup and its UPDATE: the
    # optimistic UPDATE misses it and the per-article path stores this edit as version 3.
    raced.clear()
    theirs = replace(items[0], article=replace(items[0].article, title="Tiêu đề A"))
    ours = replace(items[0], article=replace(items[0].article, title="Tiêu đề B"),
                   seen_at=T0 + timedelta(hours=1))

    @sa.event.listens_for(engine, "before_cursor_execute")
    def edit_first(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE article SET") and not raced:
            with Session(other) as session, session.begin():
                raced.append(db.store_fetched(session, site_id=site_id, run_id=None, items=[theirs]))

    with Session(engine) as session, session.begin():
        results = db.store_fetched(session, site_id=site_id, run_id=None, items=[ours])
    sa.event.remove(engine, "before_cursor_execute", edit_first)
    assert [r.outcome for r in raced[0]] == ["updated"]
    assert [r.outcome for r in results] == ["updated"]
    with Session(engine) as session:
        versions = db.article_versions(session, results[0].article_id)
        assert [(v.version, v.title) for v in versions][1:] == [(2, "Tiêu đề A"), (3, "Tiêu đề B")]
    engine.dispose()
    other.dispose()
    _reset_schema(postgres_url)


def test_a_batch_with_one_unstorable_page_stores_the_others_and_records_that_one(tmp_path):
    """The crawl worker's batch: when the batch's transaction fails, every page is stored
    on its own, so the bad one costs only itself and is reported as a store error."""
    from crawler.batch import BatchJob, PageIn, write_batch

    url = f"sqlite:///{tmp_path / 'batch.db'}"
    engine = db.open_database(url)
    with Session(engine) as session, session.begin():
        site_id = db.ensure_site(session, load_registry()["portal_example"])
        run_id = db.start_run(session, site_id, T0)
    pages = [PageIn(f"http://portal.example/x-{i}.html", raw(i), "utf-8", 200, T0, via)
             for i, via in (("13", "listing"), ("14", "not-a-channel"), ("15", "sitemap"))]
    result = write_batch(BatchJob(db_url=url, site_id=site_id, run_id=run_id, pages=pages,
                                  family="nukeviet"))
    assert result.outcomes == {"new": 2}
    failed = [(f["url"], f["kind"]) for f in result.failures]
    assert failed == [("http://portal.example/x-14.html", "store_error")]
    assert "discovered_via" in result.failures[0]["message"]
    with Session(engine) as session:
        stored = set(session.scalars(sa.select(db.ArticleRow.url)))
    assert stored == {"http://portal.example/x-13.html", "http://portal.example/x-15.html"}
    engine.dispose()


def test_sitemap_lastmods_rewrite_only_the_rows_they_change(store):
    """``record_source_modified`` runs at the end of every crawl over a sitemap's articles:
    a row already holding its lastmod is left alone (each row carries its page)."""
    store([fetched(i) for i in IDS[:3]])
    stamp = {f"id:{i}": T0 - timedelta(days=1) for i in IDS[:3]}

    def record(lastmods: dict[str, datetime]) -> int:
        with Session(store.engine) as session, session.begin():
            return db.record_source_modified(session, store.site_id, lastmods)

    assert record(stamp) == 3
    assert record(stamp) == 0
    assert record({**stamp, "id:13": T0, "id:unknown": T0}) == 1
    with Session(store.engine) as session:
        row = db.ArticleRow
        kept = dict(session.execute(sa.select(row.identity, row.source_modified_at)).all())
    assert {k: v.astimezone(UTC) for k, v in kept.items()} == {**stamp, "id:13": T0}
