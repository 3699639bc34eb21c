"""Alembic environment for provnews.

Normally driven by ``crawler.db.engine`` which passes an open connection in
``config.attributes["connection"]``. Run by hand (``alembic -c crawler/db/alembic.ini
...``, e.g. to autogenerate a revision) it opens ``resolve_database_url()``.
"""

from __future__ import annotations

from alembic import context

from crawler.db.engine import create_engine_for, resolve_database_url
from crawler.db.models import Base


def _not_search_index(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and (name or "").startswith("article_fts"))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        # The search index (0006) is kept by triggers, not by the models: leave it alone.
        include_name=_not_search_index,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine_for(resolve_database_url(None))
    try:
        with engine.begin() as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()
