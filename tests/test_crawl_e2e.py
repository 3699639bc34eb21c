"""The spider end to end: `provnews` in a child process against the local replica server.

Each crawl runs in its own process (Scrapy's reactor cannot restart), as in production;
the replica server runs in this process on a free port and records every request.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.db.models import ArticleRow, CrawlErrorRow, CrawlRunRow
from crawler.replica import REPLICA_HOSTS
from tests.conftest import run_cli


def host_map(replica, *hosts: str) -> str:
    hosts = hosts or REPLICA_HOSTS
    return "PROVNEWS_HOST_MAP=" + json.dumps({h: replica.proxy_url for h in hosts})


def crawl(replica, db_url: str, *sites: str, extra: tuple[str, ...] = ()):
    return run_cli("crawl", *sites, "--db", db_url, "-s", host_map(replica), *extra)


def stored(db_url: str) -> dict[str, tuple]:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        rows = session.execute(
            sa.select(ArticleRow.canonical_url, ArticleRow.content_hash, ArticleRow.last_changed_at)
        ).all()
    engine.dispose()
    return {r[0]: (r[1], r[2]) for r in rows}


def runs(db_url: str) -> list[CrawlRunRow]:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        out = list(session.scalars(sa.select(CrawlRunRow).order_by(CrawlRunRow.id)))
        session.expunge_all()
    engine.dispose()
    return out


def summary_row(stdout: str, site: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if line.startswith(site + " "))
    return line.split()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def test_crawl_stores_every_portal_article_once_and_rerun_adds_nothing(replica, sqlite_url):
    result = crawl(replica, sqlite_url, "portal_example")
    assert result.returncode == 0, result.stderr
    expected = set(replica.article_urls("portal.example"))
    assert len(expected) == 93
    assert set(stored(sqlite_url)) == expected
    # status, discovered, fetched, new: every article fetched once
    assert summary_row(result.stdout, "portal_example")[1:5] == ["ok", "93", "93", "93"]
    article_hits = Counter(
        path for host, path, status in replica.requests
        if host == "portal.example" and status == 200 and re.search(r"-\d+\.html$", path)
    )
    assert len(article_hits) == 93 and max(article_hits.values()) == 1

    replica.clear_requests()
    again = crawl(replica, sqlite_url, "portal_example")
    assert again.returncode == 0, again.stderr
    row = summary_row(again.stdout, "portal_example")
    assert row[3:8] == ["0", "0", "0", "0", "0"]  # fetched, new, updated, unchanged, removed
    assert len(stored(sqlite_url)) == 93
    # Incremental: no article page is fetched again (none is due for a revisit yet).
    assert not [p for h, p, s in replica.requests if re.search(r"-\d+\.html$", p)]


def test_article_requests_wait_as_urls_beyond_the_queue_limit(replica, sqlite_url):
    """PROVNEWS_MAX_QUEUED_ARTICLES: with 2 requests at a time the crawl still fetches every
    article exactly once (the rest wait as URLs and follow as pages are answered)."""
    result = crawl(replica, sqlite_url, "portal_example", extra=("-s", "PROVNEWS_MAX_QUEUED_ARTICLES=2"))
    assert result.returncode == 0, result.stderr
    assert set(stored(sqlite_url)) == set(replica.article_urls("portal.example"))
    assert summary_row(result.stdout, "portal_example")[1:5] == ["ok", "93", "93", "93"]
    hits = Counter(path for host, path, status in replica.requests
                   if host == "portal.example" and status == 200 and re.search(r"-\d+\.html$", path))
    assert len(hits) == 93 and max(hits.values()) == 1


def test_crawl_news_replica_stores_all_fifteen_pages(replica, sqlite_url):
    result = crawl(replica, sqlite_url, "news_example")
    assert result.returncode == 0, result.stderr
    assert len(replica.article_urls("news.example")) == 15
    assert summary_row(result.stdout, "news_example")[1:5] == ["ok", "15", "15", "15"]
    assert len(stored(sqlite_url)) == 15
    engine = db.open_database(sqlite_url)
    with Session(engine) as session:
        rows = session.execute(sa.select(ArticleRow.title, ArticleRow.text)).all()
    engine.dispose()
    assert all(title and text and len(text) >= 40 for title, text in rows)  # one is a photo story


def test_site_answering_500_is_recorded_failed_and_keeps_stored_articles(replica, sqlite_url):
    assert crawl(replica, sqlite_url, "news_example").returncode == 0
    before = stored(sqlite_url)
    replica.set_fault("news.example", "error500")
    result = crawl(replica, sqlite_url, "news_example")
    assert result.returncode == 1
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("provnews: error:")]
    assert len(error_lines) == 1 and "news_example" in error_lines[0] and "http_500" in error_lines[0]
    assert "Traceback" not in result.stderr
    assert stored(sqlite_url) == before
    last = runs(sqlite_url)[-1]
    assert last.status == "failed"
    assert last.errors.get("http_500", 0) >= 3  # feed, sitemap and listing all answered 500
    engine = db.open_database(sqlite_url)
    with Session(engine) as session:
        kinds = session.scalars(
            sa.select(CrawlErrorRow.kind).where(CrawlErrorRow.crawl_run_id == last.id)
        ).all()
    engine.dispose()
    assert set(kinds) == {"http_500"}


def test_malformed_feed_and_redirect_loop_are_recorded_and_crawl_goes_on(replica, sqlite_url):
    replica.set_fault("news.example", "malformed_feed")
    result = crawl(replica, sqlite_url, "news_example")
    last = runs(sqlite_url)[-1]
    assert "malformed_feed" in last.errors or "malformed_sitemap" in last.errors
    assert last.status == "partial" and result.returncode == 0
    assert len(stored(sqlite_url)) == 15  # the listing pages still led to every article

    # A fresh database: stored articles would not be fetched again.
    fresh = sqlite_url.replace("crawl.db", "fresh.db")
    replica.set_fault("news.example", "redirect_loop")
    result = crawl(replica, fresh, "news_example", extra=("-s", "REDIRECT_MAX_TIMES=3"))
    last = runs(fresh)[-1]
    assert last.errors.get("redirect_loop", 0) == 15
    assert last.status == "failed" and result.returncode == 1
    assert len(stored(fresh)) == 0


def test_crawl_into_postgresql(replica, postgres_url):
    result = crawl(replica, postgres_url, "news_example")
    assert result.returncode == 0, result.stderr
    assert len(stored(postgres_url)) == 15
    again = crawl(replica, postgres_url, "news_example", extra=("-s", "PROVNEWS_INCREMENTAL=false"))
    assert summary_row(again.stdout, "news_example")[4:7] == ["0", "0", "15"]
