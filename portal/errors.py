"""Translated error pages for people, JSON errors for the API."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from .constants import LANGUAGES
from .i18n import preferred_language


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("You are not allowed to see this page."),
        404: _("We could not find this page."),
        405: _("This action is not allowed here."),
        409: _("This could not be done because something changed in the meantime."),
        422: _("Some of the data sent could not be used."),
        429: _("Too many requests. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Please try again later."),
    }


def _ensure_language() -> None:
    if getattr(g, "lang", None) not in LANGUAGES:
        g.lang = preferred_language(request)


def _api_error(code: int, message: str) -> Response:
    response = jsonify(error={"status": code, "message": message})
    response.status_code = code
    return response


def handle_http_error(error: HTTPException) -> tuple[str, int] | Response:
    _ensure_language()
    code = error.code or 500
    message = _messages().get(code, error.description or "")
    if request.path.startswith("/api/"):
        return _api_error(code, message)
    return render_template("errors/error.html", code=code, message=message), code


def handle_unexpected_error(error: Exception) -> tuple[str, int] | Response:
    # The log names the exception; request bodies and query texts stay out of it.
    from flask import current_app

    current_app.logger.exception("unhandled error on %s %s", request.method, request.endpoint)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
