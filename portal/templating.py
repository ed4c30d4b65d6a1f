"""Jinja helpers: translated fields, Babel formatting, language links, static assets."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import get_day_names
from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_time
from flask_babel import gettext as _

from .constants import CONTACT_CHANNEL_CODES, ContactChannel
from .finder import housing_label, status_label
from .i18n import current_language
from .models import SocialArea, pick

STATIC_DIR = Path(__file__).parent / "static"


@cache
def _asset_version(filename: str) -> str:
    return hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year."""
    return url_for("static", filename=filename, v=_asset_version(filename))


def language_name(code: str, lang: str | None = None) -> str:
    name = Locale.parse(lang or current_language()).languages.get(code, code)
    return name[:1].upper() + name[1:]


def weekday_name(index: int) -> str:
    return str(get_day_names("wide", locale=current_language())[index])


LOCALIZED_BLUEPRINTS = frozenset({"public", "booking", "intake"})


def url_in_language(lang: str) -> str:
    """The current page in another language (falls back to that language's home).

    Only pages reached by GET can be repeated; a form result (POST) falls back too.
    """
    if (
        request.endpoint
        and request.blueprint in LOCALIZED_BLUEPRINTS
        and request.method == "GET"
        and request.view_args is not None
    ):
        args: dict[str, Any] = {
            **request.view_args,
            **request.args.to_dict(flat=False),
            "lang": lang,
        }
        return url_for(request.endpoint, **args)
    return url_for("public.home", lang=lang)


def channel_label(code: str) -> str:
    labels = {
        ContactChannel.IN_PERSON: _("in person"),
        ContactChannel.PHONE: _("phone"),
        ContactChannel.EMAIL: _("e-mail"),
        ContactChannel.VIDEO: _("video call"),
    }
    return labels[ContactChannel(code)] if code in CONTACT_CHANNEL_CODES else code


def area_name(slug: str, areas: dict[str, SocialArea]) -> str:
    return pick(areas[slug].name, current_language()) if slug in areas else slug


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        pick=lambda value: pick(value, current_language()),
        status_label=status_label,
        housing_label=housing_label,
        channel_label=channel_label,
        language_name=language_name,
        area_name=area_name,
    )
    app.jinja_env.globals.update(
        asset_url=asset_url,
        language_name=language_name,
        weekday_name=weekday_name,
        url_in_language=url_in_language,
        format_date=format_date,
        format_time=format_time,
        format_datetime=format_datetime,
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
