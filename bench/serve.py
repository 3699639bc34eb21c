"""Serve a generated bench tree on 127.0.0.1: nginx when installed, else a threaded Python server.

The tree holds one directory per host (``nv.bench.example``, ``wp.bench.example``); the
server is used as an HTTP proxy (``PROVNEWS_HOST_MAP``), so requests arrive with absolute
URIs and the host picks the directory, as virtual hosts do. A path ending in ``/`` serves
``index.html`` or ``index.xml``. Use as a context manager::

    with serve(tree) as server:
        print(server.kind, server.url)   # "nginx 1.22.1", "http://127.0.0.1:PORT"

Run alone: ``.venv/bin/python bench/serve.py --pages 2000`` (serves until Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

NGINX_CONF = """worker_processes 1;
daemon off;
error_log {tmp}/error.log error;
pid {tmp}/nginx.pid;
{user}
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  types {{ text/html html; application/xml xml; text/plain txt; }}
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/html application/xml text/plain;
  index index.html index.xml;
{servers}
}}
"""
SERVER = "  server {{ listen 127.0.0.1:{port}; server_name {host}; root {root}; }}\n"
TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8",
         ".txt": "text/plain; charset=utf-8"}


@dataclass
class Server:
    kind: str
    """Which server answers, with its version: "nginx 1.22.1" or "python ThreadingHTTPServer"."""
    url: str
    """``http://127.0.0.1:PORT``: give it as the proxy of every bench host."""
    hosts: list[str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server on 127.0.0.1:{port} did not come up in {timeout} s")


def hosts_of(tree: Path) -> list[str]:
    return sorted(p.name for p in tree.iterdir() if p.is_dir() and "." in p.name)


@contextlib.contextmanager
def _nginx(tree: Path, nginx: str) -> Iterator[Server]:
    port = free_port()
    version = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    kind = version.stderr.strip().replace("nginx version: nginx/", "nginx ")
    with tempfile.TemporaryDirectory(prefix="provnews-nginx-") as tmp:
        hosts = hosts_of(tree)
        servers = "".join(SERVER.format(port=port, host=h, root=tree / h) for h in hosts)
        import os

        user = "user root;" if os.geteuid() == 0 else ""
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, servers=servers, user=user))
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", tmp],  # noqa: S603
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait(port)
            yield Server(kind, f"http://127.0.0.1:{port}", hosts)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    tree: Path

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "")).split(":")[0].lower()
        rel = unquote(parts.path or "/")
        base = (self.tree / host).resolve()
        target = (base / rel.lstrip("/")).resolve()
        if rel.endswith("/"):
            target = next((target / n for n in ("index.html", "index.xml") if (target / n).is_file()),
                          target / "index.html")
        if not target.is_relative_to(base) or not target.is_file():
            body = b"not found"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
        else:
            body = target.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(target.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _python(tree: Path) -> Iterator[Server]:
    handler = type("Handler", (_Handler,), {"tree": tree})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server("python ThreadingHTTPServer", f"http://127.0.0.1:{httpd.server_port}", hosts_of(tree))
    finally:
        httpd.shutdown()
        httpd.server_close()


def serve(tree: Path, prefer: str = "nginx") -> contextlib.AbstractContextManager[Server]:
    """Serve ``tree`` with nginx when installed (and preferred), else with Python."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)
    if prefer == "nginx" and nginx:
        return _nginx(tree, nginx)
    return _python(tree)


def main() -> None:
    sys.path.append(str(Path(__file__).resolve().parent))
    import sitegen

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    args = parser.parse_args()
    tree = sitegen.generate(args.pages, args.seed)
    with serve(tree, args.server) as server:
        print(f"{server.kind} serving {tree} at {server.url} (as a proxy for {', '.join(server.hosts)})")
        print(f"try: curl -x {server.url} http://{server.hosts[0]}/robots.txt")
        import signal

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so nginx is stopped on kill too
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
