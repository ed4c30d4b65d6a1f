"""iCalendar files (RFC 5545) for an appointment, via the icalendar library."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..constants import AppointmentMode, AppointmentStatus
from ..models import Appointment, pick, utcnow
from .slots import BERLIN

PRODUCT_ID = "-//Lotse//Appointments//EN"


def appointment_uid(appointment: Appointment) -> str:
    # Stable across reschedules, so calendars update the event instead of adding one.
    return f"appointment-{appointment.id}-{appointment.code}@lotse"


def location(appointment: Appointment, lang: str) -> str:
    office = appointment.office
    if appointment.mode == AppointmentMode.PHONE:
        return _("By phone – the counsellor calls you")
    if appointment.mode == AppointmentMode.VIDEO:
        return _("Video call – you receive the link from the counsellor")
    address = ", ".join(
        part
        for part in (office.street, f"{office.postal_code or ''} {office.city}".strip())
        if part
    )
    return f"{pick(office.name, lang)}, {address}"


def build(appointment: Appointment, manage_url: str | None = None) -> bytes:
    lang = appointment.client_language
    with force_locale(lang):
        service_name = pick(appointment.service.name, lang)
        summary = _("Counselling appointment: %(service)s", service=service_name)
        lines = [_("Booking code: %(code)s", code=appointment.code)]
        if manage_url:
            lines.append(_("Change or cancel: %(url)s", url=manage_url))
        place = location(appointment, lang)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", utcnow())
    event.add("dtstart", appointment.starts_at.astimezone(BERLIN))
    event.add("dtend", appointment.ends_at.astimezone(BERLIN))
    event.add("sequence", appointment.reschedule_count)
    event.add("summary", summary)
    event.add("location", place)
    event.add("description", "\n".join(lines))
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def filename(appointment: Appointment) -> str:
    return f"lotse-{appointment.code}.ics"
