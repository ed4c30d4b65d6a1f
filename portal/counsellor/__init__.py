"""The counsellor's workspace: appointments per office, outcomes, availability, absences."""

from __future__ import annotations

from flask import Blueprint

from ..auth.access import roles_required
from ..constants import Role
from ..i18n import use_preferred_language

bp = Blueprint("counsellor", __name__, url_prefix="/staff")
bp.before_request(use_preferred_language)

# Signed in as a counsellor (or an admin, who sees every office).
counsellor_required = roles_required(Role.COUNSELLOR, Role.ADMIN)


from . import inbox, views  # noqa: E402,F401  (registers the routes)
