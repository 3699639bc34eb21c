"""Conditional GET for the replica: ``ETag`` / ``Last-Modified`` validators and 304 answers.

Every 200 answer carries ``ETag`` (a hash of the body, so any change to the bytes
changes it) and ``Last-Modified`` (the response's own time, else the server's start
time for content that never changes). ``If-None-Match`` wins over
``If-Modified-Since`` (RFC 9110 section 13.2.2).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from .response import Response


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC).replace(microsecond=0), usegmt=True)


def with_validators(response: Response, default_modified: datetime) -> Response:
    """The 200 response with ``ETag`` and ``Last-Modified`` headers added."""
    if response.status != 200:
        return response
    modified = response.last_modified or default_modified
    headers = {**response.headers, "ETag": etag(response.body), "Last-Modified": http_date(modified)}
    return response.evolve(headers=headers, last_modified=modified)


def _matches(if_none_match: str, tag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return "*" in candidates or tag in candidates


def _not_modified_since(if_modified_since: str, modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return modified.replace(microsecond=0) <= since


def revalidate(response: Response, if_none_match: str | None, if_modified_since: str | None) -> Response:
    """``304 Not Modified`` (no body) when the client's validators still hold, else ``response``.

    ``response`` must already carry its validators (see :func:`with_validators`).
    """
    if response.status != 200 or response.last_modified is None:
        return response
    tag = response.headers["ETag"]
    if if_none_match is not None:
        fresh = _matches(if_none_match, tag)
    elif if_modified_since is not None:
        fresh = _not_modified_since(if_modified_since, response.last_modified)
    else:
        fresh = False
    if not fresh:
        return response
    return Response(304, b"", kind=response.kind, headers=response.headers,
                    article_url=response.article_url, last_modified=response.last_modified)  # fmt: skip
