"""The response value a replica site returns, plus small shared page helpers."""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from datetime import datetime

HTML_UTF8 = "text/html; charset=utf-8"
TEXT_UTF8 = "text/plain; charset=utf-8"

# What a response is, so faults can target article pages or feeds only.
KINDS = frozenset({"article", "listing", "feed", "sitemap", "robots", "page", "redirect", "error"})


@dataclass(frozen=True)
class Response:
    """One HTTP answer: status, body bytes, Content-Type and extra headers."""

    status: int
    body: bytes
    content_type: str = HTML_UTF8
    kind: str = "page"
    headers: dict[str, str] = field(default_factory=dict)
    article_url: str | None = None
    """Canonical URL when the body is an article page (the "fixture set" member)."""
    last_modified: datetime | None = None
    """When the content last changed (aware); the server sends it as ``Last-Modified``."""

    def evolve(self, **changes: object) -> Response:
        return replace(self, **changes)  # type: ignore[arg-type]


def redirect(location: str, status: int = 301) -> Response:
    """A redirect with a short HTML body, as most CMSes send."""
    body = f'<html><body>Moved: <a href="{html.escape(location)}">here</a></body></html>'
    return Response(status, body.encode(), kind="redirect", headers={"Location": location})


def text(status: int, message: str, kind: str = "error") -> Response:
    return Response(status, message.encode("utf-8"), TEXT_UTF8, kind=kind)


def server_error() -> Response:
    body = "<html><head><title>500 Internal Server Error</title></head><body>"
    body += "<h1>Internal Server Error</h1></body></html>"
    return Response(500, body.encode(), kind="error")
