"""Figures for the annual report: counts only, small counts suppressed."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..i18n import preferred_language

bp = Blueprint("figures", __name__, url_prefix="/staff/figures")


@bp.before_request
def staff_language() -> None:
    g.lang = preferred_language(request)


from . import views  # noqa: E402,F401  (registers the routes)
