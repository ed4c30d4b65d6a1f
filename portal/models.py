"""Database models (SQLAlchemy 2.0, typed).

Translated fields of the small directory records (services, offices, areas,
sites) are JSON maps ``{lang: text}``; orientation topics, which are long and
edited per language, have one row per language with its own translation status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .constants import (
    SOURCE_LANGUAGE,
    TIMEZONE,
    AppointmentStatus,
    HandoverStatus,
    IntakeStatus,
    JobStatus,
    MessageStatus,
    TranslationStatus,
)
from .crypto import EncryptedJSON
from .extensions import db

Translated = dict[str, str]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A point in time stored as naive UTC on every backend and read back as aware UTC.

    SQLite has no time zone type; storing one representation everywhere keeps
    comparisons and unique constraints identical on SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Lotse stores only aware times")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


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
        """Written from an older German text (worked out, so it can never disagree)."""
        if self.lang == SOURCE_LANGUAGE:
            return False
        return (
            self.translation_status == TranslationStatus.OUTDATED
            or self.source_revision < self.topic.revision
        )


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
    appointment_types: Mapped[list[AppointmentType]] = relationship(
        back_populates="service",
        cascade="all, delete-orphan",
        order_by="AppointmentType.position",
    )

    @property
    def bookable(self) -> bool:
        return bool(self.appointment_types)

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
    # When an editor last confirmed address, hours and languages with the office; NULL: never.
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    service: Mapped[Service] = relationship(back_populates="offices")
    area: Mapped[SocialArea | None] = relationship()
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="office",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )
    counsellors: Mapped[list[StaffUser]] = relationship(
        secondary="counsellor_office", back_populates="offices", order_by="StaffUser.name"
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
    # Languages the counsellor can counsel in (ISO 639-1), for offering matching slots first.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Two-factor authentication (TOTP, RFC 6238): the shared secret, encrypted at rest; set
    # at enrolment, confirmed (totp_enabled_at) once the person typed a valid code.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedJSON, nullable=True)
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last time step a code was accepted for, so a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # argon2 hashes of the unused one-time recovery codes.
    recovery_code_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set by an admin's password reset: the person must choose a new password after sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    offices: Mapped[list[Office]] = relationship(
        secondary="counsellor_office", back_populates="counsellors", order_by="Office.position"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def as_dict(self) -> dict[str, Any]:
        return {"email": self.email, "name": self.name, "role": self.role}


counsellor_office = Table(
    "counsellor_office",
    db.metadata,
    Column("staff_user_id", ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("office.id", ondelete="CASCADE"), primary_key=True),
)


class AppointmentType(db.Model):  # type: ignore[name-defined]
    """A kind of appointment a service offers, e.g. a 45-minute first consultation.

    All minute values are multiples of 5, the resolution of the calendar claims.
    """

    __table_args__ = (UniqueConstraint("service_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[Translated] = mapped_column(JSON)
    bring: Mapped[Translated | None] = mapped_column(JSON, nullable=True)
    first_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_minutes: Mapped[int] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer)
    slot_interval_minutes: Mapped[int] = mapped_column(Integer)
    modes: Mapped[list[str]] = mapped_column(JSON)

    service: Mapped[Service] = relationship(back_populates="appointment_types")


class AvailabilityRule(db.Model):  # type: ignore[name-defined]
    """A weekly window in which a counsellor takes appointments at one office (local time)."""

    __table_args__ = (
        CheckConstraint("starts < ends", name="starts_before_ends"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    starts: Mapped[dt.time] = mapped_column(Time)
    ends: Mapped[dt.time] = mapped_column(Time)
    modes: Mapped[list[str]] = mapped_column(JSON)

    counsellor: Mapped[StaffUser] = relationship()
    office: Mapped[Office] = relationship()


class Absence(db.Model):  # type: ignore[name-defined]
    """A time a counsellor takes no appointments (leave, training, illness)."""

    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_ends"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)

    counsellor: Mapped[StaffUser] = relationship()

    @property
    def first_local_day(self) -> dt.date:
        return self.starts_at.astimezone(ZoneInfo(TIMEZONE)).date()

    @property
    def last_local_day(self) -> dt.date:
        return (self.ends_at - dt.timedelta(microseconds=1)).astimezone(ZoneInfo(TIMEZONE)).date()


_STATUS_LIST = ", ".join(f"'{status.value}'" for status in AppointmentStatus)


class Appointment(db.Model):  # type: ignore[name-defined]
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint(f"status IN ({_STATUS_LIST})", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Read out on the phone; not a secret (the manage token is).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    idempotency_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="RESTRICT"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="RESTRICT"))
    appointment_type_id: Mapped[int] = mapped_column(
        ForeignKey("appointment_type.id", ondelete="RESTRICT")
    )
    counsellor_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="RESTRICT"), index=True
    )
    mode: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default=TIMEZONE)
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.BOOKED)
    client_language: Mapped[str] = mapped_column(String(8))
    interpreter_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # Topics can reveal health or violence (Art. 9 GDPR): encrypted like the contact details.
    # NULL when none were chosen or once erased, so "holds details" is a plain query.
    topics: Mapped[list[str] | None] = mapped_column(EncryptedJSON, nullable=True)
    contact: Mapped[dict[str, str] | None] = mapped_column(EncryptedJSON, nullable=True)
    origin: Mapped[str] = mapped_column(String(8))
    cancelled_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(EncryptedJSON, nullable=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)

    service: Mapped[Service] = relationship()
    office: Mapped[Office] = relationship()
    appointment_type: Mapped[AppointmentType] = relationship()
    counsellor: Mapped[StaffUser] = relationship()
    claims: Mapped[list[CalendarClaim]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan"
    )
    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="appointment", order_by="ConsentRecord.given_at"
    )
    intake: Mapped[Intake | None] = relationship(back_populates="appointment")

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    @property
    def is_cancelled(self) -> bool:
        return self.status == AppointmentStatus.CANCELLED

    def is_upcoming(self, now: dt.datetime | None = None) -> bool:
        """Booked and not started yet: the client can still change, cancel or prepare it."""
        return self.is_booked and self.starts_at > (now or utcnow())


class CalendarClaim(db.Model):  # type: ignore[name-defined]
    """One 5-minute cell of a counsellor's time held by an appointment (buffers included).

    The unique constraint is what makes double booking impossible: two appointments
    that overlap for even one cell cannot both be committed, on SQLite or PostgreSQL,
    whatever the application code does.
    """

    __table_args__ = (UniqueConstraint("counsellor_id", "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="RESTRICT"))
    # Minutes since the Unix epoch (UTC) divided by 5.
    cell: Mapped[int] = mapped_column(Integer)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )

    appointment: Mapped[Appointment] = relationship(back_populates="claims")


class OutboundMessage(db.Model):  # type: ignore[name-defined]
    """A notification waiting to be sent (durable queue; survives a mail server outage).

    The payload (recipient, subject, text, attachment) is encrypted and erased once
    the message is sent or no longer needed.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING, index=True)
    language: Mapped[str] = mapped_column(String(8))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), nullable=True, index=True
    )
    payload: Mapped[dict[str, str] | None] = mapped_column(EncryptedJSON, nullable=True)
    send_after: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    # The error class and SMTP code only, never message content.
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentText(db.Model):  # type: ignore[name-defined]
    """One version of a consent text in one language, as loaded from ``content/consent/``.

    Old versions are kept for as long as any record points to them: a client agreed to
    exactly these words, and a newer text never applies to that agreement.
    """

    __table_args__ = (UniqueConstraint("purpose", "lang", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    # First 16 hex digits of the SHA-256 of the file: any edit makes a new version.
    version: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(400))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentRecord(db.Model):  # type: ignore[name-defined]
    """A client's consent to one purpose: which text version, when, where; and its withdrawal."""

    __table_args__ = (
        # At most one consent in force per appointment and purpose.
        Index(
            "uq_consent_in_force",
            "appointment_id",
            "purpose",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    consent_text_id: Mapped[int] = mapped_column(ForeignKey("consent_text.id", ondelete="RESTRICT"))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(8))
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    appointment: Mapped[Appointment] = relationship(back_populates="consents")
    text: Mapped[ConsentText] = relationship()

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class Intake(db.Model):  # type: ignore[name-defined]
    """A client's pre-intake answers for one appointment.

    Everything the client wrote is encrypted; the row itself (status and times, no
    personal data) stays after the answers are erased, so yearly counts survive.
    """

    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{status.value}'" for status in IntakeStatus)),
            name="known_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public id in summaries and case systems (never the database id).
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default=IntakeStatus.DRAFT)
    answers: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, nullable=True)
    # The frozen German summary document (intake-summary-v1) as handed over.
    summary: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    prepared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    imported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    appointment: Mapped[Appointment] = relationship(back_populates="intake")
    imported_by: Mapped[StaffUser | None] = relationship()


class HandoverDelivery(db.Model):  # type: ignore[name-defined]
    """One event for one receiving system: a durable outbox entry with retries.

    ``webhook_id`` is the Standard Webhooks message id; receivers use it to drop
    duplicates, so a retry after a lost response never creates a second record.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(32))
    system: Mapped[str] = mapped_column(String(16))
    # Name of the receiving target in the hand-over configuration.
    target: Mapped[str] = mapped_column(String(100))
    office_id: Mapped[int | None] = mapped_column(
        ForeignKey("office.id", ondelete="SET NULL"), nullable=True
    )
    intake_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=HandoverStatus.PENDING, index=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    # Error class and status code only, never content.
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The receiver's reference, e.g. a Zammad ticket id, for follow-up events.
    external_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    office: Mapped[Office | None] = relationship()


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """Who did what to which record, and when (no content, no personal data of clients)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A short reference such as "health:ar rev 4" or a period; never content.
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)

    actor: Mapped[StaffUser | None] = relationship()


class ChatCount(db.Model):  # type: ignore[name-defined]
    """Chat statistics for the annual report: counts per day, language and intent, no text."""

    __table_args__ = (UniqueConstraint("day", "kind", "language", "intent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class ContentRevision(db.Model):  # type: ignore[name-defined]
    """One saved version of an editable record (a topic translation, service, office or
    consent text): the editable fields as JSON, who wrote it and where it stands.

    The live records hold what clients see; a revision changes them only when it is
    published. ``number`` counts up per record; the unique constraint makes two editors
    who saved from the same version collide instead of overwriting each other.
    """

    __table_args__ = (
        UniqueConstraint("record_type", "record_key", "number"),
        Index("ix_content_revision_record", "record_type", "record_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_key: Mapped[str] = mapped_column(String(140))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A German edit marked minor (a typo) leaves the translations up to date.
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    restored_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    author: Mapped[StaffUser | None] = relationship(foreign_keys=[author_id])
    submitted_by: Mapped[StaffUser | None] = relationship(foreign_keys=[submitted_by_id])
    published_by: Mapped[StaffUser | None] = relationship(foreign_keys=[published_by_id])


class BackgroundJob(db.Model):  # type: ignore[name-defined]
    """Work done by the jobs process with visible progress (e.g. a machine-translation draft).

    ``params`` holds references only (topic slug, languages), never texts.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED, index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    # What the job produced, e.g. {"revision_id": 12}.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # A message for the editor (e.g. which language package to install); no content.
    error: Mapped[str | None] = mapped_column(String(400), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    created_by: Mapped[StaffUser | None] = relationship()


class TopicCount(db.Model):  # type: ignore[name-defined]
    """How many appointments were booked per month, office and topic, for the annual report.

    An appointment's own topics are encrypted and erased with its other details; this count
    holds no link to any appointment or person, so it survives the purge.
    """

    __table_args__ = (UniqueConstraint("day", "office_id", "topic", "demo"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first day of the month of booking (a finer date could single out a person).
    day: Mapped[dt.date] = mapped_column(Date)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)
    # Counts of demo bookings are kept apart, so the figures can leave them out.
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
