"""CMS families: detection, versions, golden fixtures, extraction of every generated page, crawls."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.request import ProxyHandler, build_opener

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db, families
from crawler.db.models import ArticleRow
from crawler.extract import FAMILIES as EXTRACT_FAMILIES
from crawler.extract import extract_article
from crawler.extract.text import decode_html
from crawler.families import Discovery, Family, PageInfo, Version
from crawler.registry import FAMILIES as REGISTRY_FAMILIES
from crawler.registry import load_registry
from crawler.replica import GENERATED_HOSTS, REPLICA_HOSTS, ReplicaServer
from tests.conftest import FIXTURES, run_cli

EXPECTED_FAMILY = {
    "portal.example": "nukeviet",
    "news.example": "generic",
    "wp.example": "wordpress",
    "wpclassic.example": "wordpress",
    "liferay.example": "liferay",
}
SITE_KEY = {"wp.example": "wp_example", "wpclassic.example": "wpclassic_example",
            "liferay.example": "liferay_example"}  # fmt: skip
GOLDEN = sorted(p.parent for p in (FIXTURES / "families").rglob("expected.json"))
VN_OFFSET = timedelta(hours=7)


@pytest.fixture(scope="module")
def srv():
    with ReplicaServer() as server:
        yield server


def get(srv: ReplicaServer, url: str) -> tuple[str, dict[str, str], bytes]:
    with build_opener(ProxyHandler({"http": srv.proxy_url})).open(url, timeout=10) as resp:
        return resp.url, dict(resp.headers), resp.read()


# -- the family table ------------------------------------------------------------------


def test_every_registry_family_is_code_with_a_parser():
    assert set(families.FAMILIES) == REGISTRY_FAMILIES
    for family in families.FAMILIES.values():
        assert family.versions and family.version_for().valid_until is None
        assert family.parser in EXTRACT_FAMILIES
        for version in family.versions:
            assert (FIXTURES / version.fixtures).is_dir(), version


def test_unknown_family_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="known: \\['generic', 'liferay', 'nukeviet', 'wordpress'\\]"):
        families.get("joomla")


def test_version_is_chosen_by_crawl_date():
    old = Version("V1", parser="generic", fixtures="x", valid_until=date(2024, 7, 1))
    new = Version("V2", parser="generic", fixtures="y")
    family = Family("demo", "demo", (old, new), Discovery())
    assert family.version_for(date(2024, 6, 30)).name == "V1"
    assert family.version_for(datetime(2024, 7, 1, 0, 0)).name == "V2"  # noqa: DTZ001 - a date
    assert family.version_for(None).name == "V2"


def test_nukeviet_article_id_comes_from_the_url():
    url = "http://portal.example/chinh-tri/hoi-nghi-102.html"
    assert families.get("nukeviet").article_id(url) == "102"
    assert families.get("wordpress").article_id(url) is None


# -- detection -------------------------------------------------------------------------


@pytest.mark.parametrize("host", REPLICA_HOSTS)
def test_home_page_detects_the_family(srv, host):
    url, headers, body = get(srv, f"http://{host}/")
    found = families.detect(PageInfo(url, decode_html(body)[0], headers))
    assert found.family == EXPECTED_FAMILY[host], found
    if found.family != "generic":
        assert found.score >= 0.9 and found.reasons


def test_real_news_pages_are_generic_and_nukeviet_pages_nukeviet():
    for path in sorted((FIXTURES / "articles").glob("*.html")):
        page = PageInfo("http://news.example/", decode_html(path.read_bytes())[0])
        assert families.detect(page).family == "generic", path.name
    for path in sorted((FIXTURES / "nukeviet" / "articles").glob("*.html"))[:20]:
        page = PageInfo("http://portal.example/", decode_html(path.read_bytes())[0])
        assert families.detect(page).family == "nukeviet", path.name


def test_liferay_is_detected_without_the_header_from_markup_alone(srv):
    url, _, body = get(srv, "http://liferay.example/web/guest/tin-tuc")
    assert families.detect(PageInfo(url, body.decode())).family == "liferay"


# -- golden fixtures per version ---------------------------------------------------------


@pytest.mark.parametrize("folder", GOLDEN, ids=lambda p: "/".join(p.parts[-3:]))
def test_golden_fixture(folder: Path):
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    art = extract_article((folder / "page.html").read_bytes(), meta["url"],
                          fetched_at=datetime.fromisoformat(meta["fetched_at"]))  # fmt: skip
    assert art.family == folder.parts[-3]
    got = {
        "title": art.title, "author": art.author, "category": art.category, "lead": art.lead,
        "text": art.text, "published": art.published_at.isoformat() if art.published_at else None,
        "updated": art.updated_at.isoformat() if art.updated_at else None,
    }  # fmt: skip
    assert got == expected
    assert art.provenance["title"] == f"family:{art.family}"


# -- every generated page ------------------------------------------------------------------


@pytest.mark.parametrize("host", GENERATED_HOSTS)
def test_family_extraction_is_exact_on_every_generated_page(srv, host):
    gs = srv.site(host)
    gs.edit_articles(3)
    for article in gs.articles():
        url, _, body = get(srv, gs.url_of(article))
        art = extract_article(body, url)
        assert art.family == EXPECTED_FAMILY[host], url
        assert (art.title, art.author, art.category) == (article.title, article.author, article.category)
        assert art.published_at is not None and art.published_at.utcoffset() == VN_OFFSET
        assert art.published_at.isoformat(timespec="minutes") == article.published.isoformat(
            timespec="minutes"
        )
        assert art.lead == article.lead and art.text == "\n\n".join(article.paragraphs)
        if article.modified != article.published:
            assert art.updated_at == article.modified
        for name in ("title", "published_at", "author", "category"):
            assert art.provenance[name] == f"family:{art.family}", (url, name)


@pytest.mark.parametrize("host", GENERATED_HOSTS)
def test_family_next_page_walks_every_listing_page(srv, host):
    site = load_registry()[SITE_KEY[host]]
    family = families.get(site.family)
    url: str | None = site.absolute(site.listings[0])
    pages = 0
    while url:
        _, _, body = get(srv, url)
        url = family.next_page(body.decode(), url)
        pages += 1
    assert pages == 3


# -- a first crawl of each generated site -----------------------------------------------------


@pytest.mark.parametrize("host", GENERATED_HOSTS)
def test_first_crawl_stores_every_generated_article(replica, tmp_path, host):
    db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    host_map = "PROVNEWS_HOST_MAP=" + json.dumps({host: replica.proxy_url})
    result = run_cli("crawl", SITE_KEY[host], "--db", db_url, "-s", host_map)
    assert result.returncode == 0, result.stderr
    engine = db.open_database(db_url)
    with Session(engine) as session:
        rows = session.execute(sa.select(ArticleRow.canonical_url, ArticleRow.title, ArticleRow.author)).all()
    engine.dispose()
    articles = {replica.site(host).url_of(a): a for a in replica.site(host).articles()}
    assert {r[0] for r in rows} == set(articles)
    assert all((r[1], r[2]) == (articles[r[0]].title, articles[r[0]].author) for r in rows)
