"""Near-duplicate groups in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.extract import extract_article
from crawler.registry import load_registry
from tests.conftest import FIXTURES

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def page(article_id: str):
    data = (FIXTURES / "nukeviet" / "articles" / f"{article_id}.html").read_bytes()
    return extract_article(data, f"http://portal.example/x-{article_id}.html", family="nukeviet")


def store(session: Session, site_id: int, article) -> int:
    assert db.upsert_article(session, site_id=site_id, run_id=None, article=article, raw_html=b"",
                             encoding=None, http_status=200, discovered_via=None, seen_at=T0) == "new"
    query = sa.select(db.ArticleRow.id).where(db.ArticleRow.canonical_url == article.canonical_url)
    return session.scalar(query)


def test_syndicated_copies_are_grouped_and_others_are_not(db_url):
    engine = db.open_database(db_url)
    sites = load_registry()
    with Session(engine) as session, session.begin():
        portal = db.ensure_site(session, sites["portal_example"])
        news = db.ensure_site(session, sites["news_example"])
        original = page("13")
        first = store(session, portal, original)
        assert db.link_near_duplicates(session, first, original.text) is None
        other = page("14")
        second = store(session, portal, other)
        assert db.link_near_duplicates(session, second, other.text) is None
        copy_text = "Theo Báo Bình Định\n\n" + "\n\n".join(original.text.split("\n\n")[:-1])
        copy = replace(original, canonical_url="http://news.example/bai/copy.html", text=copy_text)
        third = store(session, news, copy)
        assert db.link_near_duplicates(session, third, copy.text) == first
        fourth = store(session, news, replace(copy, canonical_url="http://news.example/bai/copy2.html"))
        assert db.link_near_duplicates(session, fourth, copy.text) == first  # joins the group's root
        assert {r.id for r in db.near_duplicates(session, first)} == {third, fourth}
        assert {r.id for r in db.near_duplicates(session, third)} == {first, fourth}
        assert db.near_duplicates(session, second) == []
    engine.dispose()
