"""A small blocking HTTP client for one-off fetches (``sites add``, ``sites check``).

No Scrapy: onboarding fetches a handful of URLs, and a reactor per command would be
overkill. Hosts can be routed through an HTTP proxy (``PROVNEWS_HOST_MAP``-style
mapping), which is how tests point it at the replica server. Errors come back as one
line in :class:`FetchError`, never as a traceback.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, ProxyHandler, Request, build_opener

from crawler.runner import user_agent

MAX_BYTES = 8 * 1024 * 1024
HOST_MAP_ENV = "PROVNEWS_HOST_MAP"


class FetchError(Exception):
    """A URL could not be fetched; the message is one line."""


@dataclass
class Fetched:
    url: str
    """The final URL, after redirects."""
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def host_map_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``PROVNEWS_HOST_MAP`` as JSON (``{"host": "http://proxy"}``); {} when unset."""
    raw = (environ if environ is not None else os.environ).get(HOST_MAP_ENV, "")
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise FetchError(f"{HOST_MAP_ENV} is not JSON: {raw[:60]!r}") from None
    if not isinstance(value, dict):
        raise FetchError(f"{HOST_MAP_ENV} must be a JSON object of host to proxy URL")
    return {str(k).lower(): str(v) for k, v in value.items()}


class _Redirects(HTTPRedirectHandler):
    max_redirections = 5


class Fetcher:
    """GET with a timeout, a size cap, a descriptive User-Agent and per-host proxies."""

    def __init__(
        self, host_map: Mapping[str, str] | None = None, timeout: float = 15.0, contact: str | None = None
    ) -> None:
        self.host_map = {k.lower(): v for k, v in (host_map or {}).items()}
        self.timeout = timeout
        self.user_agent = user_agent(contact)

    def get(self, url: str) -> Fetched:
        """The response (any HTTP status); :class:`FetchError` when there is none."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"only http(s) URLs can be fetched, got {parts.scheme or 'no'} scheme: {url}")
        proxy = self.host_map.get((parts.hostname or "").lower())
        opener = build_opener(ProxyHandler({"http": proxy, "https": proxy} if proxy else {}), _Redirects())
        headers = {"User-Agent": self.user_agent, "Accept": "*/*"}
        request = Request(url, headers=headers)  # noqa: S310 - scheme checked above
        try:
            with opener.open(request, timeout=self.timeout) as resp:
                return Fetched(resp.url, resp.status, _headers(resp.headers), resp.read(MAX_BYTES))
        except HTTPError as err:
            with err:
                body = err.read(MAX_BYTES) if err.fp is not None else b""
                return Fetched(err.url or url, err.code, _headers(err.headers), body)
        except URLError as err:
            raise FetchError(f"cannot reach {parts.hostname}: {_reason(err.reason)}") from None
        except TimeoutError:
            raise FetchError(f"{url}: no answer within {self.timeout:g} s") from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise FetchError(f"{url}: connection failed ({type(exc).__name__}: {exc})") from None


def _headers(message: Message | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (message.items() if message is not None else [])}


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "no answer (timed out)"
    return str(reason)
