"""Full-text search over stored articles, with and without diacritics, ranked, with snippets.

The index is ``article_fts`` (migration 0006), kept in sync with ``article`` by triggers:
SQLite FTS5 (bm25 ranking, ``snippet()``) or PostgreSQL full-text search with
``unaccent`` (``ts_rank_cd``, ``ts_headline``). Both fold diacritics on each side, so
"quynh nhai" and "Quỳnh Nhai" find the same articles.

Query syntax: words must all occur (in any order); words in double quotes must occur as
a phrase. Anything else (operators, SQL or FTS syntax characters) is not syntax: only
the words are kept, and they reach the database as bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.db.models import ArticleRow, SiteRow
from crawler.monitor.filters import ArticleFilter
from crawler.monitor.text import fold, words

MARK_START, MARK_END, ELLIPSIS = "[", "]", "…"
_QUOTED = re.compile(r'"([^"]*)"')
_FTS = sa.table("article_fts", sa.column("rowid"), sa.column("article_id"), sa.column("document"))


class SearchError(ValueError):
    """The query cannot be searched; the message is one line for the user."""


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    site: str
    title: str | None
    url: str
    published_at: datetime | None
    status: str
    score: float
    """Higher is better (both backends)."""
    snippet: str
    """Text around the matches, matched words between ``[`` and ``]``."""


def parse_query(query: str) -> list[list[str]]:
    """The query as phrases of folded words: ``'"Quỳnh Nhai" lúa'`` -> [[quynh, nhai], [lua]]."""
    phrases = [words(fold(q)) for q in _QUOTED.findall(query)]
    rest = _QUOTED.sub(" ", query).replace('"', " ")
    phrases += [[w] for w in words(fold(rest))]
    phrases = [p for p in phrases if p]
    if not phrases:
        raise SearchError(f"the query {query!r} has no words to search for (letters or digits)")
    return phrases


def _columns(score: sa.ColumnElement[float], snippet: sa.ColumnElement[str]) -> list[Any]:
    return [ArticleRow.id, SiteRow.key, ArticleRow.title, ArticleRow.canonical_url,
            ArticleRow.published_at, ArticleRow.status, score.label("score"), snippet.label("snippet")]


def _sqlite_select(phrases: list[list[str]]) -> sa.Select:
    match = " ".join('"' + " ".join(p) + '"' for p in phrases)
    score = sa.literal_column("-bm25(article_fts, 10.0, 4.0, 1.0)", sa.Float)
    snippet = sa.func.snippet(sa.literal_column("article_fts"), -1, MARK_START, MARK_END, ELLIPSIS, 24)
    stmt = sa.select(*_columns(score, snippet)).select_from(_FTS)
    stmt = stmt.join(ArticleRow, ArticleRow.id == _FTS.c.rowid)
    return stmt.where(sa.text("article_fts MATCH :match").bindparams(match=match))


def _pg_query(phrases: list[list[str]]) -> sa.ColumnElement:
    tsquery = " & ".join("(" + " <-> ".join(p) + ")" for p in phrases)
    return sa.func.to_tsquery(sa.literal_column("'provnews'::regconfig"), tsquery)


def _pg_select(phrases: list[list[str]]) -> sa.Select:
    query = _pg_query(phrases)
    score = sa.func.ts_rank_cd(_FTS.c.document, query, 1)
    stmt = sa.select(*_columns(score, sa.literal(""))).select_from(_FTS)
    stmt = stmt.join(ArticleRow, ArticleRow.id == _FTS.c.article_id)
    return stmt.where(_FTS.c.document.op("@@")(query))


def _pg_snippets(session: Session, phrases: list[list[str]], ids: list[int]) -> dict[int, str]:
    """Headlines for the hits only (``ts_headline`` re-parses the text, so not for every match)."""
    if not ids:
        return {}
    body = sa.func.concat_ws(" ", ArticleRow.lead, ArticleRow.text)
    options = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", FragmentDelimiter="{ELLIPSIS}", '
               "MaxWords=30, MinWords=12, MaxFragments=2")  # fmt: skip
    config: sa.ColumnElement[Any] = sa.literal_column("'provnews'::regconfig")
    headline = sa.func.ts_headline(config, body, _pg_query(phrases), options)
    rows = session.execute(sa.select(ArticleRow.id, headline).where(ArticleRow.id.in_(ids)))
    return {article_id: " ".join(text.split()) for article_id, text in rows}


def search(session: Session, query: str, where: ArticleFilter | None = None, *,
           limit: int = 20) -> list[SearchHit]:  # fmt: skip
    """The best ``limit`` stored articles for ``query`` under ``where``, best first."""
    phrases = parse_query(query)
    postgres = session.get_bind().dialect.name == "postgresql"
    stmt = _pg_select(phrases) if postgres else _sqlite_select(phrases)
    stmt = stmt.join(SiteRow, SiteRow.id == ArticleRow.site_id)
    stmt = (where or ArticleFilter()).apply(session, stmt, joined_site=True)
    stmt = stmt.order_by(sa.desc("score"), ArticleRow.id.desc()).limit(limit)
    rows = session.execute(stmt).all()
    snippets = _pg_snippets(session, phrases, [r.id for r in rows]) if postgres else {}
    return [
        SearchHit(article_id=r.id, site=r.key, title=r.title, url=r.canonical_url,
                  published_at=r.published_at, status=r.status, score=float(r.score),
                  snippet=snippets.get(r.id, " ".join((r.snippet or "").split())))
        for r in rows
    ]  # fmt: skip
