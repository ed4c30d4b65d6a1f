"""Text normalisation for search: clients type without diacritics, mix the Arabic
and Persian forms of yeh and kaf, drop zero-width non-joiners and use any case.

Index text and queries go through the same ``normalize`` so that these variants
meet.
"""

from __future__ import annotations

import re
import unicodedata

# Characters unified before comparison. Arabic ي/ى and Persian ی become one
# letter, Arabic ك and Persian ک likewise; alef variants become bare alef;
# teh marbuta is written as heh in much informal Arabic.
_CHAR_MAP = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
        "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
        "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE
        "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW
        "\u0622": "\u0627",  # ALEF WITH MADDA
        "\u0671": "\u0627",  # ALEF WASLA
        "\u0629": "\u0647",  # TEH MARBUTA -> HEH
        "\u0640": None,  # TATWEEL
        "\u200c": None,  # ZERO WIDTH NON-JOINER (Persian half-space)
        "\u200d": None,  # ZERO WIDTH JOINER
        "\u200b": None,  # ZERO WIDTH SPACE
        "\u2019": "'",  # Ukrainian apostrophe variants
        "\u02bc": "'",
        "\u2018": "'",
        "\u0060": "'",
        "\u00b4": "'",
    }
)

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s']", re.UNICODE)


def _strip_marks(text: str) -> str:
    """Drop combining marks (Latin accents, Arabic harakat) except on Cyrillic,
    where й and ї are letters of their own."""
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    base_is_cyrillic = False
    for char in decomposed:
        if unicodedata.combining(char):
            if base_is_cyrillic:
                kept.append(char)
            continue
        base_is_cyrillic = "CYRILLIC" in unicodedata.name(char, "")
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def strip_control_characters(text: str) -> str:
    """Remove control and format characters except ordinary white space."""
    return "".join(
        char
        for char in text
        if char in "\t\n\r "
        or unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co"}
        or char == "\u200c"
    )


def normalize(text: str) -> str:
    """Fold ``text`` into the form used for matching."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_CHAR_MAP)
    text = strip_control_characters(text)
    text = _strip_marks(text).casefold()
    # Hamza on waw/yeh and isolated hamza carry little meaning for search.
    text = text.replace("\u0624", "\u0648").replace("\u0626", "\u06cc").replace("\u0621", "")
    text = _PUNCTUATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    return [token for token in normalize(text).split(" ") if token]


# Arabic-Indic and Persian digits, as phones type them, to ASCII digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)
