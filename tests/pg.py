"""pytest plugin: PostgreSQL (and SQLite) databases for storage tests.

``postgres_url`` (session) is a throwaway database, created for this test session
and dropped afterwards, on the first server found of:

1. ``$PROVNEWS_TEST_POSTGRES_URL`` (any server; the user needs CREATEDB);
2. the local server at ``postgresql://postgres@127.0.0.1:5432/postgres`` (trust auth);
3. a private cluster started from installed binaries (``initdb``/``pg_ctl`` under
   /usr/lib/postgresql/*/bin), on a unix socket in a temp dir, as user ``postgres``
   when we run as root, stopped at the end.

``PROVNEWS_TEST_POSTGRES=private`` skips 1 and 2 (to exercise 3). When no server
can be had the fixture fails - it never skips - and says how to get one.

``db_url`` is parametrised over sqlite and postgresql and gives each test an empty
database: a fresh SQLite file, or the session database with its schema dropped
(before and after the test, so it is left empty for other ``postgres_url`` users).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

URL_ENV = "PROVNEWS_TEST_POSTGRES_URL"
MODE_ENV = "PROVNEWS_TEST_POSTGRES"
LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOW_TO_GET_ONE = (
    "PostgreSQL tests need a server: install Debian's 'postgresql' package "
    "(apt-get install postgresql; a private cluster is then started from its binaries) "
    f"or set {URL_ENV}=postgresql://user:password@host:port/dbname (user with CREATEDB)."
)


def _driver_url(url: str | URL) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@contextmanager
def _admin(url: str | URL) -> Iterator[sa.Connection]:
    engine = sa.create_engine(
        _driver_url(url), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _reachable(url: str) -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        with _admin(url) as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return " ".join(str(getattr(exc, "orig", exc)).split())
    return None


@contextmanager
def _throwaway_database(server_url: str) -> Iterator[str]:
    name = f"provnews_test_{secrets.token_hex(4)}"
    with _admin(server_url) as connection:
        connection.exec_driver_sql(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin(server_url) as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_bin(program: str) -> str | None:
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{program}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return candidates[-1] if candidates else shutil.which(program)


def _cluster_user() -> pwd.struct_passwd | None:
    """The account to run the cluster as: ourselves, or a system user if we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run initdb as")


@contextmanager
def _private_cluster() -> Iterator[str]:
    initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
    if not (initdb and pg_ctl):
        raise RuntimeError("no initdb/pg_ctl found under /usr/lib/postgresql/*/bin or on PATH")
    user = _cluster_user()
    base = Path(tempfile.mkdtemp(prefix="provnews-pg-"))
    data, log = base / "data", base / "server.log"
    run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    env = {**os.environ, "LC_ALL": "C", "HOME": str(base)}
    if user:
        os.chown(base, user.pw_uid, user.pw_gid)

    def run(*args: str) -> None:
        done = subprocess.run(args, cwd=base, env=env, capture_output=True, text=True, check=False, **run_as)
        if done.returncode:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            extra = log.read_text()[-500:] if log.exists() else ""
            raise RuntimeError(f"{Path(args[0]).name} failed: {' | '.join(tail)} {extra}")

    try:
        run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses='' -k {base} -p 5432 -c fsync=off"
        run(pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        try:
            yield URL.create(
                "postgresql", username="postgres", database="postgres", query={"host": str(base)}
            ).render_as_string(hide_password=False)
        finally:
            run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def _server() -> Iterator[tuple[str, str]]:
    """(description, admin URL) of a server to make throwaway databases on."""
    mode = os.environ.get(MODE_ENV, "auto")
    if mode not in ("auto", "private"):
        raise RuntimeError(f"{MODE_ENV} must be 'auto' or 'private', got {mode!r}")
    explicit = os.environ.get(URL_ENV)
    if explicit and mode == "auto":
        problem = _reachable(explicit)
        if problem:
            raise RuntimeError(f"{URL_ENV} server unreachable: {problem}")
        yield f"{URL_ENV}", explicit
        return
    if mode == "auto" and _reachable(LOCAL_SERVER_URL) is None:
        yield "local server", LOCAL_SERVER_URL
        return
    with _private_cluster() as url:
        yield "private cluster", url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of an empty throwaway PostgreSQL database for this test session."""
    with ExitStack() as stack:
        try:
            _, admin_url = stack.enter_context(_server())
            url = stack.enter_context(_throwaway_database(admin_url))
        except Exception as exc:  # any reason at all: report it, never skip
            problem = " ".join(str(exc).split())
        else:
            problem = None
        if problem is not None:
            pytest.fail(f"no PostgreSQL for tests ({problem}). {HOW_TO_GET_ONE}", pytrace=False)
        yield url


def _reset_schema(url: str) -> None:
    with _admin(url) as connection:
        connection.exec_driver_sql("SET lock_timeout = '10s'")
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL, once per backend.

    On PostgreSQL the session database is emptied before and after each test, so
    other users of ``postgres_url`` find it empty too.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'provnews.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    _reset_schema(url)
    yield url
    _reset_schema(url)
