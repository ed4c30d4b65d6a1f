"""The messages an appointment change causes, queued in the outbox.

Clients get them in their own language and only if they gave an e-mail address.
Counsellors get a short notice without the client's contact details or topics:
those stay in Lotse, behind the sign-in.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..constants import SOURCE_LANGUAGE, CancelledBy, MessageKind
from ..models import Appointment, pick, utcnow
from ..notifications import cancel_pending, enqueue
from ..templating import language_name
from ..urls import public_url
from . import ics
from .formatting import long_date, time_range

STAFF_LANGUAGE = SOURCE_LANGUAGE
CLIENT_REMINDERS = (MessageKind.CLIENT_REMINDER,)


def manage_url(appointment: Appointment, token: str) -> str:
    return public_url("booking.manage", lang=appointment.client_language, token=token)


def _when(appointment: Appointment, lang: str) -> str:
    return _(
        "%(date)s, %(time)s (German time)",
        date=long_date(appointment.starts_at, lang),
        time=time_range(appointment.starts_at, appointment.ends_at, lang),
    )


def _details(appointment: Appointment, lang: str) -> list[str]:
    lines = [
        _("When: %(when)s", when=_when(appointment, lang)),
        _("Where: %(place)s", place=ics.location(appointment, lang)),
        _("Service: %(service)s", service=pick(appointment.service.name, lang)),
        _("Type of appointment: %(type)s", type=pick(appointment.appointment_type.name, lang)),
        _("Booking code: %(code)s", code=appointment.code),
    ]
    if appointment.interpreter_language:
        lines.append(
            _(
                "Interpreter: requested for %(language)s",
                language=language_name(appointment.interpreter_language, lang),
            )
        )
    return lines


def _footer(appointment: Appointment) -> list[str]:
    lines = ["", _("This message was sent automatically by Lotse. Replies are not read.")]
    if appointment.demo:
        lines.append(_("DEMO DATA: this appointment is an example and not real."))
    return lines


def _client_email(appointment: Appointment) -> str | None:
    return (appointment.contact or {}).get("email") or None


def _queue_client(
    appointment: Appointment,
    kind: MessageKind,
    subject: str,
    lines: list[str],
    *,
    send_after: dt.datetime | None = None,
    calendar: bool = False,
    token: str | None = None,
) -> None:
    address = _client_email(appointment)
    if not address:
        return
    url = manage_url(appointment, token) if token else None
    text = "\n".join([*lines, *_footer(appointment)])
    enqueue(
        kind,
        appointment.client_language,
        address,
        subject,
        text,
        appointment_id=appointment.id,
        send_after=send_after,
        calendar=ics.build(appointment, url).decode("utf-8") if calendar else None,
    )


def _queue_counsellor(appointment: Appointment, kind: MessageKind, subject: str) -> None:
    with force_locale(STAFF_LANGUAGE):
        lines = [
            subject,
            "",
            *_details(appointment, STAFF_LANGUAGE),
            _(
                "Language of the client: %(language)s",
                language=language_name(appointment.client_language, STAFF_LANGUAGE),
            ),
            "",
            _("Details (after sign-in): %(url)s", url=public_url("counsellor.appointments")),
        ]
        text = "\n".join([*lines, *_footer(appointment)])
    enqueue(
        kind,
        STAFF_LANGUAGE,
        appointment.counsellor.email,
        subject,
        text,
        appointment_id=appointment.id,
    )


def _reminder(appointment: Appointment, token: str | None) -> None:
    hours = current_app.config["REMINDER_HOURS_BEFORE"]
    send_at = appointment.starts_at - dt.timedelta(hours=hours)
    if hours <= 0 or send_at <= utcnow():
        return
    lang = appointment.client_language
    with force_locale(lang):
        lines = [_("Reminder of your appointment:"), "", *_details(appointment, lang)]
        if token:
            lines += ["", _("Change or cancel: %(url)s", url=manage_url(appointment, token))]
        subject = _(
            "Reminder: appointment on %(date)s", date=long_date(appointment.starts_at, lang)
        )
        _queue_client(
            appointment,
            MessageKind.CLIENT_REMINDER,
            subject,
            lines,
            send_after=send_at,
            token=token,
        )


def booked(appointment: Appointment, token: str) -> None:
    lang = appointment.client_language
    with force_locale(lang):
        lines = [_("Your appointment is booked."), "", *_details(appointment, lang)]
        if bring := pick(appointment.appointment_type.bring, lang):
            lines += ["", _("Please bring: %(things)s", things=bring)]
        lines += [
            "",
            _("Change or cancel: %(url)s", url=manage_url(appointment, token)),
            _("The appointment is attached as a calendar file."),
        ]
        subject = _("Appointment booked: %(date)s", date=long_date(appointment.starts_at, lang))
        _queue_client(
            appointment,
            MessageKind.CLIENT_CONFIRMATION,
            subject,
            lines,
            calendar=True,
            token=token,
        )
    _reminder(appointment, token)
    with force_locale(STAFF_LANGUAGE):
        subject = _("New booking %(code)s", code=appointment.code)
    _queue_counsellor(appointment, MessageKind.COUNSELLOR_NEW, subject)


def rescheduled(appointment: Appointment, previous_start: dt.datetime, token: str | None) -> None:
    cancel_pending(appointment.id, CLIENT_REMINDERS)
    lang = appointment.client_language
    with force_locale(lang):
        lines = [
            _(
                "Your appointment has been moved. It was on %(date)s.",
                date=long_date(previous_start, lang),
            ),
            "",
            *_details(appointment, lang),
        ]
        if token:
            lines += ["", _("Change or cancel: %(url)s", url=manage_url(appointment, token))]
        subject = _("Appointment moved to %(date)s", date=long_date(appointment.starts_at, lang))
        _queue_client(
            appointment,
            MessageKind.CLIENT_RESCHEDULED,
            subject,
            lines,
            calendar=True,
            token=token,
        )
    _reminder(appointment, token)
    with force_locale(STAFF_LANGUAGE):
        subject = _("Booking %(code)s moved", code=appointment.code)
    _queue_counsellor(appointment, MessageKind.COUNSELLOR_CHANGED, subject)


def cancelled(appointment: Appointment) -> None:
    cancel_pending(appointment.id, CLIENT_REMINDERS)
    lang = appointment.client_language
    with force_locale(lang):
        lines = [_("Your appointment has been cancelled."), "", *_details(appointment, lang)]
        if appointment.cancelled_by == CancelledBy.COUNSELLOR:
            lines += ["", _("The counselling service cancelled it.")]
            if appointment.cancel_reason:
                lines.append(_("Reason: %(reason)s", reason=appointment.cancel_reason))
        book_url = public_url("booking.start", lang=lang, service=appointment.service.slug)
        lines += ["", _("Book a new appointment: %(url)s", url=book_url)]
        subject = _("Appointment cancelled: %(date)s", date=long_date(appointment.starts_at, lang))
        _queue_client(appointment, MessageKind.CLIENT_CANCELLED, subject, lines, calendar=True)
    with force_locale(STAFF_LANGUAGE):
        subject = _("Booking %(code)s cancelled", code=appointment.code)
    _queue_counsellor(appointment, MessageKind.COUNSELLOR_CANCELLED, subject)
