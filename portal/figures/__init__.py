"""Figures for the annual report: counts only, small counts suppressed."""

from __future__ import annotations

from flask import Blueprint

from ..i18n import use_preferred_language

bp = Blueprint("figures", __name__, url_prefix="/staff/figures")


bp.before_request(use_preferred_language)


from . import views  # noqa: E402,F401  (registers the routes)
