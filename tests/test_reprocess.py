"""`provnews reprocess` re-extracts stored raw HTML: a changed extraction is a new version, an
unchanged one is not written at all (on SQLite and PostgreSQL, in-process and with workers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler import reprocess as reprocess_module
from crawler.enrich import PageJob, process_page
from crawler.registry import Site, load_registry
from crawler.reprocess import extract_stored, reprocess
from tests.conftest import run_cli
from tests.test_crawl_e2e import crawl, sqlite_url  # noqa: F401 (sqlite_url: fixture)


def test_reprocess_restores_what_the_parser_extracts(replica, sqlite_url):  # noqa: F811
    assert crawl(replica, sqlite_url, "portal_example").returncode == 0
    engine = db.open_database(sqlite_url)
    # Pretend an older parser got three titles wrong.
    with Session(engine) as session, session.begin():
        ids = session.scalars(sa.select(db.ArticleRow.id).order_by(db.ArticleRow.id).limit(3)).all()
        session.execute(sa.update(db.ArticleRow).where(db.ArticleRow.id.in_(ids))
                        .values(title="(tiêu đề cũ)", content_hash="0" * 64))
    engine.dispose()
    counts = reprocess(sqlite_url, workers=0)
    assert counts == {"updated": 3, "unchanged": 90}
    engine = db.open_database(sqlite_url)
    with Session(engine) as session:
        assert "(tiêu đề cũ)" not in session.scalars(sa.select(db.ArticleRow.title)).all()
        versions = db.article_versions(session, ids[0])
        assert [v.version for v in versions] == [1, 2]
    engine.dispose()
    again = run_cli("reprocess", "--db", sqlite_url, "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "reprocessed 93 articles" in again.stdout and "unchanged 93" in again.stdout


FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SEEN_AT = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def _generic_site() -> Site:
    return next(s for s in load_registry().values() if s.family == "generic" and not s.selectors)


def _store_fixture_pages(url: str) -> int:
    """The real news fixture pages, stored as a crawl of a generic-family site would."""
    labels = [json.loads(line) for line in (FIXTURES / "labels.jsonl").read_text("utf-8").splitlines()]
    site = _generic_site()
    engine = db.open_database(url)
    with Session(engine) as session, session.begin():
        site_id = db.ensure_site(session, site)
        for label in labels:
            body = (FIXTURES / f"{label['id']}.html").read_bytes()
            job = PageJob(body=body, url=label["url"], fetched_at=SEEN_AT, family=site.family)
            assert db.upsert_article(session, site_id=site_id, run_id=None, article=process_page(job).article,
                                     raw_html=body, encoding="utf-8", http_status=200,
                                     discovered_via="sitemap", seen_at=SEEN_AT) == "new"
    engine.dispose()
    return len(labels)


def _snapshot(url: str) -> dict[int, tuple]:
    a = db.ArticleRow
    engine = db.open_database(url)
    with Session(engine) as session:
        rows = session.execute(sa.select(a.id, a.content_hash, a.title, a.version_count, a.status,
                                         a.last_seen_at, a.last_changed_at, a.next_check_at)).all()
        versions = session.scalar(sa.select(sa.func.count()).select_from(db.ArticleVersionRow))
    engine.dispose()
    return {r[0]: (*r[1:], versions) for r in rows}


@pytest.fixture(params=[0, 2], ids=["in_process", "two_workers"])
def workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Worker processes for ``reprocess``, used even for the few fixture rows."""
    monkeypatch.setattr(reprocess_module, "IN_PROCESS_BELOW", 1)
    return request.param


def test_unchanged_reprocess_writes_nothing(db_url, workers):
    count = _store_fixture_pages(db_url)
    engine = db.open_database(db_url)
    with Session(engine) as session, session.begin():  # a write would make it active again
        session.execute(sa.update(db.ArticleRow).where(db.ArticleRow.id == 1).values(status="removed"))
    engine.dispose()
    before = _snapshot(db_url)
    assert reprocess(db_url, workers=workers, batch=4) == {"unchanged": count}
    assert _snapshot(db_url) == before
    assert reprocess(db_url, workers=workers, site_key="no_such_site") == {}


def test_changed_extraction_becomes_a_new_version_once(db_url, workers):
    count = _store_fixture_pages(db_url)
    engine = db.open_database(db_url)
    # Pretend an older parser got three titles wrong, on rows of different batches.
    tampered = [2, 7, 11]
    with Session(engine) as session, session.begin():
        session.execute(sa.update(db.ArticleRow).where(db.ArticleRow.id.in_(tampered))
                        .values(title="(tiêu đề cũ)", content_hash="0" * 64))
        session.execute(sa.update(db.ArticleVersionRow)
                        .where(db.ArticleVersionRow.article_id.in_(tampered)).values(title="(tiêu đề cũ)"))
    engine.dispose()
    before = _snapshot(db_url)
    assert reprocess(db_url, workers=workers, batch=4) == {"updated": 3, "unchanged": count - 3}
    after = _snapshot(db_url)
    assert {i for i in after if after[i][:-1] != before[i][:-1]} == set(tampered)
    assert after[1][-1] == count + 3  # one new version per changed article
    engine = db.open_database(db_url)
    with Session(engine) as session:
        for article_id in tampered:
            row = session.get(db.ArticleRow, article_id)
            assert row is not None and row.title != "(tiêu đề cũ)" and row.version_count == 2
            versions = db.article_versions(session, article_id)
            assert [v.version for v in versions] == [1, 2]
            assert "-title: (tiêu đề cũ)" in versions[1].diff
            assert f"+title: {row.title}" in versions[1].diff
    engine.dispose()
    assert reprocess(db_url, workers=workers, batch=4) == {"unchanged": count}
    assert _snapshot(db_url) == after


def test_stored_extraction_matches_the_crawl():
    site = _generic_site()
    for page in sorted(FIXTURES.glob("*.html"))[:5]:
        job = PageJob(body=page.read_bytes(), url=f"https://example.vn/{page.stem}", fetched_at=SEEN_AT,
                      family=site.family)
        assert extract_stored(job) == process_page(job).article


def test_entities_are_stored_for_changed_articles_only(sqlite_url, workers):  # noqa: F811
    count = _store_fixture_pages(sqlite_url)
    engine = db.open_database(sqlite_url)
    with Session(engine) as session, session.begin():
        session.execute(sa.update(db.ArticleRow).where(db.ArticleRow.id.in_([3, 9]))
                        .values(content_hash="0" * 64))
    assert reprocess(sqlite_url, workers=workers, batch=4, entities=True) == {
        "updated": 2, "unchanged": count - 2}
    with Session(engine) as session:
        mentioned = session.scalars(sa.select(db.EntityMentionRow.article_id).distinct()).all()
    engine.dispose()
    assert mentioned and set(mentioned) <= {3, 9}
