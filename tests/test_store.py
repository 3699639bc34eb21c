"""Storage functions on SQLite and PostgreSQL (schema built by the migrations)."""

from __future__ import annotations

import threading
import unicodedata
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import zstandard
from sqlalchemy.orm import Session

from crawler import db
from crawler.db.models import ArticleRow, CrawlErrorRow, CrawlRunRow, SiteRow
from crawler.db.types import UTCDateTime
from crawler.extract.model import Article
from crawler.registry import Site

ICT = timezone(timedelta(hours=7))
T0 = datetime(2025, 10, 22, 7, 30, tzinfo=UTC)
SITE = Site(
    key="quynhnhai_sonla_gov_vn",
    name="Cổng thông tin điện tử huyện Quỳnh Nhai",
    base_url="https://quynhnhai.sonla.gov.vn/",
    province="Sơn La",
    level="district",
    family="nukeviet",
    feeds=("/rss/",),
)
URL = "https://quynhnhai.sonla.gov.vn/tin-tuc/hoi-nghi-123.html"
HTML = "<html><head><meta charset=utf-8></head><body><h1>Hội nghị</h1></body></html>".encode()


def make_article(**changes: object) -> Article:
    article = Article(
        url=URL + "?utm_source=rss",
        canonical_url=URL,
        title="Hội nghị tổng kết năm 2025",
        published_at=datetime(2025, 10, 22, 14, 30, tzinfo=ICT),
        published_raw="Thứ Tư, 22/10/2025, 14:30",
        author="Lò Văn A",
        lead="Sáng nay, huyện Quỳnh Nhai tổ chức hội nghị.",
        text="Đoạn một.\n\nĐoạn hai.",
        category="Tin tức > Chính trị",
        provenance={"title": "family:nukeviet", "published_at": "metadata"},
    )
    return replace(article, **changes)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = db.open_database(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def site_id(session: Session) -> int:
    return db.ensure_site(session, SITE)


def upsert(session: Session, site_id: int, article: Article, seen_at: datetime, **kw: object) -> str:
    args: dict = {
        "site_id": site_id,
        "run_id": None,
        "article": article,
        "raw_html": HTML,
        "encoding": "utf-8",
        "http_status": 200,
        "discovered_via": "feed",
        "seen_at": seen_at,
    }
    args.update(kw)
    result = db.upsert_article(session, **args)
    session.commit()
    return result


def article_rows(session: Session) -> list[ArticleRow]:
    session.expire_all()
    return list(session.scalars(sa.select(ArticleRow).order_by(ArticleRow.id)))


def test_timestamp_type_refuses_naive_datetime():
    naive = datetime(2025, 10, 22, 14, 30)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(naive, sa.create_engine("sqlite://").dialect)


def test_store_functions_refuse_naive_datetimes(session, site_id):
    naive = datetime(2025, 10, 22, 14, 30)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="timezone-aware"):
        db.start_run(session, site_id, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        upsert(session, site_id, make_article(), naive)


def test_naive_datetime_on_a_model_fails_the_flush(session, site_id):
    naive = datetime(2025, 10, 22, 14, 30)  # noqa: DTZ001 - the point of the test
    session.add(CrawlRunRow(site_id=site_id, started_at=naive, errors={}))
    with pytest.raises(sa.exc.StatementError, match="naive datetime refused") as info:
        session.flush()
    assert isinstance(info.value.orig, ValueError)


def test_times_come_back_aware_utc_at_the_same_instant(session, site_id):
    upsert(session, site_id, make_article(), T0.astimezone(ICT))
    row = article_rows(session)[0]
    assert row.published_at == datetime(2025, 10, 22, 7, 30, tzinfo=UTC)
    assert row.published_at.utcoffset() == timedelta(0)
    assert row.first_seen_at == T0 and row.first_seen_at.tzinfo is not None


def test_ensure_site_inserts_then_updates_by_key(session):
    first = db.ensure_site(session, SITE)
    again = db.ensure_site(session, replace(SITE, name="Quỳnh Nhai", status="redirected"))
    session.commit()
    assert first == again
    row = session.scalars(sa.select(SiteRow)).one()
    assert (row.key, row.name, row.status) == (SITE.key, "Quỳnh Nhai", "redirected")
    assert row.created_at.tzinfo is not None


def test_first_upsert_stores_a_new_article_with_every_field(session, site_id):
    run_id = db.start_run(session, site_id, T0)
    assert upsert(session, site_id, make_article(), T0, run_id=run_id) == "new"
    row = article_rows(session)[0]
    assert row.canonical_url == URL and row.url == URL + "?utm_source=rss"
    assert row.title == "Hội nghị tổng kết năm 2025"
    assert row.published_raw == "Thứ Tư, 22/10/2025, 14:30"
    assert row.content_hash == db.content_hash(row.title, row.text, row.published_at, row.author)
    assert row.provenance == {"title": "family:nukeviet", "published_at": "metadata"}
    assert (row.raw_encoding, row.http_status, row.discovered_via) == ("utf-8", 200, "feed")
    assert row.first_seen_at == row.last_seen_at == row.last_changed_at == T0
    assert row.crawl_run_id == run_id


def test_unchanged_content_only_bumps_last_seen_at(session, site_id):
    upsert(session, site_id, make_article(), T0)
    later = T0 + timedelta(hours=6)
    # The category and the provenance are not part of an edit (title, text, date, author are).
    result = upsert(session, site_id, make_article(category="Khác", provenance={}), later,
                    http_status=203)
    assert result == "unchanged"
    (row,) = article_rows(session)
    assert row.last_seen_at == later
    assert row.first_seen_at == row.last_changed_at == T0
    assert (row.category, row.http_status) == ("Tin tức > Chính trị", 200)


def test_changed_text_updates_fields_and_last_changed_at(session, site_id):
    run1 = db.start_run(session, site_id, T0)
    upsert(session, site_id, make_article(), T0, run_id=run1)
    later = T0 + timedelta(days=1)
    run2 = db.start_run(session, site_id, later)
    edited = make_article(text="Đoạn một, đã sửa.", author="Lò Thị B")
    assert upsert(session, site_id, edited, later, run_id=run2, discovered_via="sitemap") == "updated"
    (row,) = article_rows(session)
    assert (row.text, row.author) == ("Đoạn một, đã sửa.", "Lò Thị B")
    assert row.content_hash == db.content_hash(edited.title, edited.text, edited.published_at, edited.author)
    assert row.last_changed_at == row.last_seen_at == later
    assert row.first_seen_at == T0
    assert row.crawl_run_id == run2
    assert row.discovered_via == "feed"  # how it was first found


def test_repeated_upserts_never_duplicate(session, site_id):
    results = [upsert(session, site_id, make_article(), T0 + timedelta(minutes=i)) for i in range(5)]
    assert results == ["new"] + ["unchanged"] * 4
    assert db.count_articles(session) == 1


def test_same_text_in_another_unicode_form_is_unchanged(session, site_id):
    upsert(session, site_id, make_article(), T0)
    decomposed = make_article(title=unicodedata.normalize("NFD", "Hội nghị tổng kết năm 2025"))
    assert upsert(session, site_id, decomposed, T0 + timedelta(hours=1)) == "unchanged"


def test_last_seen_at_never_moves_backwards(session, site_id):
    upsert(session, site_id, make_article(), T0)
    assert upsert(session, site_id, make_article(), T0 - timedelta(days=3)) == "unchanged"
    assert article_rows(session)[0].last_seen_at == T0


def test_article_without_canonical_url_is_keyed_on_its_url(session, site_id):
    article = make_article(canonical_url=None, url=URL)
    assert upsert(session, site_id, article, T0) == "new"
    assert upsert(session, site_id, article, T0 + timedelta(hours=1)) == "unchanged"
    assert article_rows(session)[0].canonical_url == URL


def test_unknown_discovery_source_is_refused(session, site_id):
    with pytest.raises(ValueError, match="discovered_via"):
        upsert(session, site_id, make_article(), T0, discovered_via="guess")


def test_raw_html_is_stored_compressed_and_round_trips(session, site_id):
    page = HTML * 200
    upsert(session, site_id, make_article(), T0, raw_html=page)
    row = article_rows(session)[0]
    assert row.raw_html != page and len(row.raw_html) < len(page) // 10
    assert zstandard.ZstdDecompressor().decompress(row.raw_html) == page  # a plain zstd frame
    assert db.decompress_html(row) == page
    assert db.decoded_html(row) == page.decode("utf-8")


def test_decompress_html_reads_what_earlier_versions_stored_and_missing_html():
    import gzip

    assert db.decompress_html(zlib.compress(HTML, 1)) == HTML  # rows written before zstd
    assert db.decompress_html(zlib.compress(HTML, 9)) == HTML
    assert db.decompress_html(gzip.compress(HTML)) == HTML
    assert db.decompress_html(None) is None


def test_compression_is_safe_from_several_threads():
    from crawler.db.store import compress_html

    pages = [HTML * n for n in range(1, 40)]
    with ThreadPoolExecutor(4) as pool:
        packed = list(pool.map(compress_html, pages))
        assert list(pool.map(db.decompress_html, packed)) == pages


def test_run_start_finish_with_error_records(session, site_id):
    run_id = db.start_run(session, site_id, T0)
    session.commit()
    assert session.get(CrawlRunRow, run_id).status == "running"
    db.record_error(
        session,
        run_id,
        url=URL,
        kind="http_status",
        http_status=500,
        message="HTTP 500",
        at=T0 + timedelta(seconds=5),
    )
    db.record_error(
        session,
        run_id,
        url=None,
        kind="timeout",
        http_status=None,
        message="timed out",
        at=T0 + timedelta(seconds=9),
    )
    counts = {"discovered": 10, "fetched": 8, "stored_new": 7, "updated": 1, "failed": 2}
    db.finish_run(
        session,
        run_id,
        ended_at=T0 + timedelta(minutes=2),
        status="partial",
        counts=counts,
        errors={"http_500": 1, "timeout": 1},
        error_summary="http_500: 1, timeout: 1",
    )
    session.commit()
    session.expire_all()
    run = session.get(CrawlRunRow, run_id)
    assert (run.status, run.ended_at) == ("partial", T0 + timedelta(minutes=2))
    assert [getattr(run, name) for name in db.RUN_COUNTS] == [10, 8, 7, 1, 0, 0, 2]
    assert run.errors == {"http_500": 1, "timeout": 1}
    assert run.error_summary == "http_500: 1, timeout: 1"
    errors = session.scalars(sa.select(CrawlErrorRow).order_by(CrawlErrorRow.id)).all()
    assert [(e.kind, e.http_status, e.url) for e in errors] == [
        ("http_status", 500, URL),
        ("timeout", None, None),
    ]
    assert errors[0].at == T0 + timedelta(seconds=5)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        pytest.param({"status": "done"}, "run status", id="unknown-status"),
        pytest.param({"counts": {"fetchd": 1}}, "unknown run count", id="misspelt-count"),
    ],
)
def test_finish_run_refuses_bad_values(session, site_id, changes, match):
    run_id = db.start_run(session, site_id, T0)
    args: dict = {"ended_at": T0, "status": "ok", "counts": {}, "errors": {}, "error_summary": None}
    args.update(changes)
    with pytest.raises(ValueError, match=match):
        db.finish_run(session, run_id, **args)


def test_relationships_refuse_lazy_loading(session, site_id):
    upsert(session, site_id, make_article(), T0)
    row = article_rows(session)[0]
    with pytest.raises(sa.exc.InvalidRequestError, match="lazy='raise'"):
        _ = row.site


def test_query_helpers_for_the_cli(session, site_id):
    other = db.ensure_site(session, replace(SITE, key="baosonla_vn", base_url="https://baosonla.vn/"))
    for i in range(3):
        article = make_article(
            canonical_url=f"{URL}?id={i}", published_at=datetime(2025, 10, 20 + i, tzinfo=ICT)
        )
        upsert(session, site_id, article, T0)
    upsert(session, other, make_article(canonical_url="https://baosonla.vn/a.html"), T0)
    run_id = db.start_run(session, site_id, T0)
    session.commit()

    sites = {s.key: s for s in db.list_sites(session)}
    assert sites[SITE.key].article_count == 3 and sites["baosonla_vn"].article_count == 1
    assert sites[SITE.key].last_run_at == T0 and sites["baosonla_vn"].last_run_at is None

    assert db.count_articles(session) == 4
    assert db.count_articles(session, SITE.key) == 3
    assert db.count_articles(session, "nosuch_site") == 0

    newest = db.list_articles(session, SITE.key, limit=2)
    assert [a.canonical_url for a in newest] == [f"{URL}?id=2", f"{URL}?id=1"]
    assert newest[0].site_key == SITE.key
    with pytest.raises(sa.exc.InvalidRequestError):
        _ = newest[0].raw_html  # listing leaves the HTML in the database

    found = db.get_article(session, newest[0].id)
    assert found is not None and found.site_key == SITE.key
    assert db.decompress_html(found) == HTML
    assert db.get_article(session, str(newest[0].id)).id == newest[0].id
    assert db.get_article(session, f"{URL}?id=0").canonical_url == f"{URL}?id=0"
    assert db.get_article(session, URL + "?utm_source=rss") is not None  # the fetched URL
    assert db.get_article(session, "https://nowhere.example/") is None

    runs = db.list_runs(session, SITE.key)
    assert [r.id for r in runs] == [run_id] and runs[0].site_key == SITE.key
    assert db.list_runs(session, "baosonla_vn") == []


def test_concurrent_upserts_of_one_article_store_one_row(engine, site_id, session):
    session.commit()
    barrier = threading.Barrier(4)

    def worker(n: int) -> list[str]:
        results = []
        with Session(engine) as own:
            barrier.wait()
            for i in range(5):
                seen = T0 + timedelta(minutes=i, seconds=n)
                results.append(upsert(own, site_id, make_article(), seen))
        return results

    with ThreadPoolExecutor(4) as pool:
        outcomes = [r for results in pool.map(worker, range(4)) for r in results]
    assert sorted(outcomes) == ["new"] + ["unchanged"] * 19
    assert db.count_articles(session) == 1


def test_fetch_states_are_saved_together_and_replaced(session, site_id):
    db.save_fetch_states(session, site_id, {
        "https://a.example/rss": ('"v1"', None, 200),
        "https://a.example/sitemap.xml": (None, "Mon, 03 Nov 2025 01:00:00 GMT", 200),
    }, at=T0)
    newer = {"https://a.example/rss": ('"v2"', "Tue, 04 Nov 2025 01:00:00 GMT", 200)}
    db.save_fetch_states(session, site_id, newer, at=T0 + timedelta(days=1))
    db.save_fetch_states(session, site_id, {}, at=T0)  # nothing to save: no statement
    assert db.load_fetch_states(session, site_id) == {
        "https://a.example/rss": ('"v2"', "Tue, 04 Nov 2025 01:00:00 GMT"),
        "https://a.example/sitemap.xml": (None, "Mon, 03 Nov 2025 01:00:00 GMT"),
    }
