"""Labels for answer codes, in the language being rendered (German for the summary)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..constants import SOURCE_LANGUAGE, UNKNOWN
from ..extensions import db
from ..finder import housing_label, status_label
from ..models import SocialArea, pick
from ..queries import topics_in
from ..templating import language_name
from .questions import LETTER_LABELS, URGENCY_LABELS, VULNERABILITY_LABELS, YES_NO_LABELS

NOT_SAID = _l("I don't know / prefer not to say")


class AnswerLabels:
    """Looks up topic titles and area names once per rendering."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.topics = {topic.slug: tr.title for topic, tr in topics_in(lang)}
        areas = db.session.scalars(select(SocialArea).order_by(SocialArea.position))
        self.areas = {area.slug: pick(area.name, lang) for area in areas}

    def _from(self, table: dict[str, object], code: str | None) -> str:
        if code is None or code == UNKNOWN:
            return str(NOT_SAID)
        return str(table.get(code, code))

    def topic(self, slug: str) -> str:
        return self.topics.get(slug, slug)

    def urgency(self, code: str | None) -> str:
        return self._from(dict(URGENCY_LABELS), code)

    def yes_no(self, code: str | None) -> str:
        return self._from(dict(YES_NO_LABELS), code)

    def letter(self, code: str | None) -> str:
        return self._from(dict(LETTER_LABELS), code)

    def indicator(self, code: str) -> str:
        return self._from(dict(VULNERABILITY_LABELS), code)

    def residence(self, code: str | None) -> str:
        return str(NOT_SAID) if code in (None, UNKNOWN) else status_label(str(code))

    def housing(self, code: str | None) -> str:
        return str(NOT_SAID) if code in (None, UNKNOWN) else housing_label(str(code))

    def area(self, slug: str | None) -> str:
        return self._from(dict(self.areas), slug)

    def language(self, code: str | None) -> str:
        if code == "other":
            return _("Another language")
        return self._from({}, code) if code in (None, UNKNOWN) else language_name(code, self.lang)

    @property
    def is_summary(self) -> bool:
        return self.lang == SOURCE_LANGUAGE
