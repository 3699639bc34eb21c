"""The entity pipeline end to end: `provnews crawl` of the replica portal in a child process,
then the stored people, places and organisations queried from the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.db.entity_models import AdminUnitRow, EntityMentionRow, OrganizationRow, PersonRow
from tests.conftest import FIXTURES, run_cli
from tests.test_crawl_e2e import crawl, sqlite_url, summary_row  # noqa: F401 (sqlite_url: fixture)

SEED = "doan-khao-sat-ban-chi-dao-35-tinh-uy-lam-viec-tai-huyen-quynh-nhai-103.html"


def mention_count(url: str) -> int:
    engine = db.open_database(url)
    with Session(engine) as session:
        n = session.scalar(sa.select(sa.func.count()).select_from(EntityMentionRow))
    engine.dispose()
    return n or 0


def test_crawl_stores_entities_of_every_new_article_and_queries_work(replica, sqlite_url):  # noqa: F811
    result = crawl(replica, sqlite_url, "portal_example")
    assert result.returncode == 0, result.stderr
    assert "provnews/entities/errors" not in result.stderr
    engine = db.open_database(sqlite_url)
    with Session(engine) as session:
        seed = session.scalars(
            sa.select(db.ArticleRow).where(db.ArticleRow.canonical_url.endswith(SEED))
        ).one()
        per_article = session.scalars(sa.select(EntityMentionRow.article_id).distinct()).all()
        assert len(per_article) >= 80  # nearly every one of the 93 portal articles names someone or somewhere
        people = session.scalars(
            sa.select(PersonRow.name).join(EntityMentionRow).where(EntityMentionRow.article_id == seed.id)
        ).all()
        assert set(people) == {"Mai Thu Hương", "Nguyễn Hoài Thu", "Bùi Thái Sơn"}
        assert all(p.province == "Sơn La" for p in session.scalars(sa.select(PersonRow)))
        units = session.scalars(
            sa.select(AdminUnitRow.name)
            .join(EntityMentionRow, EntityMentionRow.unit_2024_id == AdminUnitRow.id)
            .where(EntityMentionRow.article_id == seed.id)
        ).all()
        assert {"Quỳnh Nhai", "Mường Giàng", "Chiềng Bằng"} <= set(units)
        seed_url = seed.canonical_url
        orgs = session.scalars(
            sa.select(OrganizationRow.name)
            .join(EntityMentionRow)
            .where(EntityMentionRow.article_id == seed.id)
        ).all()
        assert {"Ban Chỉ đạo 35 Tỉnh ủy Sơn La", "Hội đồng nhân dân huyện Quỳnh Nhai"} <= set(orgs)

        assert seed.id in {a.id for a in db.articles_mentioning_place(session, "xã Quỳnh Nhai")}
        assert seed.id in {a.id for a in db.articles_mentioning_place(session, "xã Mường Giàng")}
        roles = db.roles_of_person(session, "Mai Thu Hương")
        assert ("Trưởng Ban Tuyên giáo tỉnh ủy", seed.published_at, seed.id) in roles
        assert seed.id in {a.id for a in db.articles_mentioning_person(session, "Bùi Thái Sơn")}
        assert seed.id in {a.id for a in db.articles_mentioning_org(session, "Ban Tuyên giáo Tỉnh ủy")}
    engine.dispose()

    listed = run_cli("articles", "list", "--db", sqlite_url, "--json", "--limit", "200",
                     "--person", "Mai Thu Hương", "--place", "xã Quỳnh Nhai")  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    found = [json.loads(line)["url"] for line in listed.stdout.splitlines()]
    assert seed_url in found and len(found) < 93
    nobody = run_cli("articles", "list", "--db", sqlite_url, "--person", "Không Có Ai")
    assert nobody.returncode == 0 and "Không" not in nobody.stdout

    before = mention_count(sqlite_url)
    again = crawl(replica, sqlite_url, "portal_example", extra=("-s", "PROVNEWS_INCREMENTAL=false"))
    assert summary_row(again.stdout, "portal_example")[4:7] == ["0", "0", "93"]  # new, updated, unchanged
    assert mention_count(sqlite_url) == before


def test_entities_setting_off_stores_articles_without_entities(replica, sqlite_url):  # noqa: F811
    result = crawl(replica, sqlite_url, "portal_example", extra=("-s", "PROVNEWS_ENTITIES=false"))
    assert result.returncode == 0, result.stderr
    assert summary_row(result.stdout, "portal_example")[1:5] == ["ok", "93", "93", "93"]
    assert mention_count(sqlite_url) == 0


def test_an_entity_error_keeps_the_article_and_is_reported(monkeypatch):
    """An NLP failure on one page must not lose the article: the worker returns the
    article with the error, and the pipeline counts it in provnews/entities/errors."""
    import crawler.entities
    from crawler.enrich import PageJob, process_page

    def broken(*_args, **_kwargs):
        raise RuntimeError("gazetteer exploded")

    monkeypatch.setattr(crawler.entities, "extract_entities", broken)
    page = (FIXTURES / "nukeviet" / "articles" / "103.html").read_bytes()
    result = process_page(PageJob(body=page, url="http://portal.example/a-103.html",
                                  fetched_at=datetime(2026, 11, 20, tzinfo=UTC), family="nukeviet",
                                  province="Sơn La", entities=True))
    assert result.article.title and result.article.text
    assert result.entities is None
    assert result.entity_error == "RuntimeError: gazetteer exploded"


def test_entities_off_computes_none():
    from crawler.enrich import PageJob, process_page

    page = (FIXTURES / "nukeviet" / "articles" / "103.html").read_bytes()
    result = process_page(PageJob(body=page, url="http://portal.example/a-103.html",
                                  fetched_at=datetime(2026, 11, 20, tzinfo=UTC), entities=False))
    assert result.entities is None and result.entity_error is None
    assert result.sketch  # the near-duplicate sketch is always computed
