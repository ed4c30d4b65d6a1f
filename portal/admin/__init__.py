"""Administration: staff accounts (password reset, unlock, two-factor reset) and the audit log."""

from __future__ import annotations

from flask import Blueprint

from ..i18n import use_preferred_language

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")


bp.before_request(use_preferred_language)


from . import audit_log, users  # noqa: E402,F401  (registers the routes)
