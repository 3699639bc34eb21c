"""`provnews reprocess` re-extracts stored raw HTML; a changed extraction is a new version."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.reprocess import reprocess
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
