"""pytest plugin: a real WordPress (Debian's ``wordpress`` package) on 127.0.0.1.

``wordpress_site`` (session) lays out a private copy of ``/usr/share/wordpress`` with its
own ``wp-config.php`` in a temp dir, on a throwaway MariaDB database (the machine's server
on 127.0.0.1:3306, started with ``start-stop-daemon`` when it does not answer), serves it
with PHP's built-in server on a free port, installs WordPress with home
``http://wp-real.example`` (a reserved name), pretty permalinks and the Asia/Ho_Chi_Minh
timezone, and publishes the posts of ``tests/fixtures/wordpress/posts.json`` (two authors,
three Vietnamese categories, one draft) through WordPress's own PHP API
(``tests/fixtures/wordpress/wp-tool.php``). The crawler reaches it with
``PROVNEWS_HOST_MAP={"wp-real.example": site.proxy_url}``; the router script turns its
proxy-style request lines into what WordPress expects.

Nothing is downloaded. When WordPress, PHP or MariaDB is missing the fixture fails
(never skips) and says how to get them: ``bash .ci/install-wordpress``.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

HOST = "wp-real.example"
WORDPRESS_TREE = Path("/usr/share/wordpress")
MARIADBD = Path("/usr/sbin/mariadbd")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wordpress"
ADMIN_ARGS = ("--protocol=tcp", "-h", "127.0.0.1", "-P", "3306", "-u", "root")
HOW_TO_GET_IT = (
    "the real-WordPress test needs Debian's wordpress, php-cli, php-mysql, php-xml and a "
    "MariaDB server on 127.0.0.1:3306 (root, no password): run `bash .ci/install-wordpress` as root"
)
WP_CONFIG = """<?php
/* Written by tests/wordpress.py for a throwaway test site. */
define('DB_NAME', '{db}');
define('DB_USER', '{db}');
define('DB_PASSWORD', '{password}');
define('DB_HOST', '127.0.0.1:3306');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{keys}
$table_prefix = 'wp_';
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);  /* a test site never talks to the internet */
define('AUTOMATIC_UPDATER_DISABLED', true);
function wp_mail(...$args) {{ return true; }}  /* no mail: overrides the pluggable one */
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""


@dataclass(frozen=True)
class WordPressPost:
    """A post as WordPress reports it after saving it."""

    id: int
    status: str
    title: str
    url: str
    published_at: datetime
    """Aware, in the site's timezone (Asia/Ho_Chi_Minh)."""
    author: str
    """The author's display name."""
    categories: tuple[str, ...]
    content: str

    @classmethod
    def from_json(cls, data: dict) -> WordPressPost:
        return cls(
            id=data["id"], status=data["status"], title=html.unescape(data["title"]), url=data["url"],
            published_at=datetime.fromisoformat(data["date"]), author=data["author"],
            categories=tuple(html.unescape(c) for c in data["categories"]), content=data["content"],
        )


@dataclass
class WordPressSite:
    """A running WordPress: served on ``base_url``, known to itself as ``home``."""

    base_url: str
    """``http://127.0.0.1:PORT``: where PHP's server listens (use it as the proxy)."""
    host: str
    home: str
    root: Path
    posts: list[WordPressPost] = field(default_factory=list)
    """Published posts, in the order they were created."""
    drafts: list[WordPressPost] = field(default_factory=list)

    @property
    def proxy_url(self) -> str:
        return self.base_url

    def edit_post(self, post_id: int, new_title: str, new_content: str) -> WordPressPost:
        """Edit a post through ``wp_update_post`` and return it as WordPress now has it."""
        post = WordPressPost.from_json(_wp_tool(self.root, "edit", str(post_id), new_title, new_content))
        self.posts = [post if p.id == post_id else p for p in self.posts]
        return post


def _need(path: Path | str | None, what: str) -> str:
    if not path or not Path(path).exists():
        raise RuntimeError(f"{what} not found")
    return str(path)


def _mariadb(*sql: str) -> None:
    client = _need(shutil.which("mariadb") or shutil.which("mysql"), "MariaDB client (mariadb)")
    done = subprocess.run([client, *ADMIN_ARGS, "-e", ";".join(sql)], capture_output=True, text=True,
                          timeout=30, check=False)
    if done.returncode:
        raise RuntimeError(f"mariadb: {done.stderr.strip()}")


def _mariadb_answers() -> bool:
    admin = shutil.which("mariadb-admin") or shutil.which("mysqladmin")
    if admin is None:
        return False
    done = subprocess.run([admin, *ADMIN_ARGS, "--connect-timeout=2", "ping"], capture_output=True,
                          timeout=10, check=False)
    return done.returncode == 0


def _ensure_mariadb() -> None:
    """The machine's MariaDB, started (as Debian's init script would) when it is down."""
    if _mariadb_answers():
        return
    _need(MARIADBD, str(MARIADBD))
    Path("/run/mysqld").mkdir(exist_ok=True)
    shutil.chown("/run/mysqld", "mysql", "mysql")
    daemon = _need(shutil.which("start-stop-daemon"), "start-stop-daemon")
    subprocess.run([daemon, "--start", "--oknodo", "--background", "--exec", str(MARIADBD)],
                   check=True, capture_output=True, timeout=30)
    deadline = time.monotonic() + 30
    while not _mariadb_answers():
        if time.monotonic() > deadline:
            raise RuntimeError("started mariadbd, but it does not answer on 127.0.0.1:3306 after 30 s")
        time.sleep(0.3)


@contextmanager
def _throwaway_database() -> Iterator[tuple[str, str]]:
    name, password = f"provnews_wp_{secrets.token_hex(4)}", secrets.token_hex(12)
    users = [f"'{name}'@'{host}'" for host in ("127.0.0.1", "localhost")]
    _mariadb(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
             *(f"CREATE USER {u} IDENTIFIED BY '{password}'" for u in users),
             *(f"GRANT ALL ON `{name}`.* TO {u}" for u in users))
    try:
        yield name, password
    finally:
        _mariadb(f"DROP DATABASE IF EXISTS `{name}`", *(f"DROP USER IF EXISTS {u}" for u in users))


def _lay_out(root: Path, db: str, password: str) -> None:
    """A private copy of Debian's tree (``__FILE__`` must resolve here) with our config."""
    _need(WORDPRESS_TREE / "wp-settings.php", "Debian's WordPress (/usr/share/wordpress)")
    shutil.copytree(WORDPRESS_TREE, root, symlinks=True)
    for debian_only in ("wp-config.php", ".htaccess"):
        (root / debian_only).unlink()
    (root / "wp-content" / "uploads").mkdir(exist_ok=True)
    keys = "\n".join(
        f"define('{prefix}_{kind}', '{secrets.token_hex(32)}');"
        for prefix in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE") for kind in ("KEY", "SALT")
    )
    (root / "wp-config.php").write_text(WP_CONFIG.format(db=db, password=password, keys=keys))


def _wp_tool(root: Path, command: str, *args: str) -> dict | list:
    php = _need(shutil.which("php"), "PHP's CLI (php)")
    done = subprocess.run(
        [php, str(FIXTURES / "wp-tool.php"), command, str(root), *args], capture_output=True, text=True,
        timeout=120, check=False, env={**os.environ, "WP_TEST_HOST": HOST},
    )
    if done.returncode:
        raise RuntimeError(f"wp-tool.php {command} failed: {(done.stderr or done.stdout).strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> bool:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.1)
        else:
            return True
    raise RuntimeError(f"php -S did not listen on port {port} within 15 s: {log.read_text()[-500:]}")


@contextmanager
def _php_server(root: Path, log: Path) -> Iterator[int]:
    """PHP's built-in server (4 workers) on a free port; retried if the port was taken."""
    php = _need(shutil.which("php"), "PHP's CLI (php)")
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
    for _ in range(5):
        port = _free_port()
        with log.open("ab") as out:
            process = subprocess.Popen(
                [php, "-S", f"127.0.0.1:{port}", "-t", str(root), str(FIXTURES / "router.php")],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True,
            )
        if _wait_for_port(port, process, log):
            break
        _stop(process)
    else:
        raise RuntimeError(f"php -S could not start: {log.read_text()[-500:]}")
    try:
        yield port
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop php -S and its forked workers: its own process group (start_new_session)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(10)
    with suppress(ProcessLookupError):  # workers that outlived the server
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def post_content(paragraphs: list[str]) -> str:
    """Block-editor markup for plain paragraphs, as WordPress's editor saves it."""
    return "\n\n".join(
        f"<!-- wp:paragraph -->\n<p>{html.escape(p, quote=False)}</p>\n<!-- /wp:paragraph -->"
        for p in paragraphs
    )


def _publish(root: Path, spec_path: Path) -> list[WordPressPost]:
    spec = json.loads((FIXTURES / "posts.json").read_text(encoding="utf-8"))
    for post in spec["posts"]:
        post["content"] = post_content(post.pop("paragraphs"))
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return [WordPressPost.from_json(p) for p in _wp_tool(root, "publish", str(spec_path))]


@contextmanager
def running_wordpress() -> Iterator[WordPressSite]:
    """Everything ``wordpress_site`` does, as a context manager."""
    with ExitStack() as stack:
        base = Path(tempfile.mkdtemp(prefix="provnews-wp-"))
        stack.callback(shutil.rmtree, base, ignore_errors=True)
        _ensure_mariadb()
        db, password = stack.enter_context(_throwaway_database())
        root = base / "wordpress"
        _lay_out(root, db, password)
        home = f"http://{HOST}"
        _wp_tool(root, "install", home)
        posts = _publish(root, base / "spec.json")
        port = stack.enter_context(_php_server(root, base / "php-server.log"))
        yield WordPressSite(
            base_url=f"http://127.0.0.1:{port}", host=HOST, home=home, root=root,
            posts=[p for p in posts if p.status == "publish"],
            drafts=[p for p in posts if p.status != "publish"],
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "wordpress: crawls a real WordPress (tests/wordpress.py)")


@pytest.fixture(scope="session")
def wordpress_site() -> Iterator[WordPressSite]:
    """A real WordPress with published posts and a draft; see the module docstring."""
    with ExitStack() as stack:
        try:
            site = stack.enter_context(running_wordpress())
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            problem = " ".join(str(exc).split())
        else:
            problem = None
        if problem is not None:
            pytest.fail(f"no WordPress for tests ({problem}); {HOW_TO_GET_IT}", pytrace=False)
        yield site
