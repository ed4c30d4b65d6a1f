"""Hand-over benchmarks (part of `make bench`), on SQLite in a temporary folder.

1. Consent to delivery: for 50 intakes, the time from the client's consent and submission
   to the event's arrival at a local Standard Webhooks receiver (which verifies each
   signature), with the job runner's steps ``prepare_submitted()`` and ``deliver_due()`` run
   right after each submission. The runner's polling interval (``lotse jobs run --loop
   --interval``, default 60 s) comes on top in production.
2. Outbox throughput: 500 events queued while the receiver answers 503, then the receiver
   is back: deliveries per second until the queue is empty, and the check that every event
   arrived once (none lost, none duplicated).

The summaries carry the client's Arabic text without machine translation (no language
package installed), so the figures measure Lotse and the outbox, not argostranslate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from portal import consent
from portal.booking.availability import free_slots
from portal.booking.service import BookingError, book
from portal.booking.slots import BERLIN
from portal.constants import AppointmentMode, ConsentPurpose, HandoverStatus, Origin
from portal.extensions import db
from portal.handover import outbox
from portal.handover.config import HandoverConfig
from portal.intake import service
from portal.intake.questions import THEMES_BY_SLUG
from portal.models import Appointment, HandoverDelivery, Office, utcnow
from tests.portal.handover_support import WebhookReceiver, webhook_receiver
from tests.portal.intake_support import FULL_ANSWERS

from .booking import _app, _counsellors, _request

LATENCY_INTAKES = 50
QUEUED_EVENTS = 500
COUNSELLORS = 20
LANG = "de"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(share * (len(ordered) - 1))], 1)


def _figures(values_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values_ms), 1),
        "p95_ms": _percentile(values_ms, 0.95),
    }


def _appointments(office: Office, count: int, now: dt.datetime) -> list[int]:
    """``count`` booked appointments over the next four weeks (every counsellor's slots)."""
    kind = office.service.appointment_types[0]
    first = now.astimezone(BERLIN).date() + dt.timedelta(days=1)
    last = first + dt.timedelta(days=27)
    made: list[int] = []
    for slot in free_slots(kind, office, AppointmentMode.IN_PERSON, LANG, first, last, now):
        for _counsellor in range(COUNSELLORS):
            try:
                made.append(book(_request(office, slot.start, LANG), now).appointment.id)
            except BookingError:
                break  # every counsellor is booked at this time
            if len(made) == count:
                return made
    raise RuntimeError(f"only {len(made)} free slots for {count} appointments")


def _consent_and_submit(appointment_id: int) -> None:
    """What the client does: agree to share, answer, send (one request each in the portal)."""
    appointment = db.session.get_one(Appointment, appointment_id)
    text = consent.current_text(ConsentPurpose.SHARE_SUMMARY, LANG)
    consent.give(appointment, ConsentPurpose.SHARE_SUMMARY, text, Origin.PORTAL)
    intake = service.intake_for(appointment)
    for slug, answers in FULL_ANSWERS.items():
        service.save_answers(intake, THEMES_BY_SLUG[slug], answers)
    service.submit(intake)
    db.session.commit()


def _use_receiver(app: Flask, receiver: WebhookReceiver) -> None:
    office = {"offices": {"*": ["case-system"]}}
    target = {"system": "webhook", "url": receiver.url, "secret": receiver.secret}
    app.config["HANDOVER_CONFIG"] = HandoverConfig.model_validate(
        {"targets": {"case-system": target}, **office}
    )
    app.extensions.pop(outbox.EXTENSION_KEY, None)


@contextlib.contextmanager
def _quiet_outbox_log() -> Iterator[None]:
    """Every refused attempt logs a warning; 500 of them would bury the results."""
    logger = logging.getLogger(outbox.__name__)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def consent_to_delivery(app: Flask, receiver: WebhookReceiver, ids: list[int]) -> dict[str, Any]:
    totals, submit, prepare, deliver = [], [], [], []
    with app.app_context():
        for appointment_id in ids:
            began = time.perf_counter()
            _consent_and_submit(appointment_id)
            submitted = time.perf_counter()
            assert service.prepare_submitted() == 1
            prepared = time.perf_counter()
            assert outbox.deliver_due().delivered == 1
            delivered = time.perf_counter()
            webhook_id = db.session.scalars(
                select(HandoverDelivery.webhook_id).order_by(HandoverDelivery.id.desc())
            ).first()
            assert webhook_id is not None
            arrived = receiver.received[webhook_id].at
            totals.append((arrived - began) * 1000)
            submit.append((submitted - began) * 1000)
            prepare.append((prepared - submitted) * 1000)
            deliver.append((delivered - prepared) * 1000)
    return {
        "intakes": len(ids),
        **_figures(totals),
        "stages_p50_ms": {
            "consent_and_submit": round(statistics.median(submit), 1),
            "prepare_summary": round(statistics.median(prepare), 1),
            "deliver": round(statistics.median(deliver), 1),
        },
        "note": "job steps run at once after each submission; the runner's polling "
        "interval (default 60 s) comes on top",
    }


def _drain(now: dt.datetime) -> int:
    """Run deliver_due until nothing more is due at ``now``; attempts made."""
    attempts = 0
    while True:
        report = outbox.deliver_due(now)
        made = report.delivered + report.retrying + report.dead
        if made == 0:
            return attempts
        attempts += made


def throughput(app: Flask, receiver: WebhookReceiver, ids: list[int]) -> dict[str, Any]:
    receiver.answer = 503
    earlier, repeats_before = set(receiver.received), len(receiver.repeats)
    with app.app_context(), _quiet_outbox_log():
        last_before = db.session.scalar(select(func.max(HandoverDelivery.id))) or 0
        for appointment_id in ids:
            _consent_and_submit(appointment_id)
        now = utcnow()
        began = time.perf_counter()
        prepared = service.prepare_submitted(now)
        prepare_seconds = time.perf_counter() - began

        began = time.perf_counter()
        failed_attempts = _drain(now)
        down_seconds = time.perf_counter() - began
        pending = db.session.scalar(
            select(func.count(HandoverDelivery.id)).where(
                HandoverDelivery.status == HandoverStatus.PENDING
            )
        )

        receiver.answer = None
        began = time.perf_counter()
        delivered_attempts = _drain(now + dt.timedelta(seconds=outbox.BACKOFF_SECONDS[0]))
        up_seconds = time.perf_counter() - began

        rows = db.session.execute(
            select(HandoverDelivery.webhook_id, HandoverDelivery.status).where(
                HandoverDelivery.id > last_before
            )
        )
        statuses = {webhook_id: status for webhook_id, status in rows}
    queued = set(statuses)
    arrived = set(receiver.received) - earlier
    return {
        "events": len(ids),
        "summaries_prepared": prepared,
        "prepare_per_second": round(prepared / prepare_seconds, 1),
        "receiver_down": {
            "attempts_refused_503": failed_attempts,
            "attempts_per_second": round(failed_attempts / down_seconds, 1),
            "pending_after": pending,
        },
        "receiver_up": {
            "deliveries": delivered_attempts,
            "seconds": round(up_seconds, 2),
            "deliveries_per_second": round(delivered_attempts / up_seconds, 1),
        },
        "delivered_in_outbox": sum(s == HandoverStatus.DELIVERED for s in statuses.values()),
        "received_distinct": len(arrived),
        "lost": len(queued - arrived),
        "duplicated": len(receiver.repeats) - repeats_before,
        "unexpected": len(arrived - queued),
    }


def run() -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="lotse-bench-handover-"))
    try:
        app = _app(f"sqlite:///{workdir / 'bench.db'}")
        app.config["ARGOS_PACKAGES_DIR"] = str(workdir / "argos-packages")  # none installed
        with app.app_context():
            office = _counsellors(COUNSELLORS)
            ids = _appointments(office, LATENCY_INTAKES + QUEUED_EVENTS, utcnow())
        with webhook_receiver() as receiver:
            _use_receiver(app, receiver)
            latency = consent_to_delivery(app, receiver, ids[:LATENCY_INTAKES])
            outbox_figures = throughput(app, receiver, ids[LATENCY_INTAKES:])
        with app.app_context():
            db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "sqlite": {
            "consent_to_delivery": latency,
            "outbox_throughput": outbox_figures,
        }
    }


def table(results: dict[str, Any]) -> str:
    lines = ["| hand-over | backend | figure |", "|---|---|---|"]
    for backend, figures in results.items():
        latency, queue = figures["consent_to_delivery"], figures["outbox_throughput"]
        stages = latency["stages_p50_ms"]
        down, up = queue["receiver_down"], queue["receiver_up"]
        lines += [
            f"| consent + submission → arrival at a local webhook ({latency['intakes']} "
            f"intakes, job steps run at once) | {backend} | p50 {latency['p50_ms']} ms, "
            f"p95 {latency['p95_ms']} ms (p50 submit {stages['consent_and_submit']} ms, "
            f"prepare {stages['prepare_summary']} ms, deliver {stages['deliver']} ms) |",
            f"| outbox: {queue['events']} events queued while the receiver answered 503 "
            f"| {backend} | {down['attempts_per_second']} refused attempts/s; "
            f"{down['pending_after']} still pending |",
            f"| outbox: receiver back up, queue drained | {backend} | "
            f"{up['deliveries_per_second']} deliveries/s ({up['deliveries']} in "
            f"{up['seconds']} s); {queue['received_distinct']} received, {queue['lost']} lost, "
            f"{queue['duplicated']} duplicated |",
        ]
    return "\n".join(lines)
