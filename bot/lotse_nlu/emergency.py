"""The emergency safety net: keyword lists per language that no classifier can outvote.

Each ``keywords/<lang>.yml`` lists phrases per category (self-harm, violence, fire,
medical). They are normalised like the messages and matched as substrings, so stems and
colloquial spellings work. Every language's list is checked on every message: a client
writing Arabic in a German conversation is still heard.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .normalize import normalize

KEYWORD_DIR = Path(__file__).with_name("keywords")
CATEGORIES = ("self_harm", "violence", "fire", "medical")
MIN_PHRASE_CHARS = 3


@dataclass(frozen=True)
class EmergencySignal:
    category: str
    language: str


@lru_cache(maxsize=1)
def keyword_lists() -> tuple[tuple[str, str, str], ...]:
    """(normalised phrase, category, language) for every listed phrase."""
    entries: list[tuple[str, str, str]] = []
    for path in sorted(KEYWORD_DIR.glob("*.yml")):
        data: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for category in CATEGORIES:
            for phrase in data.get(category) or []:
                normalised = normalize(str(phrase))
                if len(normalised) >= MIN_PHRASE_CHARS:
                    entries.append((normalised, category, path.stem))
    return tuple(entries)


def find_emergency(text: str) -> EmergencySignal | None:
    """The first emergency phrase in the message, or None."""
    normalised = f" {normalize(text)} "
    for phrase, category, language in keyword_lists():
        if phrase in normalised:
            return EmergencySignal(category, language)
    return None
