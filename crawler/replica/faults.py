"""Fault injection: per-host misbehaviour that tests switch on at runtime.

Kinds:

- ``error500``: every request on the host answers 500 (robots.txt included).
- ``slow``: every answer is delayed by the server's ``slow_seconds``.
- ``redirect_loop``: article pages 302 to another article that 302s back, endlessly.
- ``drop``: the connection is closed without any answer.
- ``bad_encoding``: article pages are sent with ``charset=iso-8859-1``.
- ``malformed_feed``: RSS feeds and sitemaps are cut off mid-XML.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence

from .response import Response, server_error

FAULT_KINDS = frozenset(
    {"error500", "slow", "redirect_loop", "drop", "bad_encoding", "malformed_feed"}
)
WRONG_CHARSET = "iso-8859-1"


class FaultBook:
    """The current fault of each host; safe to read and change from any thread."""

    def __init__(self, hosts: Iterable[str], faults: Mapping[str, str] | None = None) -> None:
        self._hosts = frozenset(hosts)
        self._faults: dict[str, str] = {}
        self._lock = threading.Lock()
        for host, kind in (faults or {}).items():
            self.set(host, kind)

    def set(self, host: str, kind: str | None) -> None:
        if host not in self._hosts:
            raise ValueError(f"unknown replica host {host!r}; known: {sorted(self._hosts)}")
        if kind is not None and kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {sorted(FAULT_KINDS)}")
        with self._lock:
            if kind is None:
                self._faults.pop(host, None)
            else:
                self._faults[host] = kind

    def get(self, host: str) -> str | None:
        with self._lock:
            return self._faults.get(host)


def loop_partner(url: str, article_urls: Sequence[str]) -> str:
    """The article ``url`` redirects to under ``redirect_loop``; pairs 0<->1, 2<->3 …"""
    i = list(article_urls).index(url)
    j = i ^ 1
    if j >= len(article_urls):
        j = max(i - 1, 0)
    return article_urls[j]


def apply_fault(
    kind: str | None, response: Response, article_urls: Sequence[str]
) -> Response | None:
    """The response altered by the fault; None means: drop the connection.

    ``slow`` is not handled here: the server sleeps before answering.
    """
    if kind == "drop":
        return None
    if kind == "error500":
        return server_error()
    if kind == "redirect_loop" and response.article_url and response.article_url in article_urls:
        location = loop_partner(response.article_url, article_urls)
        return Response(302, b"", kind="redirect", headers={"Location": location})
    if kind == "bad_encoding" and response.kind == "article":
        media_type = response.content_type.split(";")[0]
        return response.evolve(content_type=f"{media_type}; charset={WRONG_CHARSET}")
    if kind == "malformed_feed" and response.kind in ("feed", "sitemap"):
        return response.evolve(body=response.body[: len(response.body) // 2])
    return response
