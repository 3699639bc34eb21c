"""`provnews crawl` against a real WordPress (Debian's package, see tests/wordpress.py).

The site is installed as ``http://wp-real.example`` and reached through
``PROVNEWS_HOST_MAP``; each crawl is a ``provnews`` child process, as in production.
Expected values are what WordPress itself reports for each post (title and category as
its pages show them, publication time in the site's Asia/Ho_Chi_Minh timezone, author
display name), never values re-typed here.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.db.models import ArticleRow, ArticleVersionRow, CrawlRunRow
from tests.conftest import ROOT

pytestmark = pytest.mark.wordpress

SITE_KEY = "wp_real_example"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
# `provnews crawl` checks site keys against the default registry and has no option naming
# another registry file, so the child swaps the default registry for this test's file.
CLI_WITH_REGISTRY = (
    "import sys, crawler.registry as r; r.DEFAULT_REGISTRY_FILES = (sys.argv.pop(1),); "
    "from crawler.cli import main; main()"
)
# WordPress's wptexturize shows these in place of what the author typed.
TEXTURIZED = str.maketrans({"–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "″": '"', "′": "'"})


def registry_toml(family: str) -> str:
    return f"""[[site]]
key = "{SITE_KEY}"
name = "Cổng thông tin điện tử thử nghiệm (a real WordPress started by the tests)"
base_url = "http://wp-real.example/"
province = "Bình Định"
level = "commune"
family = "{family}"
status = "replica"
feeds = ["/feed/"]
sitemaps = ["/wp-sitemap.xml"]
listings = ["/"]
article_pattern = '^/\\d{{4}}/\\d{{2}}/\\d{{2}}/[^/]+/$'
"""


def provnews(registry: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")}
    env.update({"PYTHONUNBUFFERED": "1", "PROVNEWS_ENV": "test"})
    return subprocess.run(
        [sys.executable, "-c", CLI_WITH_REGISTRY, str(registry), *args],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT, check=False,
    )


def crawl(site, registry: Path, db_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    host_map = json.dumps({site.host: site.proxy_url})
    return provnews(registry, "crawl", SITE_KEY, "--db", db_url, "-s", f"PROVNEWS_HOST_MAP={host_map}",
                    "-s", "DOWNLOAD_DELAY=0", *extra)


def summary(stdout: str) -> dict[str, str]:
    """The crawl's summary row for our site, by column name."""
    lines = stdout.splitlines()
    header = next(line for line in lines if line.startswith("site "))
    row = next(line for line in lines if line.startswith(SITE_KEY + " "))
    return dict(zip(header.split(), row.split(), strict=False))


def articles(db_url: str) -> dict[str, ArticleRow]:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        rows = list(session.scalars(sa.select(ArticleRow)))
        session.expunge_all()
    engine.dispose()
    return {row.canonical_url: row for row in rows}


def last_run(db_url: str) -> CrawlRunRow:
    engine = db.open_database(db_url)
    with Session(engine) as session:
        run = session.scalars(sa.select(CrawlRunRow).order_by(CrawlRunRow.id.desc())).first()
        session.expunge_all()
    engine.dispose()
    assert run is not None
    return run


def same_text(value: str | None) -> str:
    """NFC, one space between words, wptexturize's typography undone."""
    return " ".join(unicodedata.normalize("NFC", value or "").translate(TEXTURIZED).split())


def paragraphs(content: str) -> list[str]:
    return [same_text(html.unescape(p)) for p in re.findall(r"<p>(.*?)</p>", content, flags=re.S)]


def minute(moment: datetime | None) -> str | None:
    return moment.astimezone(VN).isoformat(timespec="minutes") if moment else None


@pytest.fixture(scope="module")
def first_crawl(wordpress_site, tmp_path_factory):
    """(registry file, database URL, CLI result) of one crawl of the fresh site."""
    base = tmp_path_factory.mktemp("wp-crawl")
    registry = base / "registry.toml"
    registry.write_text(registry_toml("wordpress"), encoding="utf-8")
    db_url = f"sqlite:///{base / 'crawl.db'}"
    return registry, db_url, crawl(wordpress_site, registry, db_url)


def test_crawl_stores_every_published_post_and_not_the_draft(wordpress_site, first_crawl):
    _, db_url, result = first_crawl
    assert result.returncode == 0, result.stderr
    published = {post.url for post in wordpress_site.posts}
    assert len(published) == 12
    stored = articles(db_url)
    assert set(stored) == published
    draft_titles = {same_text(d.title) for d in wordpress_site.drafts}
    assert draft_titles and not draft_titles & {same_text(a.title) for a in stored.values()}
    assert summary(result.stdout)["status"] == "ok"


def expected_and_stored(post, row: ArticleRow) -> dict[str, tuple[object, object]]:
    """Field name -> (what WordPress shows, what was stored), normalised alike."""
    text = same_text(row.text)
    return {
        "title": (same_text(post.title), same_text(row.title)),
        "published": (minute(post.published_at), minute(row.published_at)),
        "author": (same_text(post.author), same_text(row.author)),
        "category": (same_text(post.categories[0]), same_text(row.category)),
        # every paragraph of the post, in the stored body
        "text": ([], [p[:60] for p in paragraphs(post.content) if p not in text]),
    }


@pytest.mark.parametrize("field", ["title", "published", "author", "category", "text"])
def test_crawl_stores_each_posts_field_as_wordpress_shows_it(field, wordpress_site, first_crawl):
    _, db_url, result = first_crawl
    assert result.returncode == 0, result.stderr
    assert all(len(post.categories) == 1 for post in wordpress_site.posts)
    stored = articles(db_url)
    wrong = []
    for post in wordpress_site.posts:
        expected, got = expected_and_stored(post, stored[post.url])[field]
        if got != expected:
            wrong.append((post.url.removeprefix(wordpress_site.home), got, expected))
    assert wrong == []


def test_edit_made_in_wordpress_is_a_new_version_on_the_next_check(wordpress_site, first_crawl):
    registry, db_url, result = first_crawl
    assert result.returncode == 0, result.stderr
    target = wordpress_site.posts[4]
    before = articles(db_url)
    new_title = target.title + " (cập nhật)"
    added = "Chiều 25/11, Sở Tài chính cho biết số liệu trên đã được điều chỉnh theo báo cáo mới nhất."
    edited = wordpress_site.edit_post(target.id, new_title, target.content + f"\n\n<p>{added}</p>")
    assert edited.url == target.url and same_text(edited.title) == same_text(new_title)

    # The revisit policy checks a day-old article again after 6 hours: crawl "7 hours later".
    later = (datetime.now(UTC) + timedelta(hours=7)).isoformat()
    again = crawl(wordpress_site, registry, db_url, "-s", f"PROVNEWS_NOW={later}")
    row = summary(again.stdout)
    assert (row["new"], row["updated"], row["unchanged"]) == ("0", "1", "11"), again.stdout
    assert last_run(db_url).updated == 1

    after = articles(db_url)
    assert len(after) == 12
    changed = after[target.url]
    assert same_text(changed.title) == same_text(edited.title)
    assert same_text(added) in same_text(changed.text)
    assert changed.version_count == 2 and changed.last_changed_at > before[target.url].last_changed_at
    assert {u: a.content_hash for u, a in after.items() if u != target.url} == {
        u: a.content_hash for u, a in before.items() if u != target.url
    }
    engine = db.open_database(db_url)
    with Session(engine) as session:
        versions = session.scalars(
            sa.select(ArticleVersionRow).where(ArticleVersionRow.article_id == changed.id)
            .order_by(ArticleVersionRow.version)
        ).all()
        assert [v.version for v in versions] == [1, 2]
        assert versions[1].diff and "(cập nhật)" in versions[1].diff
    engine.dispose()
    # Last, so that the checks above say whether the edit itself was caught.
    assert (again.returncode, row["status"]) == (0, "ok"), again.stderr
