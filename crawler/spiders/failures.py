"""Turn a Twisted failure from a request errback into (kind, http_status, message)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

_KINDS: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((tx.TimeoutError, tx.TCPTimedOutError), "timeout"),
    ((tx.DNSLookupError,), "dns"),
    ((tx.ConnectionRefusedError,), "connection_refused"),
    ((tx.ConnectionLost, tx.ConnectionDone, ResponseFailed, ResponseNeverReceived), "connection_lost"),
    ((tx.ConnectError,), "connect"),
]


def classify_failure(failure: Failure) -> tuple[str, int | None, str]:
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", status, f"HTTP {status}"
    message = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, IgnoreRequest):
        if "redirect" in message.lower():
            return "redirect_loop", None, message
        if "robots" in message.lower():
            return "robots_forbidden", None, message
        return "ignored", None, message
    for types, kind in _KINDS:
        if isinstance(exc, types):
            return kind, None, f"{type(exc).__name__}: {message}"
    return "error", None, f"{type(exc).__name__}: {message}"
