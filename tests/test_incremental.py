"""Incremental crawls, versions and removals against the generated replica sites.

The replica's generated sites (WordPress block and classic themes, a Liferay-style
portal) publish, edit and take down articles on request; each crawl runs the real CLI in
a child process, and the replica records every request it answered.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db, discovery
from crawler.db.models import ArticleRow, ArticleVersionRow
from tests.test_crawl_e2e import crawl, runs, summary_row
from tests.test_replica import fetch
from tests.test_replica_generated import SITEMAPS

SITES = [("wp_example", "wp.example"), ("wpclassic_example", "wpclassic.example"),
         ("liferay_example", "liferay.example")]


def articles(db_url: str) -> dict[str, ArticleRow]:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        rows = list(session.scalars(sa.select(ArticleRow)))
        session.expunge_all()
    engine.dispose()
    return {row.canonical_url: row for row in rows}


def versions(db_url: str, url: str) -> list[ArticleVersionRow]:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        article_id = session.scalar(sa.select(ArticleRow.id).where(ArticleRow.canonical_url == url))
        out = db.article_versions(session, article_id)
        session.expunge_all()
    engine.dispose()
    return out


def sitemap_lastmods(replica, host: str) -> dict[str, datetime]:
    return discovery.sitemap_entries(fetch(replica, SITEMAPS[host]).body, SITEMAPS[host]).lastmods


def later(days: float) -> tuple[str, str]:
    return ("-s", "PROVNEWS_NOW=" + (datetime.now(UTC) + timedelta(days=days)).isoformat())


def counts(stdout: str, key: str) -> dict[str, int]:
    names = ["discovered", "fetched", "new", "updated", "unchanged", "removed", "failed", "requests"]
    return dict(zip(names, map(int, summary_row(stdout, key)[2:10]), strict=True))


@pytest.mark.parametrize(("key", "host"), SITES, ids=[h for _, h in SITES])
def test_incremental_cycle_new_edited_removed(replica, tmp_path: Path, key: str, host: str):
    url = f"sqlite:///{tmp_path / 'inc.db'}"
    site = replica.site(host)
    first = crawl(replica, url, key)
    assert first.returncode == 0, first.stderr
    assert set(articles(url)) == set(site.article_urls())
    # Each page's sitemap lastmod is stored with it (next crawls compare against it).
    lastmods = sitemap_lastmods(replica, host)
    assert set(lastmods) == set(site.article_urls())
    assert {u: row.source_modified_at for u, row in articles(url).items()} == lastmods

    # An unchanged site: no article page, at most one request per discovery URL.
    replica.clear_requests()
    second = crawl(replica, url, key)
    assert counts(second.stdout, key)["fetched"] == 0
    paths = Counter(path for h, path, _ in replica.requests if h == host and path != "/robots.txt")
    article_urls = {u.removeprefix(f"http://{host}") for u in site.article_urls()}
    assert not set(paths) & article_urls
    assert all(n == 1 for n in paths.values()), paths
    assert runs(url)[-1].status == "ok"

    # Edit and remove among the stored articles first, then publish new ones.
    edited = site.edit_articles(3)
    removed = site.remove_articles(2)
    added = site.add_articles(5)
    assert not set(edited) & set(removed)  # the seeded site never picks the same article twice
    replica.clear_requests()
    third = crawl(replica, url, key)
    assert third.returncode == 0, third.stderr
    c = counts(third.stdout, key)
    assert (c["new"], c["updated"], c["removed"]) == (5, 3, 0)
    assert c["fetched"] == 8  # exactly the new and the edited pages
    stored = articles(url)
    assert set(added) <= set(stored)
    for edited_url in edited:
        history = versions(url, edited_url)
        assert [v.version for v in history] == [1, 2]
        assert "cập nhật" in (history[1].diff or "")
        assert stored[edited_url].version_count == 2
    lastmods = sitemap_lastmods(replica, host)  # the removed two are no longer listed
    assert {u: row.source_modified_at for u, row in stored.items() if u in lastmods} == lastmods

    # Removals show up when the revisit policy checks again; two misses are needed.
    fourth = crawl(replica, url, key, extra=later(1))
    assert counts(fourth.stdout, key)["removed"] == 0
    assert {u for u, row in articles(url).items() if row.status == "removed"} == set()
    fifth = crawl(replica, url, key, extra=later(2))
    assert counts(fifth.stdout, key)["removed"] == 2
    gone = {u for u, row in articles(url).items() if row.status == "removed"}
    assert gone == set(removed)
    assert all(articles(url)[u].text for u in removed)  # the stored copy stays
