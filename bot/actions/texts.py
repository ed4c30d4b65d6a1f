"""Every fixed text of the assistant, from the Babel catalogs in locales/<lang>/LC_MESSAGES/bot.po.

Message ids are English (the English catalog is the source); placeholders use
``{name}``. `make i18n` extracts the texts marked with ``N_("…")`` and those passed to ``Reply.t``,
``Reply.say`` and ``Reply.button`` (see babel-bot.cfg).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "bot"
LANGUAGES = ("de", "en", "ar", "fa", "uk")
SOURCE_LANGUAGE = "en"
RTL_LANGUAGES = ("ar", "fa")


def N_(message: str) -> str:
    """Marks a text for extraction where it is defined; translated later with ``translate``."""
    return message


@cache
def catalog(lang: str) -> NullTranslations:
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALES), [lang], domain=DOMAIN)


def translate(lang: str, message: str, **values: object) -> str:
    """The text in the conversation's language, with ``{placeholders}`` filled in."""
    text = catalog(lang).gettext(message)
    return text.format(**values) if values else text
