"""Querying stored entities: articles by person, place or organisation; a person's roles.

Names are matched by ``name_key`` (case and tone-mark placement do not matter); a
query written without diacritics ("quynh nhai") matches without them.

Places: ``"xã Mường Giàng"``, ``"Mường Giàng"``, a code (``"03703"``) or a code in one
system (``"2024:03703"``, ``"2025:03703"``). With ``include_successors`` a unit also
matches its equivalents across the July 2025 reform:

- a pre-2025 unit: articles naming it, plus articles naming its successor(s) directly
  (a sibling commune merged into the same successor does not match);
- a current unit: articles naming it, plus articles naming any of its predecessors.

Districts have no equivalent (they were abolished). Unresolved place mentions never match.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session, defer, joinedload

from crawler.db.entity_models import AdminUnitRow, EntityMentionRow, OrganizationRow, PersonRoleRow, PersonRow
from crawler.db.entity_store import fold
from crawler.db.models import ArticleRow, SiteRow
from crawler.entities import extract_entities
from crawler.entities import gazetteer as gz
from crawler.entities.gazetteer import name_key

_CODE = re.compile(r"(?:(2024|2025):)?(\d{2,5})")
_LEVEL_WORDS = sorted(gz.LEVEL_TIERS, key=len, reverse=True)


class PersonRole(NamedTuple):
    role: str
    seen_at: datetime
    article_id: int


def _plain(text: str) -> bool:
    """The query has no diacritics: match on the folded column."""
    return fold(text) == name_key(text)


@cache
def _folded_names() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in gz.load().by_name:
        out.setdefault(fold(key), []).append(key)
    return out


@cache
def _predecessors() -> dict[tuple[str, str], list[str]]:
    """(tier, 2025 code) -> the 2024 codes that became part of it."""
    out: dict[tuple[str, str], list[str]] = {}
    for unit in gz.load().units.values():
        for code in unit.successors:
            out.setdefault((unit.tier, code), []).append(unit.code)
    return out


def place_units(name_or_code: str) -> list[gz.Unit]:
    """Gazetteer units a place query names (any system; a level word narrows the tier)."""
    g = gz.load()
    query = " ".join(name_or_code.split())
    if m := _CODE.fullmatch(query):
        systems = [m.group(1)] if m.group(1) else ["2024", "2025"]
        return [u for (s, _t, c), u in g.units.items() if s in systems and c == m.group(2)]
    key, tiers = name_key(query), cast(tuple[str, ...], ("province", "district", "commune"))
    for word in _LEVEL_WORDS:
        if key.startswith(word + " "):
            key, tiers = key[len(word) + 1 :], gz.LEVEL_TIERS[word]
            break
    keys = _folded_names().get(key, []) if _plain(key) else [key]
    return [u for k in keys for u in g.by_name.get(k, []) if u.tier in tiers]


def _codes(units: list[gz.Unit], equivalents: bool) -> tuple[set[str], set[str]]:
    """(2024 codes to match, 2025 codes to match when named directly)."""
    old = {u.code for u in units if u.system == "2024"}
    new = {u.code for u in units if u.system == "2025"}
    if not equivalents:
        return old, new
    successors = {c for u in units if u.system == "2024" for c in u.successors}
    preds = {c for u in units if u.system == "2025" for c in _predecessors().get((u.tier, u.code), [])}
    return old | preds, new | successors


def place_mentions(name_or_code: str, *, include_successors: bool = True) -> sa.Select:
    """``SELECT article_id`` of the mentions of a place (see the module docstring)."""
    old, new = _codes(place_units(name_or_code), include_successors)
    m = EntityMentionRow
    return sa.select(m.article_id).where(sa.or_(
        m.unit_2024_id.in_(_unit_ids("2024", old)),
        sa.and_(m.unit_2025_id.in_(_unit_ids("2025", new)), m.unit_2024_id.is_(None)),
    ))  # fmt: skip


def _unit_ids(system: str, codes: set[str]) -> sa.Select:
    return sa.select(AdminUnitRow.id).where(AdminUnitRow.system == system, AdminUnitRow.code.in_(codes))


def _name_match(
    column_key: InstrumentedAttribute[str], column_fold: InstrumentedAttribute[str], name: str
) -> sa.ColumnElement[bool]:
    return column_fold == fold(name) if _plain(name) else column_key == name_key(name)


def person_mentions(name: str, *, province: str | None = None) -> sa.Select:
    """``SELECT article_id`` of the mentions of a person (any province unless given)."""
    stmt = sa.select(EntityMentionRow.article_id).join(PersonRow, EntityMentionRow.person_id == PersonRow.id)
    stmt = stmt.where(_name_match(PersonRow.key, PersonRow.fold, name))
    return stmt.where(PersonRow.province == province) if province is not None else stmt


def _org_keys(name: str) -> list[str]:
    """The query as typed and, when it reads as one organisation, its expanded form."""
    keys = [name_key(name)]
    mentions = extract_entities(name).mentions
    if len(mentions) == 1 and mentions[0].label == "ORG":
        keys.append(name_key(mentions[0].normalized))
    return list(dict.fromkeys(keys))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def org_mentions(name: str) -> sa.Select:
    """``SELECT article_id`` of the mentions of organisations with that name, or whose name
    starts with it ("Ban Tuyên giáo Tỉnh ủy" matches "Ban Tuyên giáo Tỉnh ủy Sơn La")."""
    org = OrganizationRow
    column, keys = (org.fold, [fold(name)]) if _plain(name) else (org.key, _org_keys(name))
    match = [sa.or_(column == k, column.like(_escape_like(k) + " %", escape="\\")) for k in keys]
    stmt = sa.select(EntityMentionRow.article_id).join(org, EntityMentionRow.organization_id == org.id)
    return stmt.where(sa.or_(*match))


def list_articles_mentioning(
    session: Session,
    *,
    person: str | None = None,
    place: str | None = None,
    organization: str | None = None,
    include_successors: bool = True,
    site_key: str | None = None,
    limit: int | None = None,
) -> list[ArticleRow]:
    """Articles mentioning all of the given person, place and organisation, newest first
    (undated last), with ``site`` loaded and without raw HTML."""
    stmt = sa.select(ArticleRow).options(
        joinedload(ArticleRow.site), defer(ArticleRow.raw_html, raiseload=True)
    )
    filters: list[sa.Select] = []
    if person:
        filters.append(person_mentions(person))
    if place:
        filters.append(place_mentions(place, include_successors=include_successors))
    if organization:
        filters.append(org_mentions(organization))
    for ids in filters:
        stmt = stmt.where(ArticleRow.id.in_(ids))
    if site_key is not None:
        stmt = stmt.join(SiteRow).where(SiteRow.key == site_key)
    # Undated articles last, as in ``list_articles``.
    order = (ArticleRow.published_at.desc().nulls_last(), ArticleRow.first_seen_at.desc(),
             ArticleRow.id.desc())  # fmt: skip
    return list(session.scalars(stmt.order_by(*order).limit(limit)))


def articles_mentioning_place(
    session: Session, name_or_code: str, *, include_successors: bool = True
) -> list[ArticleRow]:
    """Articles naming a place (name or code) and, by default, its equivalents across the
    2025 reform (see the module docstring)."""
    return list_articles_mentioning(session, place=name_or_code, include_successors=include_successors)


def articles_mentioning_person(session: Session, name: str) -> list[ArticleRow]:
    """Articles naming a person (every province's person of that name)."""
    return list_articles_mentioning(session, person=name)


def articles_mentioning_org(session: Session, name: str) -> list[ArticleRow]:
    """Articles naming an organisation, or one whose name starts with ``name``."""
    return list_articles_mentioning(session, organization=name)


def roles_of_person(session: Session, name: str, *, province: str | None = None) -> list[PersonRole]:
    """Every role articles gave a person, oldest first: ``(role, seen_at, article_id)``."""
    stmt = sa.select(PersonRoleRow.role, PersonRoleRow.seen_at, PersonRoleRow.article_id).join(PersonRow)
    stmt = stmt.where(_name_match(PersonRow.key, PersonRow.fold, name))
    if province is not None:
        stmt = stmt.where(PersonRow.province == province)
    stmt = stmt.order_by(PersonRoleRow.seen_at, PersonRoleRow.article_id, PersonRoleRow.id)
    return [PersonRole(*row) for row in session.execute(stmt)]
