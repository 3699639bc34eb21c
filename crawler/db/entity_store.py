"""Storing an article's entities: mentions, people with dated roles, units, organisations.

Identity rules (across articles):

- **Person**: same ``name_key`` (NFC, lower case, one tone-mark placement) *and* same
  source province = one person. Two "Nguyễn Văn Hùng" in Sơn La's news are one person
  (a known limitation: homonyms in one province merge); the same official named by
  another province's sites becomes a second person row (queries by name return both).
- **Organisation**: same ``name_key`` of the expanded name plus the province and
  district it belongs to ("Huyện ủy Quỳnh Nhai", Sơn La, Quỳnh Nhai).
- **Administrative unit**: official code within its system ("2024" or "2025"), rows
  copied from the gazetteer when first mentioned.

Like the rest of ``crawler.db``, functions take the session first and only flush.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawler.db.entity_models import (
    AdminUnitRow,
    EntityMentionRow,
    OrganizationRow,
    PersonRoleRow,
    PersonRow,
)
from crawler.db.models import ArticleRow, Base
from crawler.db.store import _dialect_insert
from crawler.entities import Entities, Mention
from crawler.entities import gazetteer as gz
from crawler.entities.gazetteer import name_key

_Row = TypeVar("_Row", bound=Base)
_TIERS = ("commune", "district", "province")
_EXTRA = ("outer_start", "cue", "roles", "level_stated", "unit_name_2024", "unit_name_2025",
          "province_code_2025", "candidates", "province", "district")  # fmt: skip


def fold(text: str) -> str:
    """``name_key`` without diacritics: "Mai Thu Hương" -> "mai thu huong"."""
    decomposed = unicodedata.normalize("NFD", name_key(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def gazetteer_unit(system: str, code: str) -> gz.Unit | None:
    """The gazetteer unit with that code in that system, whatever its tier."""
    g = gz.load()
    return next((u for t in _TIERS if (u := g.get(system, t, code)) is not None), None)


def _upsert(
    session: Session, model: type[_Row], rows: list[dict[str, Any]], keys: tuple[str, ...]
) -> dict[tuple[Any, ...], _Row]:
    """Insert rows missing by ``keys`` (``ON CONFLICT DO NOTHING``); map key tuple -> row."""
    if not rows:
        return {}
    table = cast(sa.Table, model.__table__)
    first: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:  # the first spelling inserts the row, as one article after another would
        first.setdefault(tuple(r[k] for k in keys), r)
    unique = list(first.values())
    insert = _dialect_insert(session, table).on_conflict_do_nothing(index_elements=list(keys))
    session.execute(insert, unique)
    cols = [getattr(model, k) for k in keys]
    wanted = {tuple(r[k] for k in keys) for r in unique}
    # The exact key tuples (an IN on the first column alone read every unit of a system).
    match = cols[0].in_({w[0] for w in wanted}) if len(cols) == 1 else sa.tuple_(*cols).in_(wanted)
    found: Iterable[_Row] = session.scalars(sa.select(model).where(match))
    return {k: row for row in found if (k := tuple(getattr(row, c) for c in keys)) in wanted}


def _people(session: Session, articles: list[tuple[Entities, str]]) -> dict[int, PersonRow]:
    """Person rows by ``id(mention)`` for (entities, source province) of some articles;
    aliases grow with every spelling seen."""
    rows = [{"key": name_key(p.name), "province": province, "name": p.name,
             "fold": fold(p.name), "aliases": []} for entities, province in articles
            for p in entities.people]  # fmt: skip
    found = _upsert(session, PersonRow, rows, ("key", "province"))
    out: dict[int, PersonRow] = {}
    for person, province in ((p, province) for entities, province in articles for p in entities.people):
        row = found[(name_key(person.name), province)]
        seen = [a for a in [person.name, *person.aliases] if a != row.name and a not in row.aliases]
        if seen:
            row.aliases = [*row.aliases, *dict.fromkeys(seen)]
        out.update({id(m): row for m in person.mentions})
    return out


def _orgs(session: Session, articles: list[Entities]) -> dict[int, OrganizationRow]:
    orgs = [o for entities in articles for o in entities.organizations]
    rows = [{"key": name_key(o.name), "province": o.province or "", "district": o.district or "",
             "name": o.name, "fold": fold(o.name)} for o in orgs]  # fmt: skip
    found = _upsert(session, OrganizationRow, rows, ("key", "province", "district"))
    out: dict[int, OrganizationRow] = {}
    for org in orgs:
        row = found[(name_key(org.name), org.province or "", org.district or "")]
        out.update({id(m): row for m in org.mentions})
    return out


def _unit_codes(m: Mention) -> tuple[str | None, str | None]:
    """(2024 code, 2025 code) of a place: the current unit at the same tier, if any."""
    code_2025 = m.unit_code_2025
    if code_2025 is None and m.unit_code_2024 and len(m.unit_code_2024) == 2:
        code_2025 = m.province_code_2025
    return m.unit_code_2024, code_2025


def _unit_row(system: str, code: str) -> dict[str, Any] | None:
    unit = gazetteer_unit(system, code)
    if unit is None:
        return None
    province = gz.load().province_of(unit)
    return {"system": system, "code": code, "tier": unit.tier, "name": unit.name,
            "key": name_key(unit.name), "level": unit.type, "parent_code": unit.parent,
            "province": province.name if province else None,
            "successor_codes": list(unit.successors) if system == "2024" else None}  # fmt: skip


def _units(session: Session, places: list[Mention]) -> dict[tuple[str, str], AdminUnitRow]:
    wanted = {(system, code) for m in places
              for system, code in zip(("2024", "2025"), _unit_codes(m), strict=True) if code}
    rows = [row for system, code in sorted(wanted) if (row := _unit_row(system, code)) is not None]
    return _upsert(session, AdminUnitRow, rows, ("system", "code"))


def _mention_row(article_id: int, m: Mention, ids: dict[str, Any]) -> dict[str, Any]:
    extra = {k: v for k in _EXTRA if (v := getattr(m, k)) not in (None, [], False, 0) or k == "outer_start"}
    return {"article_id": article_id, "label": m.label, "start": m.start, "end": m.end,
            "text": m.text, "normalized": m.normalized, "level": m.level,
            "resolved": m.resolved if m.label == "LOC" else True, "extra": extra, **ids}  # fmt: skip


def _role_rows(
    article_id: int, entities: Entities, people: dict[int, PersonRow], seen_at: datetime
) -> list[dict[str, Any]]:
    """One row per person and role, roles compared case- and tone-mark-insensitively."""
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for person in entities.people:
        row = people[id(person.mentions[0])]
        for role in person.roles:
            out.setdefault(
                (row.id, name_key(role)),
                {"person_id": row.id, "article_id": article_id, "role": role, "seen_at": seen_at},
            )
    return list(out.values())


def store_entities(
    session: Session, article_id: int, entities: Entities, *, seen_at: datetime | None = None
) -> int:
    """Replace the article's mentions and roles with ``entities``; return the mentions stored.

    Idempotent: storing the same entities again leaves the same rows. People,
    organisations and units are upserted by the identity rules in the module docstring.
    ``seen_at`` dates the roles; by default the article's ``published_at``, else its
    ``first_seen_at``. ``entities.source_province`` keys the people.
    """
    if seen_at is not None and seen_at.tzinfo is None:
        raise ValueError(f"seen_at must be timezone-aware, got naive {seen_at!r}")
    dates = {article_id: seen_at} if seen_at else None
    return store_entities_many(session, [(article_id, entities)], seen_at=dates)


def store_entities_many(session: Session, items: list[tuple[int, Entities]], *,
                        seen_at: dict[int, datetime] | None = None, fresh: bool = False) -> int:
    """``store_entities`` for several articles with a fixed number of statements (the
    crawl stores a batch's entities at once); returns the mentions stored. ``fresh``:
    the articles were just inserted, so there are no old mentions or roles to delete."""
    if not items:
        return 0
    ids = [article_id for article_id, _ in items]
    dates = dict(seen_at or {})
    missing = [i for i in ids if i not in dates]
    if missing:
        stmt = sa.select(ArticleRow.id, ArticleRow.published_at, ArticleRow.first_seen_at)
        for article_id, published, first_seen in session.execute(stmt.where(ArticleRow.id.in_(missing))):
            dates[article_id] = published or first_seen
    for article_id in ids:
        if article_id not in dates:
            raise LookupError(f"no article with id {article_id}")
    if not fresh:
        session.execute(sa.delete(EntityMentionRow).where(EntityMentionRow.article_id.in_(ids)))
        session.execute(sa.delete(PersonRoleRow).where(PersonRoleRow.article_id.in_(ids)))
    people = _people(session, [(e, e.source_province or "") for _, e in items])
    orgs = _orgs(session, [e for _, e in items])
    units = _units(session, [m for _, e in items for m in e.mentions if m.label == "LOC"])
    rows, roles = [], []
    for article_id, entities in items:
        for m in entities.mentions:
            code_2024, code_2025 = _unit_codes(m) if m.label == "LOC" else (None, None)
            u24, u25 = units.get(("2024", code_2024 or "")), units.get(("2025", code_2025 or ""))
            person, org = people.get(id(m)), orgs.get(id(m))
            rows.append(_mention_row(article_id, m, {
                "person_id": person.id if person else None,
                "organization_id": org.id if org else None,
                "unit_2024_id": u24.id if u24 else None,
                "unit_2025_id": u25.id if u25 else None,
            }))
        roles += _role_rows(article_id, entities, people, dates[article_id])
    # Core inserts (executemany): the ORM's bulk path costs several times more per row.
    if rows:
        session.connection().execute(sa.insert(cast(sa.Table, EntityMentionRow.__table__)), rows)
    if roles:
        session.connection().execute(sa.insert(cast(sa.Table, PersonRoleRow.__table__)), roles)
    session.flush()
    return len(rows)
