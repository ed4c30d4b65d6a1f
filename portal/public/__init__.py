"""The public, client-facing portal: /{lang}/…"""

from __future__ import annotations

from flask import Blueprint, abort, g, request
from werkzeug.wrappers import Response

from ..constants import LANGUAGES
from ..i18n import COOKIE_MAX_AGE, LANGUAGE_COOKIE


def take_language(endpoint: str | None, values: dict[str, str] | None) -> None:
    lang = (values or {}).pop("lang", None)
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang


def add_language(endpoint: str, values: dict[str, str]) -> None:
    values.setdefault("lang", getattr(g, "lang", None) or "de")


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


def localized_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint whose routes all live under /{lang}/ (one of the five languages)."""
    blueprint = Blueprint(name, import_name, url_prefix="/<lang>")
    blueprint.url_value_preprocessor(take_language)
    blueprint.url_defaults(add_language)
    blueprint.after_request(remember_language)
    return blueprint


bp = localized_blueprint("public", __name__)
# Language-neutral routes: the language chooser at "/" and the health probe.
root_bp = Blueprint("root", __name__)


from . import views  # noqa: E402,F401  (registers the routes)
