"""Validators (ETag, Last-Modified) of discovery URLs, for conditional GETs."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.db.models import FetchStateRow

_TABLE = cast(sa.Table, FetchStateRow.__table__)


def load_fetch_states(session: Session, site_id: int) -> dict[str, tuple[str | None, str | None]]:
    """``{url: (etag, last_modified)}`` for every discovery URL of a site."""
    rows = session.execute(
        sa.select(FetchStateRow.url, FetchStateRow.etag, FetchStateRow.last_modified)
        .where(FetchStateRow.site_id == site_id)
    ).all()
    return {url: (etag, modified) for url, etag, modified in rows}


def save_fetch_states(session: Session, site_id: int,
                      validators: dict[str, tuple[str | None, str | None, int]], *, at: datetime) -> None:
    """Insert or replace the validators ``{url: (etag, last_modified, http_status)}`` of
    many URLs: one executemany (a crawl ends with one per listing and sitemap page)."""
    if not validators:
        return
    from crawler.db.store import _dialect_insert

    insert = _dialect_insert(session, _TABLE)
    names = ("site_id", "etag", "last_modified", "http_status", "fetched_at")
    stmt = insert.on_conflict_do_update(index_elements=["url"],
                                        set_={n: insert.excluded[n] for n in names})
    session.connection().execute(stmt, [
        {"url": url, "site_id": site_id, "etag": etag, "last_modified": modified,
         "http_status": status, "fetched_at": at}
        for url, (etag, modified, status) in validators.items()
    ])
