"""Full-text search on SQLite (FTS5) and PostgreSQL (tsvector + unaccent): diacritics,
ranking, snippets, filters, an index that follows article versions, hostile queries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crawler import db
from crawler.cli.search import search as search_command
from crawler.monitor.filters import ArticleFilter
from crawler.monitor.search import SearchError, search
from tests.monitor_seed import DIEN_BIEN, QUYNH_NHAI, T0, store

TEXT_QN = ("Sáng 19/11, Ủy ban nhân dân huyện Quỳnh Nhai tổ chức hội nghị tổng kết mùa vụ. "
           "Người dân xã Mường Giàng thu hoạch lúa đạt năng suất cao.")  # fmt: skip
TEXT_DB = "Đoàn công tác tỉnh Điện Biên thăm các hộ đồng bào ở Điện Biên Đông; Quỳnh Nhai được nhắc tới."
TEXT_OTHER = "Thành phố Sơn La đẩy mạnh chuyển đổi số trong các cơ quan hành chính nhà nước."


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = db.open_database(db_url)
    with Session(engine) as session, session.begin():
        yield session
    engine.dispose()


@pytest.fixture
def seeded(session: Session) -> dict[str, int]:
    return {
        "qn": store(session, QUYNH_NHAI, "qn", "Quỳnh Nhai tổng kết mùa vụ", TEXT_QN),
        "db": store(session, DIEN_BIEN, "db", "Điện Biên thăm hỏi đồng bào", TEXT_DB,
                    published=T0 - timedelta(days=10)),
        "other": store(session, QUYNH_NHAI, "other", "Chuyển đổi số", TEXT_OTHER),
    }  # fmt: skip


def ids(hits) -> list[int]:
    return [h.article_id for h in hits]


def test_search_without_diacritics_finds_the_same_articles_as_with(session, seeded):
    plain, marked = search(session, "quynh nhai"), search(session, "Quỳnh Nhai")
    assert ids(plain) == ids(marked) == [seeded["qn"], seeded["db"]]
    assert ids(search(session, "QUỲNH NHAI")) == ids(plain)


def test_d_with_stroke_folds_to_d(session, seeded):
    assert ids(search(session, "dien bien")) == [seeded["db"]]
    assert ids(search(session, "Điện Biên")) == [seeded["db"]]


def test_title_match_ranks_first_and_snippet_marks_the_words(session, seeded):
    hits = search(session, "quynh nhai")
    assert hits[0].article_id == seeded["qn"] and hits[0].score > hits[1].score
    assert "[Quỳnh" in hits[1].snippet and "Nhai]" in hits[1].snippet


def test_quoted_words_must_be_a_phrase(session, seeded):
    assert ids(search(session, '"nhai quynh"')) == []
    assert ids(search(session, "nhai quynh")) == ids(search(session, "quynh nhai"))
    assert ids(search(session, '"Mường Giàng" lua')) == [seeded["qn"]]


def test_filters_site_province_and_dates(session, seeded):
    assert ids(search(session, "quynh nhai", ArticleFilter(site="dienbien_example"))) == [seeded["db"]]
    assert ids(search(session, "quynh nhai", ArticleFilter(province="son la"))) == [seeded["qn"]]
    day = T0.date()
    assert ids(search(session, "quynh nhai", ArticleFilter(since=day))) == [seeded["qn"]]
    assert ids(search(session, "quynh nhai", ArticleFilter(until=day - timedelta(days=1)))) == [seeded["db"]]


def test_filters_person_and_place_use_stored_entities(session):
    qn = store(session, QUYNH_NHAI, "p", "Hội nghị ở xã Mường Giàng", TEXT_QN, entities=True)
    store(session, QUYNH_NHAI, "q", "Tin khác về Quỳnh Nhai", TEXT_OTHER + " Quỳnh Nhai.", entities=True)
    assert ids(search(session, "quynh nhai", ArticleFilter(place="xã Mường Giàng"))) == [qn]


def test_index_follows_new_versions_and_deletions(session, seeded):
    store(session, QUYNH_NHAI, "qn", "Mùa vụ mới", "Nội dung đã sửa: sản lượng cà phê tăng.",
          seen_at=T0 + timedelta(hours=2))  # fmt: skip
    assert seeded["qn"] not in ids(search(session, "quynh nhai"))
    assert ids(search(session, "ca phe")) == [seeded["qn"]]
    session.execute(sa.delete(db.ArticleRow).where(db.ArticleRow.id == seeded["db"]))
    assert ids(search(session, "quynh nhai")) == []


@pytest.mark.parametrize("query", ["'; DROP TABLE article; --", "nhai' OR '1'='1", "quynh* NEAR(nhai)",
                                   "nhai) | !(quynh", 'nhai" AND "x'])  # fmt: skip
def test_sql_and_fts_metacharacters_are_not_syntax(session, seeded, query):
    search(session, query)  # no error: only the words are searched for, as bound parameters
    assert session.scalar(sa.select(sa.func.count()).select_from(db.ArticleRow)) == 3


@pytest.mark.parametrize("query", ["", "   ", "'; --", '"*"', "%_()"])
def test_query_without_words_is_a_clear_error(session, query):
    with pytest.raises(SearchError, match="no words to search for"):
        search(session, query)


def test_cli_same_results_with_and_without_diacritics(db_url):
    engine = db.open_database(db_url)
    with Session(engine) as session, session.begin():
        store(session, QUYNH_NHAI, "qn", "Quỳnh Nhai tổng kết mùa vụ", TEXT_QN)
        store(session, DIEN_BIEN, "db", "Điện Biên thăm hỏi đồng bào", TEXT_DB)
    engine.dispose()
    runner = CliRunner()
    outputs = []
    for query in ("quynh nhai", "Quỳnh Nhai"):
        result = runner.invoke(search_command, [query, "--json", "--db", db_url])
        assert result.exit_code == 0, result.output
        outputs.append([json.loads(line)["url"] for line in result.output.splitlines()])
    assert outputs[0] == outputs[1] and len(outputs[0]) == 2
    text = runner.invoke(search_command, ["quynh nhai", "--db", db_url, "--since", str(date(2026, 1, 1))])
    assert text.exit_code == 0 and text.output.startswith("1. Quỳnh Nhai tổng kết mùa vụ")


def test_cli_query_without_words_is_one_line_error(db_url):
    result = CliRunner().invoke(search_command, ["';--", "--db", db_url])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "provnews: error: the query \"';--\" has no words to search for (letters or digits)"
    ]
