"""E-mails through a real SMTP server (aiosmtpd): languages, attachments, retries, erasure."""

from __future__ import annotations

import datetime as dt
import email
import logging
import socket
from collections.abc import Iterator
from email.message import Message
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from sqlalchemy import select

from portal.booking.formatting import long_date
from portal.constants import LANGUAGES, MessageKind, MessageStatus
from portal.extensions import db
from portal.models import Appointment, OutboundMessage, utcnow
from portal.notifications.delivery import deliver_due, purge_expired

from .booking_support import book_first_slot


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if str(m["To"]) == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(booking_app: Flask) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    booking_app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none"
    )
    yield inbox
    controller.stop()


def text_of(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode("utf-8")


def calendar_of(message: Message) -> Calendar:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_payload(decode=True))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_confirmation_arrives_in_the_clients_language(
    booking_app: Flask, smtp: Inbox, lang: str
) -> None:
    address = f"client-{lang}@example.org"
    with booking_app.app_context():
        result = book_first_slot(lang=lang, contact={"email": address})
        report = deliver_due()
        appointment = result.appointment
        with force_locale(lang):
            subject = _("Appointment booked: %(date)s", date=long_date(appointment.starts_at, lang))
            booked_line = _("Your appointment is booked.")
    assert report.sent == 2  # the client's confirmation and the counsellor's notice
    [confirmation] = smtp.to(address)
    assert str(confirmation["Subject"]) == subject
    assert str(confirmation["Content-Language"]) == lang
    body = text_of(confirmation)
    assert booked_line in body and appointment.code in body
    assert f"/{lang}/appointments/{result.token}" in body
    event = calendar_of(confirmation).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == appointment.starts_at
    if lang != "en":
        assert subject != "Appointment booked: " + long_date(appointment.starts_at, "en")


def test_counsellor_notice_has_no_contact_details_or_topics(
    booking_app: Flask, smtp: Inbox
) -> None:
    with booking_app.app_context():
        appointment = book_first_slot(
            lang="ar",
            contact={"email": "client@example.org", "phone": "+4915123456789"},
            topics=["violence-protection"],
        ).appointment
        counsellor_email, code = appointment.counsellor.email, appointment.code
        deliver_due()
    [notice] = smtp.to(counsellor_email)
    body = text_of(notice)
    assert code in body and "Arabisch" in body
    assert "client@example.org" not in body and "+4915123456789" not in body
    assert "violence" not in body.lower() and "Gewalt" not in body


def test_mail_server_down_keeps_the_message_and_retries(booking_app: Flask, caplog) -> None:
    booking_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none")
    caplog.set_level(logging.WARNING)
    with booking_app.app_context():
        book_first_slot(contact={"email": "client@example.org"})
        report = deliver_due()
        assert report.sent == 0 and report.retrying == 2
        pending = db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.status == MessageStatus.PENDING)
        ).all()
        due_now = [m for m in pending if m.send_after <= utcnow()]
        assert len(due_now) == 2 and all(m.attempts == 1 for m in due_now)
        assert all(m.next_attempt_at > utcnow() for m in due_now)
    assert "client@example.org" not in caplog.text
    # The server comes back: the next run after the back-off delivers everything.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=booking_app.config["SMTP_PORT"])
    controller.start()
    try:
        with booking_app.app_context():
            report = deliver_due(utcnow() + dt.timedelta(minutes=2))
        assert report.sent == 2
        assert len(inbox.to("client@example.org")) == 1
    finally:
        controller.stop()


def test_gives_up_after_the_last_retry(booking_app: Flask) -> None:
    booking_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none")
    with booking_app.app_context():
        book_first_slot(contact={"email": "client@example.org"})
        moment = utcnow()
        for _attempt in range(20):
            deliver_due(moment)
            moment += dt.timedelta(hours=13)
        statuses = {
            m.status
            for m in db.session.scalars(
                select(OutboundMessage).where(OutboundMessage.kind != MessageKind.CLIENT_REMINDER)
            )
        }
        assert statuses == {MessageStatus.FAILED}
        assert all(
            m.payload is None
            for m in db.session.scalars(
                select(OutboundMessage).where(OutboundMessage.status == MessageStatus.FAILED)
            )
        )


def test_without_smtp_configuration_messages_wait(booking_app: Flask) -> None:
    booking_app.config["SMTP_HOST"] = ""
    with booking_app.app_context():
        book_first_slot(contact={"email": "client@example.org"})
        report = deliver_due()
        assert report.waiting_for_configuration == 2 and report.sent == 0


def test_demo_addresses_are_never_sent(booking_app: Flask, smtp: Inbox) -> None:
    with booking_app.app_context():
        book_first_slot(contact={"email": "someone@demo.lotse.invalid"})
        report = deliver_due()
    assert report.undeliverable == 1 and smtp.to("someone@demo.lotse.invalid") == []


def test_reminder_is_sent_a_day_before(booking_app: Flask, smtp: Inbox) -> None:
    with booking_app.app_context():
        appointment = book_first_slot(
            day_offset=4, contact={"email": "client@example.org"}
        ).appointment
        deliver_due()
        assert len(smtp.to("client@example.org")) == 1  # only the confirmation so far
        deliver_due(appointment.starts_at - dt.timedelta(hours=23))
    subjects = [str(m["Subject"]) for m in smtp.to("client@example.org")]
    assert len(subjects) == 2 and subjects[1].startswith("Erinnerung")


def test_contact_details_are_erased_after_the_appointment(booking_app: Flask) -> None:
    with booking_app.app_context():
        appointment = book_first_slot(
            contact={"email": "client@example.org"}, topics=["health"]
        ).appointment
        appointment_id = appointment.id
        later = appointment.ends_at + dt.timedelta(days=8)
        assert purge_expired(appointment.ends_at + dt.timedelta(days=1)).appointments_erased == 0
        assert purge_expired(later).appointments_erased == 1
        db.session.expire_all()
        erased = db.session.get(Appointment, appointment_id)
        assert erased.contact is None and erased.topics is None
        assert erased.code  # the booking itself stays, without personal details
