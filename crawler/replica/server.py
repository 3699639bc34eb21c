"""The replica server: an HTTP forward proxy that answers for the replica hosts.

``portal.example`` and ``news.example`` replay captured pages; ``wp.example`` (WordPress
block theme), ``wpclassic.example`` (WordPress classic theme) and ``liferay.example``
(Liferay asset publisher) are :class:`~.generated.GeneratedSite` objects that tests
mutate through :meth:`ReplicaServer.site`. Every 200 carries ``ETag`` and
``Last-Modified``; matching ``If-None-Match`` / ``If-Modified-Since`` get a 304.

Crawlers are configured with ``proxy = srv.proxy_url`` and send absolute-form
request lines (``GET http://portal.example/rss/ HTTP/1.1``); the server routes by
the host in that URI, else by the Host header. Pages keep their absolute
``http://<host>/...`` links, so stored URLs do not depend on the port.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Protocol
from urllib.parse import urlsplit

from . import wp_block, wp_classic
from .conditional import revalidate, with_validators
from .faults import FaultBook, apply_fault
from .generated import DEFAULT_LATEST, GeneratedSite
from .liferay_site import LiferayTheme
from .news_site import NewsSite
from .nukeviet_site import NukeVietSite
from .response import Response, text
from .wordpress_site import WordPressTheme

GENERATED_HOSTS = ("wp.example", "wpclassic.example", "liferay.example")
REPLICA_HOSTS = ("portal.example", "news.example", *GENERATED_HOSTS)
DEFAULT_FIXTURES_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
_DROPPED = 0  # status recorded in the request log for a dropped connection


class Site(Protocol):
    host: str

    def respond(self, path: str, query: str, user_agent: str) -> Response: ...

    def article_urls(self) -> list[str]: ...


def generated_sites(root: Path, latest: datetime = DEFAULT_LATEST) -> list[GeneratedSite]:
    """The three generated sites, each with its own seed (so their articles differ)."""
    return [
        GeneratedSite("wp.example", "Sở Văn hóa, Thể thao và Du lịch (replica, WordPress)",
                      WordPressTheme(wp_block), root, seed=11, latest=latest),
        GeneratedSite("wpclassic.example", "Trang thông tin xã Chiềng Bằng (replica, WordPress)",
                      WordPressTheme(wp_classic), root, seed=23, latest=latest),
        GeneratedSite("liferay.example", "Cổng thông tin Sở Tài chính (replica, Liferay)",
                      LiferayTheme(), root, seed=37, latest=latest),
    ]  # fmt: skip


class ReplicaServer:
    """Serves the replica hosts on 127.0.0.1 from a daemon thread.

    ``generated_latest`` is the publication time of the newest generated article.
    """

    def __init__(
        self,
        fixtures_dir: Path | None = None,
        faults: dict[str, str] | None = None,
        slow_seconds: float = 2.0,
        port: int = 0,
        generated_latest: datetime = DEFAULT_LATEST,
    ) -> None:
        root = Path(fixtures_dir) if fixtures_dir else DEFAULT_FIXTURES_DIR
        self._generated = {s.host: s for s in generated_sites(root, generated_latest)}
        sites: list[Site] = [NukeVietSite(root), NewsSite(root), *self._generated.values()]
        self.sites = {site.host: site for site in sites}
        # Last-Modified of content that never changes (the captured and static pages).
        self.started_at = datetime.now(UTC).replace(microsecond=0)
        self.faults = FaultBook(REPLICA_HOSTS, faults)
        self.slow_seconds = slow_seconds
        self._requested_port = port
        self._log: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._idle = threading.Condition(self._lock)
        self._httpd: _Httpd | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> ReplicaServer:
        if self._httpd is not None:
            raise RuntimeError("replica server already started")
        self._stopping.clear()
        self._httpd = _Httpd(("127.0.0.1", self._requested_port), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long stop() waits for the loop to notice
            name="replica-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, cut open keep-alive connections, wait for handlers to end."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self._idle.wait_for(lambda: not self._connections, timeout)
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
        self._httpd = self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- public state ----------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("replica server not started")
        return int(self._httpd.server_address[1])

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_fault(self, host: str, kind: str | None) -> None:
        """Switch a fault on for ``host`` (see ``faults.FAULT_KINDS``), or off with None."""
        self.faults.set(host, kind)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """(host, path, status) of every request so far, in order; status 0 = dropped."""
        with self._lock:
            return list(self._log)

    @property
    def counters(self) -> Counter[tuple[str, int]]:
        """Number of requests per (host, status)."""
        with self._lock:
            return Counter((host, status) for host, _, status in self._log)

    def count(
        self, host: str | None = None, path: str | None = None, status: int | None = None
    ) -> int:
        """How many logged requests match every given filter."""
        return sum(
            1
            for h, p, s in self.requests
            if (host is None or h == host)
            and (path is None or p == path)
            and (status is None or s == status)
        )

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def article_urls(self, host: str) -> list[str]:
        """Every canonical article URL the host's site serves now (what a crawl counts against)."""
        if host not in self.sites:
            raise ValueError(f"unknown replica host {host!r}; known: {list(REPLICA_HOSTS)}")
        return self.sites[host].article_urls()

    def site(self, host: str) -> GeneratedSite:
        """The generated site of ``host``, to read or change its articles."""
        if host not in self._generated:
            raise ValueError(f"{host!r} is not a generated replica host; those are {GENERATED_HOSTS}")
        return self._generated[host]

    # -- used by the handler -------------------------------------------------------------
    def answer(
        self, host: str, path: str, query: str, user_agent: str,
        if_none_match: str | None = None, if_modified_since: str | None = None,
    ) -> Response | None:  # fmt: skip
        """The response for one request (faults applied, then revalidated); None = drop it."""
        site = self.sites.get(host)
        if site is None:
            return text(502, f"Bad gateway: the replica does not serve host {host!r}.\n")
        kind = self.faults.get(host)
        if kind == "slow":
            self._stopping.wait(self.slow_seconds)
        faulty = apply_fault(kind, site.respond(path, query, user_agent), site.article_urls())
        if faulty is None:
            return None
        response = with_validators(faulty, self.started_at)
        return revalidate(response, if_none_match, if_modified_since)

    def record(self, host: str, target: str, status: int | None) -> None:
        with self._lock:
            self._log.append((host, target, _DROPPED if status is None else status))

    def track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)
                self._idle.notify_all()


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, replica: ReplicaServer) -> None:
        self.replica = replica
        super().__init__(address, handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up (or ``stop()`` cutting them off) is normal, not an error."""
        exc = sys.exception()
        if not isinstance(exc, OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def split_target(target: str, host_header: str) -> tuple[str, str, str]:
    """(host, path, query) from an absolute-form target or an origin-form one + Host."""
    parts = urlsplit(target)
    host = parts.hostname if parts.scheme else None
    if host is None:
        host = urlsplit("//" + host_header).hostname or ""
    return host.lower(), parts.path or "/", parts.query


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end after this many seconds
    server: _Httpd

    def setup(self) -> None:
        super().setup()
        self.server.replica.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.replica.track(self.connection, open_=False)

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def _serve(self, with_body: bool) -> None:
        host, path, query = split_target(self.path, self.headers.get("Host", ""))
        replica = self.server.replica
        user_agent = self.headers.get("User-Agent", "")
        response = replica.answer(
            host, path, query, user_agent,
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"),
        )  # fmt: skip
        logged_target = path + (f"?{query}" if query else "")
        replica.record(host, logged_target, None if response is None else response.status)
        if response is None:
            self.close_connection = True
            return
        self.send_response(response.status)
        if response.status != 304:  # a 304 has no body and describes none
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body and response.status != 304:
            self.wfile.write(response.body)

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the request log on the server object is the record."""
