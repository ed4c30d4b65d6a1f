"""Language of a request: from the URL prefix, else the cookie, else Accept-Language."""

from __future__ import annotations

from flask import Flask, Request, g, request

from .constants import LANGUAGES, NATIVE_NAMES, RTL_LANGUAGES, SOURCE_LANGUAGE

LANGUAGE_COOKIE = "lotse_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def preferred_language(req: Request) -> str:
    """The language for a request that has none in its URL."""
    cookie = req.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return req.accept_languages.best_match(LANGUAGES) or SOURCE_LANGUAGE


def use_preferred_language() -> None:
    """A before_request hook for pages without a language in their URL (the staff area)."""
    g.lang = preferred_language(request)


def current_language() -> str:
    lang = getattr(g, "lang", None)
    if lang in LANGUAGES:
        return lang
    return preferred_language(request) if request else SOURCE_LANGUAGE


def text_direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def init_app(app: Flask) -> None:
    @app.context_processor
    def language_context() -> dict[str, object]:
        lang = current_language()
        return {
            "lang": lang,
            "dir": text_direction(lang),
            "languages": LANGUAGES,
            "native_names": NATIVE_NAMES,
            "text_direction": text_direction,
        }
