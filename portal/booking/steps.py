"""The client's choices so far, carried from step to step in the URL or hidden fields.

Steps 1–4 (service, type, office and mode, day, time) hold no personal data, so they
travel in the query string and every step is a plain link: back, reload and a lost
connection lose nothing. Contact details only ever travel in POST bodies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..constants import TOPIC_SLUGS, Origin
from ..extensions import db
from ..models import AppointmentType, Office, Service
from .forms import Details
from .service import BookingRequest

STEPS = ("service", "type", "office", "day", "time", "details", "review")
# How many of the ordered choices (service, type, office, mode, date, start) each step needs.
_INPUTS = {"service": 0, "type": 1, "office": 2, "day": 4, "time": 5, "details": 6, "review": 6}


@dataclass
class Choice:
    service: Service | None = None
    kind: AppointmentType | None = None
    office: Office | None = None
    mode: str | None = None
    day: dt.date | None = None
    start: dt.datetime | None = None
    topic: str | None = None

    def params(
        self, *, upto: str = "review", extra: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Query parameters carrying the choices that step ``upto`` builds on."""
        ordered = (
            ("service", self.service.slug if self.service else None),
            ("type", self.kind.slug if self.kind else None),
            ("office", self.office.slug if self.office else None),
            ("mode", self.mode),
            ("date", self.day.isoformat() if self.day else None),
            ("start", self.start.isoformat() if self.start else None),
        )
        values: dict[str, Any] = {"topic": self.topic} if self.topic else {}
        values.update((name, value) for name, value in ordered[: _INPUTS[upto]] if value)
        return values | (extra or {})

    def booking_request(
        self, details: Details, language: str, idempotency_key: str, origin: Origin
    ) -> BookingRequest:
        """The complete choice as a request to book; the portal and the API both use it."""
        if not (self.kind and self.office and self.mode and self.start):
            raise ValueError(f"choice incomplete at step {self.first_missing()}")
        if details.consent is None:
            raise ValueError("no booking without consent to arrange the appointment")
        return BookingRequest(
            appointment_type=self.kind,
            office=self.office,
            mode=self.mode,
            start=self.start,
            language=language,
            idempotency_key=idempotency_key,
            consent_text=details.consent,
            origin=origin,
            interpreter_language=details.interpreter_language,
            topics=details.topics,
            contact=details.contact,
        )

    def first_missing(self) -> str:
        for step, value in (
            ("service", self.service),
            ("type", self.kind),
            ("office", self.office and self.mode),
            ("day", self.day),
            ("time", self.start),
        ):
            if not value:
                return step
        return "details"


def bookable_services() -> list[Service]:
    services = db.session.scalars(
        select(Service)
        .options(selectinload(Service.appointment_types), selectinload(Service.offices))
        .order_by(Service.position)
    )
    return [service for service in services if service.appointment_types]


def _service(slug: str | None) -> Service | None:
    if not slug:
        return None
    service = db.session.scalar(select(Service).where(Service.slug == slug))
    return service if service and service.appointment_types else None


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse_instant(raw: str | None) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment.astimezone(dt.UTC)


def parse_choice(values: Mapping[str, str]) -> Choice:
    """What the parameters name, keeping only choices consistent with the ones before."""
    choice = Choice()
    topic = values.get("topic")
    choice.topic = topic if topic in TOPIC_SLUGS else None
    choice.service = _service(values.get("service"))
    if choice.service is None:
        return choice
    types = {kind.slug: kind for kind in choice.service.appointment_types}
    if len(types) == 1:
        choice.kind = next(iter(types.values()))
    else:
        choice.kind = types.get(values.get("type") or "")
    office_slug, mode = values.get("office"), values.get("mode")
    if combined := values.get("office_mode"):  # one radio button per office and mode
        office_slug, _, mode = combined.partition("|")
    offices = {office.slug: office for office in choice.service.offices}
    choice.office = offices.get(office_slug or "")
    if choice.kind and choice.office and mode in choice.kind.modes:
        choice.mode = mode
    if choice.mode:
        choice.day = _date(values.get("date"))
    if choice.day:
        start = parse_instant(values.get("start"))
        choice.start = start
    return choice
