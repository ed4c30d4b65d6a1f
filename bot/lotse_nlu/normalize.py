"""Text normalisation applied before tokenisation (and to the emergency keyword lists).

Clients type the same word in many ways: with or without Arabic diacritics, with any of
the alef and hamza forms, with the Arabic or the Persian yeh and kaf (keyboards differ),
with or without zero-width non-joiners, with any of four Ukrainian apostrophes, in
Arabic-Indic or Persian digits, with or without German umlauts. The classifier should see
one spelling. Nothing here depends on Rasa, so the action server and tests use it too.
"""

from __future__ import annotations

import re
import unicodedata

# A chat message is never longer than this; anything beyond is not read (20 000 characters
# of pasted text must not make the pipeline slow).
MAX_CHARS = 2000

_ARABIC_MARKS = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
)  # harakat, tatweel
_INVISIBLE = re.compile(
    # zero-width characters, bidi controls, byte order mark, soft hyphen
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")

_LETTERS = str.maketrans(
    {
        # alef variants and hamza carriers
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        "ء": "",
        # yeh and kaf: Arabic and Persian forms become the Persian ones
        "ي": "ی",
        "ى": "ی",
        "ې": "ی",
        "ك": "ک",
        "ڪ": "ک",
        # teh marbuta and heh with yeh
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
        # Ukrainian apostrophe variants
        "’": "'",
        "ʼ": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "′": "'",
        "ʹ": "'",
        # Arabic-Indic and Persian digits
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        "٫": ",",
        "،": ",",
        "؛": ";",
        "؟": "?",
    }
)


def _strip_latin_accents(text: str) -> str:
    """ä→a, é→e … but keep й, ї, ё intact (their marks are part of the Cyrillic letter)."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        if decomposed[0] < "\u0250" and len(decomposed) > 1:
            out.append(decomposed[0])
        else:
            out.append(char)
    return "".join(out)


def normalize(text: str) -> str:
    """The one spelling the classifier and the keyword lists use."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    text = _CONTROL.sub(" ", text)
    # A zero-width non-joiner only shapes the letters; "می‌خوام" and "میخوام" are one word.
    text = _INVISIBLE.sub("", text)
    text = _ARABIC_MARKS.sub("", text)
    text = text.translate(_LETTERS).casefold()
    text = _strip_latin_accents(text)
    return _SPACES.sub(" ", text).strip()


def clean_for_display(text: str) -> str:
    """Remove control and bidi-override characters but keep the client's spelling."""
    text = unicodedata.normalize("NFC", text[:MAX_CHARS])
    text = _CONTROL.sub(" ", text)
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)
    return _SPACES.sub(" ", text).strip()
