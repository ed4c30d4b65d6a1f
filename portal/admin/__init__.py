"""Administration: staff accounts (password reset, unlock, two-factor reset) and the audit log."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..i18n import preferred_language

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")


@bp.before_request
def staff_language() -> None:
    g.lang = preferred_language(request)


from . import audit_log, users  # noqa: E402,F401  (registers the routes)
