"""Language identification per message, offline (lingua), script first.

The script decides the candidate pair (Arabic script: Arabic or Persian; Cyrillic:
Ukrainian or Russian; Latin: German or English), so lingua only has to separate two
languages, which it does well on short texts. Letters that exist in one language only
(پ چ ژ گ for Persian, і ї є ґ for Ukrainian, ы э ъ ё for Russian) settle it outright.

The Rasa component (``components.LanguageDetector``) only *reports* the detection
(``language_detection`` in the parse data).
Whether the conversation switches language is decided by the action server, which knows
the conversation: one ambiguous word never flips it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from lingua import Language, LanguageDetectorBuilder

LANGUAGE_DETECTION = "language_detection"

SCRIPT_LANGUAGES = {
    "arabic": (Language.ARABIC, Language.PERSIAN),
    "cyrillic": (Language.UKRAINIAN, Language.RUSSIAN),
    "latin": (Language.GERMAN, Language.ENGLISH),
}
CODES = {
    Language.GERMAN: "de",
    Language.ENGLISH: "en",
    Language.ARABIC: "ar",
    Language.PERSIAN: "fa",
    Language.UKRAINIAN: "uk",
    Language.RUSSIAN: "ru",
}
DECISIVE_LETTERS = {
    "fa": set("پچژگ"),
    "uk": set("іїєґ"),
    "ru": set("ыэъё"),
}
_WORD = re.compile(r"\w{2,}")


@dataclass(frozen=True)
class Detection:
    language: str  # de, en, ar, fa, uk or ru
    confidence: float
    script: str  # arabic, cyrillic or latin
    words: int  # words of two letters or more in that script


def script_of(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith(("ARABIC", "PERSIAN")):
        return "arabic"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("LATIN"):
        return "latin"
    return None


def dominant_script(text: str) -> str | None:
    """The script of the message; German words in Latin script inside an Arabic, Persian or
    Ukrainian sentence ("عندي Duldung") do not make it a Latin-script message."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(text) or [text]:
        scripts = {script_of(c) for c in word} - {None}
        for script in scripts:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    non_latin = {s: n for s, n in counts.items() if s != "latin"}
    chosen = non_latin or counts
    return max(chosen, key=chosen.__getitem__)


@cache
def _detector(script: str):
    return LanguageDetectorBuilder.from_languages(*SCRIPT_LANGUAGES[script]).build()


def _only_script(text: str, script: str) -> str:
    """The text without letters of other scripts ("عندي Duldung" → "عندي ")."""
    return "".join(c if script_of(c) in (script, None) else " " for c in text)


def detect(text: str) -> Detection | None:
    """The most likely language of a message, or None when it has no letters."""
    script = dominant_script(text)
    if script is None:
        return None
    own = _only_script(text, script)
    words = len(_WORD.findall(own))
    letters = set(own.lower())
    for code, decisive in DECISIVE_LETTERS.items():
        if letters & decisive and code in {CODES[lang] for lang in SCRIPT_LANGUAGES[script]}:
            return Detection(code, 1.0, script, words)
    values = _detector(script).compute_language_confidence_values(own)
    if not values:
        return None
    best = values[0]
    return Detection(CODES[best.language], round(best.value, 3), script, words)
