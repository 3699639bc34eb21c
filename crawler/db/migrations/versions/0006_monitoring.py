"""Monitoring: watchlists, alerts and their deliveries; the full-text index of articles.

The index is ``article_fts`` on both databases, filled by triggers on ``article`` so it
follows every stored version (new, updated, deleted) whoever writes the row:

- SQLite: an FTS5 table over ``article`` (external content, so snippets come from the
  stored text), tokenizer ``unicode61 remove_diacritics 2``; the triggers turn "đ" into
  "d", which Unicode does not decompose.
- PostgreSQL: ``article_fts(article_id, document tsvector)`` with a GIN index, built with
  the ``provnews`` text search configuration (``simple`` behind ``unaccent``).

Note for later migrations: a SQLite batch rebuild of ``article`` drops its triggers; call
``create_sqlite_triggers()`` from this module again after one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
FTS_COLUMNS = ("title", "lead", "text")


def _fold_d(expr: str) -> str:
    return f"replace(replace({expr}, 'đ', 'd'), 'Đ', 'D')"


def _values(prefix: str) -> str:
    return ", ".join(_fold_d(f"{prefix}.{c}") for c in FTS_COLUMNS)


# S608 below: every SQL string is built from this module's constants, never from input.
def create_sqlite_triggers() -> None:
    cols = ", ".join(FTS_COLUMNS)
    insert = f"INSERT INTO article_fts(rowid, {cols}) VALUES (new.id, {_values('new')});"  # noqa: S608
    delete = f"INSERT INTO article_fts(article_fts, rowid, {cols}) VALUES ('delete', old.id, "  # noqa: S608
    delete += f"{_values('old')});"
    op.execute(f"CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN {delete} END")
    op.execute(f"CREATE TRIGGER article_fts_update AFTER UPDATE OF {cols} ON article "
               f"BEGIN {delete} {insert} END")  # fmt: skip


def _sqlite_upgrade() -> None:
    cols = ", ".join(FTS_COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE article_fts USING fts5({cols}, content='article', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(f"INSERT INTO article_fts(rowid, {cols}) SELECT id, {_values('article')} FROM article")  # noqa: S608
    create_sqlite_triggers()


PG_DOCUMENT = (
    "setweight(to_tsvector('provnews', coalesce({p}.title, '')), 'A') || "
    "setweight(to_tsvector('provnews', coalesce({p}.lead, '')), 'B') || "
    "setweight(to_tsvector('provnews', coalesce({p}.text, '')), 'C')"
)
PG_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword"


def _pg_unaccent() -> None:
    available = op.get_bind().exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'"
    ).first()
    if available is None:
        raise CommandError(
            "PostgreSQL extension 'unaccent' is not available on this server: install the "
            "server's contrib modules (Debian's postgresql-15 package ships them)"
        )
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


def _pg_upgrade() -> None:
    _pg_unaccent()
    op.execute("CREATE TEXT SEARCH CONFIGURATION provnews (COPY = simple)")
    op.execute(f"ALTER TEXT SEARCH CONFIGURATION provnews ALTER MAPPING FOR {PG_TOKENS} "
               "WITH unaccent, simple")  # fmt: skip
    op.execute(
        "CREATE TABLE article_fts (article_id INTEGER NOT NULL, document TSVECTOR NOT NULL, "
        "CONSTRAINT pk_article_fts PRIMARY KEY (article_id), "
        "CONSTRAINT fk_article_fts__article_id__article FOREIGN KEY (article_id) "
        "REFERENCES article (id) ON DELETE CASCADE)"
    )
    op.execute("CREATE INDEX ix_article_fts__document ON article_fts USING gin (document)")
    upsert = f"INSERT INTO article_fts (article_id, document) VALUES (NEW.id, {PG_DOCUMENT.format(p='NEW')}) "  # noqa: S608
    op.execute(
        "CREATE FUNCTION article_fts_refresh() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{upsert} ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document; RETURN NULL; END $$"
    )
    op.execute("CREATE TRIGGER article_fts_refresh AFTER INSERT OR UPDATE OF title, lead, text "
               "ON article FOR EACH ROW EXECUTE FUNCTION article_fts_refresh()")  # fmt: skip
    fill = f"SELECT id, {PG_DOCUMENT.format(p='article')} FROM article"  # noqa: S608
    op.execute(f"INSERT INTO article_fts (article_id, document) {fill}")


def _create_tables() -> None:
    op.create_table(
        "watchlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        *(sa.Column(name, sa.JSON(), nullable=False)
          for name in ("keywords", "people", "places", "organizations", "sites", "provinces", "targets")),
        sa.Column("exact", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("checked_version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("mode IN ('instant', 'digest')", name="ck_watchlist__mode"),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist"),
        sa.UniqueConstraint("name", name="uq_watchlist__name"),
    )  # fmt: skip


def _create_alert_tables() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watchlist_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("matched", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('new', 'updated', 'removed')", name="ck_alert__kind"),
        sa.ForeignKeyConstraint(["watchlist_id"], ["watchlist.id"], ondelete="CASCADE",
                                name="fk_alert__watchlist_id__watchlist"),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE",
                                name="fk_alert__article_id__article"),
        sa.PrimaryKeyConstraint("id", name="pk_alert"),
        sa.UniqueConstraint("watchlist_id", "article_id", "version", "kind",
                            name="uq_alert__watchlist_id_article_id_version_kind"),
    )  # fmt: skip
    op.create_index("ix_alert__article_id", "alert", ["article_id"])
    op.create_index("ix_alert__created_at", "alert", ["created_at"])
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("delivered_at", Timestamp, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], ondelete="CASCADE",
                                name="fk_alert_delivery__alert_id__alert"),
        sa.PrimaryKeyConstraint("id", name="pk_alert_delivery"),
        sa.UniqueConstraint("alert_id", "target", name="uq_alert_delivery__alert_id_target"),
    )  # fmt: skip
    op.create_index("ix_alert_delivery__delivered_at_next_attempt_at", "alert_delivery",
                    ["delivered_at", "next_attempt_at"])  # fmt: skip


def upgrade() -> None:
    _create_tables()
    _create_alert_tables()
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS article_fts_refresh ON article")
        op.execute("DROP FUNCTION IF EXISTS article_fts_refresh()")
        op.execute("DROP TABLE IF EXISTS article_fts")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS provnews")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS article_fts_{name}")
        op.execute("DROP TABLE IF EXISTS article_fts")
    op.drop_table("alert_delivery")
    op.drop_table("alert")
    op.drop_table("watchlist")
