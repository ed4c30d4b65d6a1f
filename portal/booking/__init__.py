"""Appointment booking for clients: /{lang}/book and /{lang}/appointments/{token}."""

from __future__ import annotations

import datetime as dt

from werkzeug.wrappers import Response

from ..constants import AppointmentMode
from ..i18n import current_language
from ..public import localized_blueprint
from . import formatting, labels

bp = localized_blueprint("booking", __name__)


@bp.after_request
def never_cache(response: Response) -> Response:
    # Free times change by the minute, and manage pages carry a secret token.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.app_template_global()
def local_date(moment: dt.datetime | dt.date) -> str:
    return formatting.long_date(moment, current_language())


@bp.app_template_global()
def local_time_range(start: dt.datetime, end: dt.datetime) -> str:
    return formatting.time_range(start, end, current_language())


@bp.app_template_global()
def local_clock(moment: dt.datetime) -> str:
    return formatting.clock(moment, current_language())


bp.add_app_template_global(AppointmentMode, "AppointmentMode")
bp.add_app_template_filter(labels.mode_label, "mode_label")
bp.add_app_template_filter(labels.origin_label, "origin_label")
bp.add_app_template_filter(labels.status_label, "appointment_status")

from . import manage, views  # noqa: E402,F401  (registers the routes)
