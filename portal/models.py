"""Database models (SQLAlchemy 2.0, typed).

Translated fields of the small directory records (services, offices, areas,
sites) are JSON maps ``{lang: text}``; orientation topics, which are long and
edited per language, have one row per language with its own translation status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .constants import SOURCE_LANGUAGE, TranslationStatus
from .extensions import db

Translated = dict[str, str]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def pick(translated: Translated | None, lang: str) -> str:
    """The text in ``lang``, falling back to the German source."""
    if not translated:
        return ""
    return translated.get(lang) or translated.get(SOURCE_LANGUAGE, "")


topic_service = Table(
    "topic_service",
    db.metadata,
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)


class Topic(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    related: Mapped[list[str]] = mapped_column(JSON, default=list)

    translations: Mapped[list[TopicTranslation]] = relationship(
        back_populates="topic", cascade="all, delete-orphan"
    )
    services: Mapped[list[Service]] = relationship(
        secondary=topic_service, back_populates="topics", order_by="Service.position"
    )

    def translation(self, lang: str) -> TopicTranslation | None:
        return next((t for t in self.translations if t.lang == lang), None)


class TopicTranslation(db.Model):  # type: ignore[name-defined]
    __table_args__ = (UniqueConstraint("topic_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    last_reviewed: Mapped[dt.date] = mapped_column(Date)
    # The German revision this text was written from (for German: the revision itself).
    source_revision: Mapped[int] = mapped_column(Integer)
    translation_status: Mapped[str] = mapped_column(String(32))

    topic: Mapped[Topic] = relationship(back_populates="translations")

    @property
    def is_outdated(self) -> bool:
        return self.translation_status == TranslationStatus.OUTDATED


class SocialArea(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[Translated] = mapped_column(JSON)
    municipalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class AccommodationSite(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[Translated] = mapped_column(JSON)
    note: Mapped[Translated | None] = mapped_column(JSON, nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("social_area.id"), nullable=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)

    area: Mapped[SocialArea | None] = relationship()


class Service(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[Translated] = mapped_column(JSON)
    short: Mapped[Translated] = mapped_column(JSON)
    description: Mapped[Translated] = mapped_column(JSON)
    target_group: Mapped[Translated] = mapped_column(JSON)
    provider: Mapped[str | None] = mapped_column(String(200), nullable=True)
    website: Mapped[str | None] = mapped_column(String(300), nullable=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)

    offices: Mapped[list[Office]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Office.position"
    )
    eligibility_rules: Mapped[list[EligibilityRule]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="EligibilityRule.position"
    )
    topics: Mapped[list[Topic]] = relationship(
        secondary=topic_service, back_populates="services", order_by="Topic.position"
    )

    @property
    def shows_demo_data(self) -> bool:
        return self.demo or any(office.demo for office in self.offices)


class EligibilityRule(db.Model):  # type: ignore[name-defined]
    """One alternative way to be eligible; every condition that is set must hold."""

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    residence_statuses: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    housing: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    areas: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)

    service: Mapped[Service] = relationship(back_populates="eligibility_rules")


class Office(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("social_area.id"), nullable=True)
    name: Mapped[Translated] = mapped_column(JSON)
    street: Mapped[str | None] = mapped_column(String(200), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    city: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    wheelchair_accessible: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    accessibility_note: Mapped[Translated | None] = mapped_column(JSON, nullable=True)
    appointment_only: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)

    service: Mapped[Service] = relationship(back_populates="offices")
    area: Mapped[SocialArea | None] = relationship()
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="office",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )


class OpeningHours(db.Model):  # type: ignore[name-defined]
    """A weekly time range in Europe/Berlin local time. weekday: 0 = Monday."""

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)
    appointment_only: Mapped[bool] = mapped_column(Boolean, default=False)

    office: Mapped[Office] = relationship(back_populates="opening_hours")


class SearchEntry(db.Model):  # type: ignore[name-defined]
    """Normalised search text per record and language, rebuilt by ``content load``."""

    __table_args__ = (UniqueConstraint("kind", "slug", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(200))
    title_normalized: Mapped[str] = mapped_column(String(400))
    text_normalized: Mapped[str] = mapped_column(Text)


class StaffUser(UserMixin, db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def as_dict(self) -> dict[str, Any]:
        return {"email": self.email, "name": self.name, "role": self.role}
