"""Translated labels and messages of the booking domain."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..constants import AppointmentMode, AppointmentStatus, Origin
from .service import Problem

MODE_LABELS: dict[str, LazyString] = {
    AppointmentMode.IN_PERSON: _l("In person"),
    AppointmentMode.PHONE: _l("By phone"),
    AppointmentMode.VIDEO: _l("Video call"),
}

STATUS_LABELS: dict[str, LazyString] = {
    AppointmentStatus.BOOKED: _l("Booked"),
    AppointmentStatus.CANCELLED: _l("Cancelled"),
    AppointmentStatus.ATTENDED: _l("Attended"),
    AppointmentStatus.NO_SHOW: _l("Did not come"),
}

PROBLEM_MESSAGES: dict[Problem, LazyString] = {
    Problem.SLOT_TAKEN: _l("Sorry, someone has just booked this time. Please choose another time."),
    Problem.IN_PAST: _l("This time is in the past. Please choose another time."),
    Problem.TOO_SOON: _l("This time is too soon to book online. Please choose a later time."),
    Problem.BEYOND_HORIZON: _l(
        "This time is too far ahead to book yet. Please choose an earlier time."
    ),
    Problem.NOT_OFFERED: _l("This time is not available. Please choose one of the times shown."),
    Problem.KEY_REUSED: _l(
        "This booking form was already used for another booking. Please start again."
    ),
    Problem.NOT_CHANGEABLE: _l(
        "This appointment can no longer be changed online. Please call the office."
    ),
}


ORIGIN_LABELS: dict[str, LazyString] = {
    Origin.PORTAL: _l("Website"),
    Origin.CHAT: _l("Chat assistant"),
}


def origin_label(origin: str) -> str:
    return str(ORIGIN_LABELS.get(origin, origin))


def mode_label(mode: str) -> str:
    return str(MODE_LABELS.get(mode, mode))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def problem_message(problem: Problem) -> str:
    return str(PROBLEM_MESSAGES[problem])
