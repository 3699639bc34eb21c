"""``provnews db``: schema migrations."""

from __future__ import annotations

import click

from crawler import db
from crawler.cli.common import db_option, friendly_errors


@click.group(name="db")
def database() -> None:
    """Database maintenance."""


@database.command()
@db_option
def upgrade(db_url: str | None) -> None:
    """Apply all migrations (other commands do this on a new database)."""
    url = db.resolve_database_url(db_url)
    with friendly_errors():
        revision = db.upgrade(url)
    click.echo(f"{db.mask_url(url)} is at revision {revision}")
