"""Shared pieces of the CLI: one-line errors, the --db option, plain tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.engine import Engine

from crawler import db
from crawler.registry import RegistryError, Site, load_registry

EXIT_ERROR = 1
EXIT_USAGE = 2


class ProvnewsError(click.ClickException):
    """A user-facing error, printed as ``provnews: error: <one line>``."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR):
        super().__init__(" ".join(message.split()))
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class

    def show(self, file: Any = None) -> None:
        click.echo(f"provnews: error: {self.format_message()}", err=True)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one-line messages."""
    try:
        yield
    except db.DatabaseError as exc:
        raise ProvnewsError(str(exc)) from None
    except RegistryError as exc:
        raise ProvnewsError(f"registry: {exc}", EXIT_USAGE) from None


def open_engine(db_url: str | None) -> Engine:
    with friendly_errors():
        return db.open_database(db_url)


def registry() -> dict[str, Site]:
    with friendly_errors():
        return load_registry()


def pick_sites(keys: tuple[str, ...], sites: dict[str, Site]) -> list[str]:
    unknown = [k for k in keys if k not in sites]
    if unknown:
        raise ProvnewsError(
            f"unknown site key {', '.join(repr(k) for k in unknown)} "
            f"(see `provnews sites list`)", EXIT_USAGE,
        )
    return list(keys)


def table(rows: list[list[Any]], headers: list[str]) -> str:
    """A plain-text table, columns padded to their widest cell."""
    cells = [[("" if v is None else str(v)) for v in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def shorten(text: str | None, width: int) -> str:
    if not text:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


db_option = click.option(
    "--db", "db_url", metavar="URL", envvar="PROVNEWS_DATABASE_URL", show_envvar=True,
    help="SQLAlchemy database URL [default: sqlite:///data/provnews.db].",
)
