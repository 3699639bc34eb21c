"""Entity tables: people, their dated roles, administrative units, organisations, and
every mention of them per article (see ``crawler.db.entity_store`` for the rules).

Identity keys are ``crawler.entities.gazetteer.name_key`` of the name (NFC, lower case,
one tone-mark placement); ``fold`` is that key without diacritics, for searching
"mai thu huong". Unknown province or district is stored as ``""``, not NULL, so the
unique constraints hold on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crawler.db.models import ArticleRow, Base, _one_of

ENTITY_LABELS = ("PER", "LOC", "ORG")
UNIT_SYSTEMS = ("2024", "2025")
UNIT_TIERS = ("province", "district", "commune")


class PersonRow(Base):
    """One person across articles: same name key and same source province."""

    __tablename__ = "person"
    __table_args__ = (sa.UniqueConstraint("key", "province"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200))
    """``name_key`` of the name: the identity within a province."""
    province: Mapped[str] = mapped_column(sa.String(100), default="")
    """Province of the sites that mention the person ("" when unknown)."""
    name: Mapped[str] = mapped_column(sa.Text)
    """Display name, as first stored (title case)."""
    fold: Mapped[str] = mapped_column(sa.String(200), index=True)
    """``key`` without diacritics ("mai thu huong")."""
    aliases: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    """Other spellings and short forms seen ("Hương", "MAI THU HƯƠNG")."""

    roles: Mapped[list[PersonRoleRow]] = relationship(back_populates="person", lazy="raise")


class PersonRoleRow(Base):
    """A role an article gives a person, dated by the article."""

    __tablename__ = "person_role"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "article_id", "role"),
        sa.Index(None, "person_id", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.Text)
    """As written ("Trưởng Ban Tuyên giáo Tỉnh ủy")."""
    seen_at: Mapped[datetime]
    """The article's publication time, else when it was first seen."""

    person: Mapped[PersonRow] = relationship(back_populates="roles", lazy="raise")
    article: Mapped[ArticleRow] = relationship(lazy="raise")


class AdminUnitRow(Base):
    """An administrative unit of one system: "2024" (before July 2025) or "2025"."""

    __tablename__ = "admin_unit"
    __table_args__ = (
        sa.UniqueConstraint("system", "code"),
        sa.CheckConstraint(_one_of("system", UNIT_SYSTEMS), name="system"),
        sa.CheckConstraint(_one_of("tier", UNIT_TIERS), name="tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(sa.String(4))
    code: Mapped[str] = mapped_column(sa.String(8))
    """Official code: 2 digits province, 3 district, 5 commune."""
    tier: Mapped[str] = mapped_column(sa.String(16))
    """province, district or commune."""
    name: Mapped[str] = mapped_column(sa.Text)
    key: Mapped[str] = mapped_column(sa.String(200), index=True)
    level: Mapped[str] = mapped_column(sa.String(32))
    """Official type: "Tỉnh", "Huyện", "Xã", "Phường", "Thị trấn", "Đặc khu"..."""
    province: Mapped[str | None] = mapped_column(sa.Text)
    """Name of the province (same system) the unit belongs to."""
    parent_code: Mapped[str | None] = mapped_column(sa.String(8))
    """District code for a 2024 commune, province code otherwise (None for provinces)."""
    successor_codes: Mapped[list[str] | None] = mapped_column(sa.JSON)
    """2024 units only: the 2025 commune (or province) codes, the default first."""


class OrganizationRow(Base):
    """An organisation: expanded name plus the province/district it belongs to."""

    __tablename__ = "organization"
    __table_args__ = (sa.UniqueConstraint("key", "province", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300))
    province: Mapped[str] = mapped_column(sa.String(100), default="")
    district: Mapped[str] = mapped_column(sa.String(100), default="")
    name: Mapped[str] = mapped_column(sa.Text)
    """Abbreviations expanded, context attached ("Huyện ủy Quỳnh Nhai")."""
    fold: Mapped[str] = mapped_column(sa.String(300), index=True)


class EntityMentionRow(Base):
    """One mention in one article's title + lead + text, with what it resolved to."""

    __tablename__ = "entity_mention"
    __table_args__ = (sa.CheckConstraint(_one_of("label", ENTITY_LABELS), name="label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(3))
    start: Mapped[int]
    """Offset of the name in "title\\nlead\\ntext" (empty parts left out)."""
    end: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    """As written."""
    normalized: Mapped[str] = mapped_column(sa.Text)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"), index=True)
    unit_2024_id: Mapped[int | None] = mapped_column(sa.ForeignKey("admin_unit.id"), index=True)
    """The pre-2025 unit named (None when the name is a current unit only)."""
    unit_2025_id: Mapped[int | None] = mapped_column(sa.ForeignKey("admin_unit.id"), index=True)
    """The current unit: the one named, or the successor of the 2024 unit named."""
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    level: Mapped[str | None] = mapped_column(sa.String(32))
    """LOC: level as stated or inferred ("xã", "huyện", "bản"...)."""
    resolved: Mapped[bool] = mapped_column(default=False)
    """LOC: resolved to a unit; PER/ORG: always True."""
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The rest of the extraction: cue, roles, candidates, unit names, outer_start..."""

    person: Mapped[PersonRow | None] = relationship(lazy="raise")
    organization: Mapped[OrganizationRow | None] = relationship(lazy="raise")
    unit_2024: Mapped[AdminUnitRow | None] = relationship(foreign_keys=[unit_2024_id], lazy="raise")
    unit_2025: Mapped[AdminUnitRow | None] = relationship(foreign_keys=[unit_2025_id], lazy="raise")
    article: Mapped[ArticleRow] = relationship(lazy="raise")
