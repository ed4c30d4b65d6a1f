"""Pre-intake before a first appointment, and the client's data rights, through the
token link: /{lang}/appointments/{token}/prepare and /{lang}/appointments/{token}/data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..booking import never_cache
from ..booking.formatting import long_date
from ..booking.slots import BERLIN
from ..i18n import current_language
from ..public import localized_blueprint

bp = localized_blueprint("intake", __name__)
# Pages behind the secret token show personal data: never cached, never indexed.
bp.after_request(never_cache)


@bp.app_template_filter("date_label")
def date_label(iso_date: str, lang: str | None = None) -> str:
    return long_date(dt.date.fromisoformat(iso_date), lang or current_language())


@bp.app_template_filter("datetime_label")
def datetime_label(iso_moment: str, lang: str | None = None) -> str:
    moment = dt.datetime.fromisoformat(iso_moment).astimezone(BERLIN)
    return f"{long_date(moment, lang or current_language())}, {moment:%H:%M}"


@bp.app_template_filter("combine_special")
def combine_special(answers: dict[str, Any], special: dict[str, Any] | None) -> dict[str, Any]:
    return {**answers, "vulnerability": special} if special is not None else answers


from . import views  # noqa: E402,F401  (registers the routes)
