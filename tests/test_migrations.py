"""Migrations build the models' schema on SQLite and PostgreSQL; opening fails clearly."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from crawler import db
from crawler.db.models import Base

TABLES = {
    "site", "article", "crawl_run", "crawl_error", "article_version", "fetch_state",
    "person", "person_role", "admin_unit", "organization", "entity_mention", "article_sketch",
    "article_signature", "scheduler_lease", "watchlist", "alert", "alert_delivery", "article_fts",
}  # fmt: skip
# The full-text index is not a model (an FTS5 table on SQLite, a tsvector table on
# PostgreSQL); FTS5 keeps its index in shadow tables named after it.
FTS_SHADOW = {"article_fts_data", "article_fts_idx", "article_fts_docsize", "article_fts_config"}


def _not_fts(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name is not None and name.startswith("article_fts"))


def _tables(url: str) -> set[str]:
    engine = db.engine.create_engine_for(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"} - FTS_SHADOW
    finally:
        engine.dispose()


def test_open_database_builds_schema_matching_models(db_url):
    engine = db.open_database(db_url)
    try:
        with engine.connect() as connection:
            opts = {"compare_type": True, "include_name": _not_fts}
            context = MigrationContext.configure(connection, opts=opts)
            assert context.get_current_revision() == db.head_revision()
            assert compare_metadata(context, Base.metadata) == []
            assert set(sa.inspect(connection).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_open_database_twice_is_a_no_op(db_url):
    for _ in range(2):
        db.open_database(db_url).dispose()
    assert db.upgrade(db_url) == db.head_revision()


def test_downgrade_to_base_and_upgrade_again(db_url):
    assert db.upgrade(db_url) == db.head_revision()
    assert db.downgrade(db_url, "base") is None
    assert _tables(db_url) == set()
    assert db.upgrade(db_url) == db.head_revision()
    assert _tables(db_url) == TABLES


def test_sqlite_connections_use_wal_synchronous_normal_foreign_keys_and_busy_timeout(tmp_path):
    engine = db.open_database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 1  # NORMAL
            assert pragma("busy_timeout") == db.engine.SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


def test_default_database_is_data_provnews_db_under_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(db.DATABASE_URL_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert db.resolve_database_url(None) == db.DEFAULT_DATABASE_URL
    db.open_database().dispose()
    assert (tmp_path / "data" / "provnews.db").is_file()


def test_database_url_comes_from_argument_then_environment(monkeypatch):
    monkeypatch.setenv(db.DATABASE_URL_ENV, "sqlite:///from-env.db")
    assert db.resolve_database_url(None) == "sqlite:///from-env.db"
    assert db.resolve_database_url("sqlite:///arg.db") == "sqlite:///arg.db"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_line_error(url: str) -> str:
    with pytest.raises(db.DatabaseError) as info:
        db.open_database(url)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_unreachable_postgresql_gives_one_line_error_with_masked_password():
    port = _closed_port()
    message = _one_line_error(f"postgresql://u:s3cret@127.0.0.1:{port}/x")
    assert message.startswith(f"cannot connect to database postgresql://u:***@127.0.0.1:{port}/x: ")
    assert "s3cret" not in message
    assert "refused" in message.lower()


def test_sqlite_under_a_file_gives_one_line_error(tmp_path):
    (tmp_path / "not-a-dir").write_text("x")
    message = _one_line_error(f"sqlite:///{tmp_path / 'not-a-dir' / 'sub' / 'provnews.db'}")
    assert message.startswith("cannot create directory ")
    assert "sqlite:///" in message


def test_sqlite_path_that_is_a_directory_gives_one_line_error(tmp_path):
    message = _one_line_error(f"sqlite:///{tmp_path}")
    assert message.startswith(f"cannot connect to database sqlite:///{tmp_path}: ")


@pytest.mark.parametrize(
    ("url", "start"),
    [
        pytest.param("not a url", "invalid database URL not a url", id="garbage"),
        pytest.param("mysql://u:pw@h/x", "unsupported database URL mysql://u:***@h/x", id="no-driver"),
    ],
)
def test_unusable_url_gives_one_line_error(url, start):
    assert _one_line_error(url).startswith(start)


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        pytest.param("postgresql://u:pw@h:5432/x", "postgresql://u:***@h:5432/x", id="password"),
        pytest.param("postgresql://u@h/x", "postgresql://u@h/x", id="no-password"),
        pytest.param("sqlite:///data/provnews.db", "sqlite:///data/provnews.db", id="sqlite"),
    ],
)
def test_mask_url_hides_only_the_password(url, masked):
    assert db.mask_url(url) == masked


def test_migration_files_are_where_package_data_expects_them():
    versions = Path(db.engine.MIGRATIONS_DIR, "versions")
    assert (versions.parent / "env.py").is_file()
    assert list(versions.glob("*.py"))


def test_database_from_a_newer_provnews_gives_one_line_error(db_url):
    db.open_database(db_url).dispose()
    engine = db.engine.create_engine_for(db_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    message = _one_line_error(db_url)
    assert message.startswith("cannot migrate database ") and "9999" in message


def test_status_check_survives_the_migrations(db_url):
    """CHECK constraints are kept through SQLite's batch table rebuilds and widened by 0005."""
    engine = db.open_database(db_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO site (key, name, base_url, province, level, family, status) "
                "VALUES ('k', 'n', 'http://k/', 'p', 'demo', 'generic', 'replica')"
            )
        insert = ("INSERT INTO crawl_run (site_id, started_at, status, discovered, fetched, "
                  "stored_new, updated, unchanged, failed, errors, removed, trigger) "
                  "VALUES (1, '2026-11-26 00:00:00', '{}', 0, 0, 0, 0, 0, 0, '{{}}', 0, 'schedule')")
        with engine.begin() as connection:
            connection.exec_driver_sql(insert.format("timed_out"))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.exec_driver_sql(insert.format("bogus"))
    finally:
        engine.dispose()


def test_0008_moves_signatures_out_of_article_sketch_and_back(db_url):
    """Sketches stored before 0008 (80 rows: signature and band keys) become 16 band-key rows
    and one packed signature, which find the same candidates; a downgrade restores them."""
    from crawler import dedupe
    from crawler.db.duplicates import signatures_of, split_sketch

    texts = [" ".join(f"từ{i} câu{j % 50} đoạn{j % 7}" for j in range(200)) for i in range(3)]
    sketches = {aid: dedupe.sketch(text) for aid, text in enumerate(texts, start=1)}
    assert db.upgrade(db_url, "0007") == "0007"
    engine = db.engine.create_engine_for(db_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO site (id, key, name, base_url, province, level, family, status) "
                "VALUES (1, 'k', 'n', 'http://k/', 'p', 'demo', 'generic', 'active')")
            for aid in sketches:
                connection.execute(sa.text(
                    "INSERT INTO article (id, site_id, url, canonical_url, first_seen_at, last_seen_at, "
                    "last_changed_at, provenance, content_hash) VALUES (:id, 1, :u, :u, "
                    "'2026-11-26 00:00:00', '2026-11-26 00:00:00', '2026-11-26 00:00:00', '{}', 'h')"),
                    {"id": aid, "u": f"http://k/{aid}"})
            connection.execute(sa.text("INSERT INTO article_sketch (article_id, hash) VALUES (:a, :h)"),
                               [{"a": aid, "h": h} for aid, rows in sketches.items() for h in rows])
        assert db.upgrade(db_url) == db.head_revision()
        with engine.connect() as connection:
            kept = connection.execute(sa.text("SELECT article_id, hash FROM article_sketch")).all()
            with sa.orm.Session(connection) as session:
                signatures = signatures_of(session, list(sketches))
        assert sorted(kept) == sorted((aid, h) for aid, rows in sketches.items()
                                      for h in split_sketch(rows)[0])
        assert signatures == {aid: [v & ((1 << 56) - 1) for v in dedupe.signature(texts[aid - 1])]
                              for aid in sketches}
        assert db.downgrade(db_url, "0007") == "0007"
        with engine.connect() as connection:
            back = connection.execute(sa.text("SELECT article_id, hash FROM article_sketch")).all()
        assert sorted(back) == sorted((aid, h) for aid, rows in sketches.items() for h in rows)
    finally:
        engine.dispose()
