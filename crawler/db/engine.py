"""Opening the database: URL resolution, engine set-up, automatic migrations.

Every failure surfaces as one ``DatabaseError`` with a one-line message that names
the URL (password masked), so the CLI can print it as is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where migrations run: the crawl's extraction workers open the
# (already migrated) database with ``create_engine_for`` and never load it (11 MB each).

DEFAULT_DATABASE_URL = "sqlite:///data/provnews.db"
"""A SQLite file under ``data/``, relative to the working directory when opened."""
DATABASE_URL_ENV = "PROVNEWS_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10
_MIGRATION_LOCK_ID = 0x70726F76  # "prov": pg advisory lock serialising upgrades


class DatabaseError(Exception):
    """The database cannot be opened, reached or migrated. The message is one line."""


def resolve_database_url(url: str | None = None) -> str:
    """The explicit URL, else ``$PROVNEWS_DATABASE_URL``, else ``DEFAULT_DATABASE_URL``."""
    return url or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``, safe for logs and messages."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return re.sub(r"(://[^:/@?#]*:)[^@/?#]*@", r"\1***@", url)


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc  # the DBAPI error, without SQLAlchemy's notes
    return " ".join(str(orig).split()) or type(orig).__name__


def _fail(action: str, url: str, exc: BaseException, password: str | None) -> DatabaseError:
    detail = _one_line(exc)
    if password:
        detail = detail.replace(password, "***")
    return DatabaseError(f"{action} {mask_url(url)}: {detail}")


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise DatabaseError(f"invalid database URL {mask_url(url)}: {_one_line(exc)}") from None
    # psycopg 3 is the installed driver; SQLAlchemy's bare "postgresql" means psycopg2.
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_path(url: URL) -> Path | None:
    db = url.database or ""
    if url.get_backend_name() != "sqlite" or db in ("", ":memory:") or db.startswith("file:"):
        return None
    return Path(db)


def _on_sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the
        # process loses nothing committed; a power cut may lose the last commits, never
        # the database's consistency (a rerun fetches those pages again).
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def create_engine_for(url: str) -> Engine:
    """An engine for ``url`` with provnews's connection settings, without connecting.

    SQLite gets WAL (synchronous NORMAL), foreign keys and a busy timeout on every connection; the parent
    directory of a SQLite file is created. PostgreSQL gets a connect timeout.
    """
    parsed = _parse(url)
    path = _sqlite_path(parsed)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            message = f"cannot create directory {path.parent} for database {mask_url(url)}"
            raise DatabaseError(f"{message}: {exc.strerror or exc}") from None
    connect_args: dict[str, object] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    try:
        engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        message = f"unsupported database URL {mask_url(url)}: {_one_line(exc)}"
        raise DatabaseError(message) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the migrations shipped in this package (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _lock_for_migration(connection: Connection) -> None:
    """Serialise concurrent upgrades (several crawls starting on a fresh database)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK_ID)))
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> str | None:
    with engine.connect() as connection:
        if not down and current_revision(connection) == head_revision() and revision == "head":
            return head_revision()
    from alembic import command

    with engine.begin() as connection:
        _lock_for_migration(connection)
        config = alembic_config(connection)
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)
        return current_revision(connection)


def _connect_and_migrate(engine: Engine, url: str, revision: str, *, down: bool = False) -> str | None:
    from alembic.util import CommandError

    step = "cannot connect to database"
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        step = "cannot migrate database"
        return _migrate(engine, revision, down=down)
    except (sa.exc.SQLAlchemyError, CommandError, OSError) as exc:
        password = engine.url.password
        raise _fail(step, url, exc, str(password) if password else None) from None


def open_database(url: str | None = None) -> Engine:
    """Open the database at ``url`` (see ``resolve_database_url``), migrated to head.

    Checks connectivity, then runs ``alembic upgrade head`` (a no-op when current).
    Raises ``DatabaseError`` with a one-line message on any failure.
    """
    resolved = resolve_database_url(url)
    engine = create_engine_for(resolved)
    try:
        _connect_and_migrate(engine, resolved, "head")
    except DatabaseError:
        engine.dispose()
        raise
    return engine


def upgrade(url: str | None = None, revision: str = "head") -> str | None:
    """Migrate the database to ``revision`` (``provnews db upgrade``); return the revision."""
    resolved = resolve_database_url(url)
    engine = create_engine_for(resolved)
    try:
        return _connect_and_migrate(engine, resolved, revision)
    finally:
        engine.dispose()


def downgrade(url: str | None = None, revision: str = "base") -> str | None:
    """Migrate the database down to ``revision`` (None once at base)."""
    resolved = resolve_database_url(url)
    engine = create_engine_for(resolved)
    try:
        return _connect_and_migrate(engine, resolved, revision, down=True)
    finally:
        engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
