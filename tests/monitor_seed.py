"""Storing articles, runs and entities directly through the store, for monitoring tests."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler import db
from crawler.entities import extract_entities
from crawler.extract.model import Article
from crawler.registry import Site

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
QUYNH_NHAI = Site(key="quynhnhai_example", name="Quỳnh Nhai", base_url="http://quynhnhai.example/",
                  province="Sơn La", level="district", family="generic")  # fmt: skip
DIEN_BIEN = Site(key="dienbien_example", name="Báo Điện Biên Phủ", base_url="http://dienbien.example/",
                 province="Điện Biên", level="newspaper", family="generic")  # fmt: skip


def store(session: Session, site: Site, slug: str, title: str, text: str, *,
          published: datetime | None = T0, author: str | None = "Lò Văn Minh", lead: str | None = None,
          seen_at: datetime = T0, run_id: int | None = None, entities: bool = False) -> int:  # fmt: skip
    """Upsert one article (new or a new version) and return its id."""
    site_id = db.ensure_site(session, site)
    article = Article(url=f"{site.base_url}{slug}.html", title=title, text=text, lead=lead,
                      published_at=published, author=author)  # fmt: skip
    db.upsert_article(session, site_id=site_id, run_id=run_id, article=article, raw_html=b"",
                      encoding=None, http_status=200, discovered_via="listing", seen_at=seen_at)  # fmt: skip
    article_id = session.scalars(sa.select(db.ArticleRow.id).where(db.ArticleRow.url == article.url)).one()
    if entities:
        body = "\n".join(p for p in (title, lead, text) if p)
        found = extract_entities(body, source_province=site.province)
        db.store_entities(session, article_id, found)
    return article_id


class WebhookReceiver:
    """A local HTTP server (127.0.0.1, a free port unless given) recording every JSON body posted."""

    def __init__(self, port: int = 0) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[str] = []
        self.controller = None

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller

        messages = self.messages

        class Handler:
            async def handle_DATA(self, server, session, envelope) -> str:
                messages.append(envelope.content.decode("utf-8", errors="replace"))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return (f"mailto://127.0.0.1:{self.port}?from=alerts@provnews.example"
                "&to=analyst@provnews.example")  # fmt: skip
