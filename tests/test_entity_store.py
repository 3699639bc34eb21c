"""Storing and querying entities on SQLite and PostgreSQL (schema built by the migrations)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.db.entity_models import AdminUnitRow, EntityMentionRow, OrganizationRow, PersonRoleRow, PersonRow
from crawler.entities import Entities, extract_entities
from crawler.extract import extract_article
from crawler.extract.model import Article
from crawler.registry import Site
from tests.conftest import FIXTURES

FETCHED = datetime(2026, 11, 14, 1, 0, tzinfo=UTC)
SITE = Site(key="portal_example", name="Quỳnh Nhai", base_url="http://portal.example/",
            province="Sơn La", level="district", family="nukeviet")  # fmt: skip
HUONG_ROLES = {"Ủy viên Ban thường vụ Tỉnh ủy", "Trưởng Ban Tuyên giáo tỉnh ủy", "Phó trưởng ban chỉ đạo 35"}


def entities_of(article: Article, province: str = "Sơn La") -> Entities:
    text = "\n".join(part for part in (article.title, article.lead, article.text) if part)
    return extract_entities(text, source_province=province, author=article.author)


@pytest.fixture(scope="module")
def article_103() -> Article:
    html = (FIXTURES / "nukeviet" / "articles" / "103.html").read_bytes()
    return extract_article(html, "http://portal.example/103.html", fetched_at=FETCHED, family="nukeviet")


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def store_article(session: Session, article: Article, site: Site = SITE) -> int:
    site_id = db.ensure_site(session, site)
    db.upsert_article(session, site_id=site_id, run_id=None, article=article, raw_html=b"", encoding=None,
                      http_status=200, discovered_via="listing", seen_at=FETCHED)  # fmt: skip
    key = article.canonical_url or article.url
    return session.scalars(sa.select(db.ArticleRow.id).where(db.ArticleRow.canonical_url == key)).one()


def other_article(text: str, n: int, published: datetime | None = None) -> Article:
    return Article(url=f"http://portal.example/other-{n}.html", title=f"Tin {n}", text=text,
                   published_at=published or datetime(2025, 8, n, 3, 0, tzinfo=UTC))  # fmt: skip


@pytest.fixture
def stored_103(session: Session, article_103: Article) -> int:
    article_id = store_article(session, article_103)
    db.store_entities(session, article_id, entities_of(article_103))
    session.commit()
    return article_id


def counts(session: Session) -> dict[str, int]:
    models = (EntityMentionRow, PersonRow, PersonRoleRow, OrganizationRow, AdminUnitRow)
    return {m.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models}


def ids(rows: list[db.ArticleRow]) -> list[int]:
    return [row.id for row in rows]


def test_seed_article_people_places_and_orgs_are_stored(session, stored_103):
    people = set(session.scalars(sa.select(PersonRow.name)))
    assert people == {"Mai Thu Hương", "Nguyễn Hoài Thu", "Bùi Thái Sơn"}
    units = {(u.system, u.code, u.name) for u in session.scalars(sa.select(AdminUnitRow))}
    assert {("2024", "118", "Quỳnh Nhai"), ("2024", "03703", "Mường Giàng"),
            ("2024", "03706", "Chiềng Bằng"), ("2025", "03703", "Quỳnh Nhai")} <= units  # fmt: skip
    old = session.scalars(sa.select(AdminUnitRow).where(AdminUnitRow.name == "Chiềng Bằng")).one()
    assert old.successor_codes == ["03703"] and old.province == "Sơn La" and old.tier == "commune"
    orgs = {(o.name, o.province, o.district) for o in session.scalars(sa.select(OrganizationRow))}
    assert ("Ban Chỉ đạo 35 Tỉnh ủy Sơn La", "Sơn La", "") in orgs
    assert ("Hội đồng nhân dân huyện Quỳnh Nhai", "Sơn La", "Quỳnh Nhai") in orgs
    labels = set(session.scalars(sa.select(EntityMentionRow.label)))
    assert labels == {"PER", "LOC", "ORG"}


def test_mentions_keep_offsets_into_title_lead_and_text(session, stored_103, article_103):
    text = "\n".join(p for p in (article_103.title, article_103.lead, article_103.text) if p)
    for m in session.scalars(sa.select(EntityMentionRow)):
        assert text[m.start : m.end] == m.text
    hương = session.scalars(
        sa.select(EntityMentionRow).where(EntityMentionRow.text == "Mai Thu Hương")
    ).first()
    assert hương is not None and hương.person_id is not None and hương.extra["cue"] == "đồng chí"


def test_articles_mentioning_mường_giàng_or_its_successor_find_the_seed(session, stored_103):
    for query in (
        "xã Mường Giàng",
        "Mường Giàng",
        "muong giang",
        "2024:03703",
        "xã Quỳnh Nhai",
        "2025:03703",
    ):
        assert ids(db.articles_mentioning_place(session, query)) == [stored_103], query
    assert ids(db.articles_mentioning_place(session, "huyện Quỳnh Nhai")) == [stored_103]
    assert db.articles_mentioning_place(session, "xã Quỳnh Nhai", include_successors=False) == []
    assert db.articles_mentioning_place(session, "xã Mường Giàng ở đâu") == []


def test_successor_matches_direct_mentions_but_not_sibling_communes(session, stored_103):
    after = store_article(session, other_article("UBND tỉnh làm việc với xã Quỳnh Nhai, tỉnh Sơn La.", 1))
    db.store_entities(
        session,
        after,
        extract_entities("Đoàn công tác đến xã Quỳnh Nhai, tỉnh Sơn La.", source_province="Sơn La"),
    )
    sibling = store_article(session, other_article("Xã Chiềng Bằng", 2))
    db.store_entities(
        session,
        sibling,
        extract_entities("Nhân dân xã Chiềng Bằng, huyện Quỳnh Nhai.", source_province="Sơn La"),
    )
    session.commit()
    assert set(ids(db.articles_mentioning_place(session, "xã Mường Giàng"))) == {stored_103, after}
    assert ids(db.articles_mentioning_place(session, "xã Mường Giàng", include_successors=False)) == [
        stored_103
    ]
    assert set(ids(db.articles_mentioning_place(session, "xã Quỳnh Nhai"))) == {stored_103, after, sibling}
    assert set(ids(db.articles_mentioning_place(session, "Chiềng Bằng"))) == {sibling, stored_103, after}
    only = db.articles_mentioning_place(session, "Chiềng Bằng", include_successors=False)
    assert ids(only) == [stored_103, sibling]  # newest first: the seed is dated 2026


def test_roles_of_mai_thu_hương_are_listed_dated(session, stored_103, article_103):
    roles = db.roles_of_person(session, "Mai Thu Hương")
    assert {r.role for r in roles} >= HUONG_ROLES
    assert all(r.seen_at == article_103.published_at and r.article_id == stored_103 for r in roles)
    # "Trưởng Ban Tuyên giáo tỉnh ủy" and "Trưởng ban tuyên giáo tỉnh ủy" are one role.
    assert len({r.role.lower() for r in roles}) == len(roles)
    assert db.roles_of_person(session, "mai thu huong") == roles
    assert db.roles_of_person(session, "MAI THU HƯƠNG") == roles


def test_roles_over_time_and_one_person_across_articles(session, stored_103):
    later = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
    text = "Đồng chí Mai Thu Hương, Phó Bí thư Tỉnh ủy phát biểu tại hội nghị."
    second = store_article(session, other_article(text, 3, later))
    db.store_entities(session, second, extract_entities(text, source_province="Sơn La"))
    session.commit()
    roles = db.roles_of_person(session, "Mai Thu Hương")
    assert roles[-1] == ("Phó Bí thư Tỉnh ủy", later, second)
    assert roles[0].seen_at < later
    assert session.scalar(sa.select(sa.func.count()).where(PersonRow.key == "mai thu hương")) == 1
    assert ids(db.articles_mentioning_person(session, "Mai Thu Hương")) == [second, stored_103]


def test_same_name_in_another_province_is_another_person(session, stored_103):
    other = Site(key="baohanoi_vn", name="Hà Nội", base_url="http://hn.example/", province="Hà Nội",
                 level="newspaper", family="generic")  # fmt: skip
    text = "Bà Mai Thu Hương, Giám đốc Sở Y tế cho biết."
    article_id = store_article(session, other_article(text, 4), other)
    db.store_entities(session, article_id, extract_entities(text, source_province="Hà Nội"))
    session.commit()
    assert set(session.scalars(sa.select(PersonRow.province).where(PersonRow.key == "mai thu hương"))) == {
        "Sơn La", "Hà Nội"}  # fmt: skip
    assert [r.article_id for r in db.roles_of_person(session, "Mai Thu Hương", province="Hà Nội")] == [
        article_id
    ]
    assert set(ids(db.articles_mentioning_person(session, "Mai Thu Hương"))) == {stored_103, article_id}


def test_articles_mentioning_org_by_name_abbreviation_or_prefix(session, stored_103):
    for query in ("Huyện ủy Quỳnh Nhai", "HĐND huyện Quỳnh Nhai", "Ban Tuyên giáo Tỉnh ủy",
                  "ban chi dao 35 tinh uy son la"):  # fmt: skip
        assert ids(db.articles_mentioning_org(session, query)) == [stored_103], query
    assert db.articles_mentioning_org(session, "Sở Y tế") == []


def test_storing_again_is_idempotent(session, stored_103, article_103):
    before = counts(session)
    for _ in range(2):
        db.store_entities(session, stored_103, entities_of(article_103))
    session.commit()
    assert counts(session) == before
    person = session.scalars(sa.select(PersonRow).where(PersonRow.name == "Mai Thu Hương")).one()
    assert person.aliases == []


def test_edited_article_replaces_its_mentions(session, stored_103, article_103):
    edited = replace(
        article_103, text="Đồng chí Lò Văn Mạnh, Chủ tịch UBND xã Mường Giàng dự họp.", lead=None
    )
    db.store_entities(session, stored_103, entities_of(edited))
    session.commit()
    names = set(
        session.scalars(sa.select(EntityMentionRow.normalized).where(EntityMentionRow.label == "PER"))
    )
    assert names == {"Lò Văn Mạnh"}
    assert db.roles_of_person(session, "Mai Thu Hương") == []


def test_deleting_the_article_deletes_its_mentions_and_roles(session, stored_103):
    session.execute(sa.delete(db.ArticleRow).where(db.ArticleRow.id == stored_103))
    session.commit()
    assert counts(session)["entity_mention"] == counts(session)["person_role"] == 0


def test_empty_entities_and_unknown_article(session, stored_103):
    assert db.store_entities(session, stored_103, Entities()) == 0
    assert db.articles_mentioning_place(session, "Mường Giàng") == []
    with pytest.raises(LookupError):
        db.store_entities(session, 999_999, Entities())
    with pytest.raises(ValueError, match="aware"):
        db.store_entities(session, stored_103, Entities(), seen_at=datetime(2025, 1, 1))  # noqa: DTZ001


def test_list_articles_mentioning_combines_filters(session, stored_103):
    both = db.list_articles_mentioning(session, person="Bùi Thái Sơn", place="Chiềng Bằng", site_key=SITE.key)
    assert ids(both) == [stored_103]
    assert db.list_articles_mentioning(session, person="Bùi Thái Sơn", place="Hà Giang") == []
    assert db.list_articles_mentioning(session, person="Bùi Thái Sơn", site_key="elsewhere") == []


def _entity_tables(session: Session) -> dict[str, list[tuple]]:
    """Every entity row, ids replaced by the names they point to (comparable across stores)."""
    person = {p.id: (p.key, p.province, p.name, tuple(p.aliases))
              for p in session.scalars(sa.select(PersonRow))}
    org = {o.id: (o.key, o.province, o.district, o.name) for o in session.scalars(sa.select(OrganizationRow))}
    unit = {u.id: (u.system, u.code) for u in session.scalars(sa.select(AdminUnitRow))}
    url = {aid: key for aid, key in session.execute(sa.select(db.ArticleRow.id, db.ArticleRow.canonical_url))}
    mentions = sorted(
        (url[m.article_id], m.label, m.start, m.end, m.text, m.normalized, m.level, m.resolved,
         person.get(m.person_id), org.get(m.organization_id), unit.get(m.unit_2024_id),
         unit.get(m.unit_2025_id), sorted(m.extra.items()).__repr__())
        for m in session.scalars(sa.select(EntityMentionRow)))
    roles = sorted((person[r.person_id], url[r.article_id], r.role, r.seen_at.astimezone(UTC))
                   for r in session.scalars(sa.select(PersonRoleRow)))
    return {"mentions": mentions, "roles": roles, "people": sorted(person.values()),
            "orgs": sorted(org.values()), "units": sorted(unit.values())}


def test_a_batch_of_articles_stores_the_same_entities_as_one_article_after_another(db_url, tmp_path):
    """``store_entities_many`` (the crawl's batch) against ``store_entities`` per article, on
    real NukeViet pages that share people, offices and places; then a re-store of the batch
    (an edit) replaces their mentions without duplicating anything."""
    pages = ["103", *[str(n) for n in range(13, 25)]]
    articles = [extract_article((FIXTURES / "nukeviet" / "articles" / f"{n}.html").read_bytes(),
                                f"http://portal.example/{n}.html", fetched_at=FETCHED, family="nukeviet")
                for n in pages]
    stores = {}
    for name, url in (("batch", db_url), ("one by one", f"sqlite:///{tmp_path / 'single.db'}")):
        engine = db.open_database(url)
        with Session(engine) as session, session.begin():
            ids = [store_article(session, a) for a in articles]
            items = [(i, entities_of(a)) for i, a in zip(ids, articles, strict=True)]
            if name == "batch":
                assert db.store_entities_many(session, items, fresh=True) > 0
                db.store_entities_many(session, items)  # again: replaced, not added
            else:
                for article_id, entities in items:
                    db.store_entities(session, article_id, entities)
        with Session(engine) as session:
            stores[name] = _entity_tables(session)
        engine.dispose()
    assert stores["batch"]["people"] and stores["batch"]["roles"] and stores["batch"]["units"]
    assert stores["batch"] == stores["one by one"]
