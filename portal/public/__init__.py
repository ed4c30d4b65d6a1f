"""The public, client-facing portal: /{lang}/…"""

from __future__ import annotations

from flask import Blueprint, abort, g, request
from werkzeug.wrappers import Response

from ..constants import LANGUAGES
from ..i18n import COOKIE_MAX_AGE, LANGUAGE_COOKIE

bp = Blueprint("public", __name__, url_prefix="/<lang>")
# Language-neutral routes: the language chooser at "/" and the health probe.
root_bp = Blueprint("root", __name__)


@bp.url_value_preprocessor
def take_language(endpoint: str | None, values: dict[str, str] | None) -> None:
    lang = (values or {}).pop("lang", None)
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang


@bp.url_defaults
def add_language(endpoint: str, values: dict[str, str]) -> None:
    values.setdefault("lang", getattr(g, "lang", None) or "de")


@bp.after_request
def remember_language(response: Response) -> Response:
    """Keep the chosen language for the next visit to '/'."""
    if request.cookies.get(LANGUAGE_COOKIE) != g.lang and response.status_code < 400:
        response.set_cookie(
            LANGUAGE_COOKIE,
            g.lang,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


from . import views  # noqa: E402,F401  (registers the routes)
