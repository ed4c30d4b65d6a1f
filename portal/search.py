"""Search over topics and services in one language, tolerant of spelling variants.

The normalised text lives in ``search_entry`` (rebuilt by ``content load``);
every query token must occur, and if that finds nothing, any token may.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from .extensions import db
from .models import SearchEntry
from .text import strip_control_characters, tokens

MAX_QUERY_LENGTH = 200
MAX_TOKENS = 8
MIN_TOKEN_LENGTH = 2
MAX_RESULTS = 30


@dataclass(frozen=True)
class Query:
    text: str  # what we searched for, cleaned, for showing back to the client
    tokens: tuple[str, ...]
    truncated: bool


@dataclass(frozen=True)
class Hit:
    kind: str
    slug: str
    title: str
    score: int


@dataclass(frozen=True)
class Results:
    query: Query
    hits: list[Hit]
    matched_all_words: bool


def parse_query(raw: str) -> Query:
    cleaned = " ".join(strip_control_characters(raw).split())
    truncated = len(cleaned) > MAX_QUERY_LENGTH
    cleaned = cleaned[:MAX_QUERY_LENGTH]
    words = [t for t in tokens(cleaned) if len(t) >= MIN_TOKEN_LENGTH]
    unique = tuple(dict.fromkeys(words))
    return Query(
        text=cleaned, tokens=unique[:MAX_TOKENS], truncated=truncated or len(unique) > MAX_TOKENS
    )


def _score(entry: SearchEntry, query_tokens: tuple[str, ...]) -> int:
    score = 0
    for token in query_tokens:
        if token in entry.title_normalized:
            score += 10
        score += min(entry.text_normalized.count(token), 5)
    return score


def search(raw: str, lang: str) -> Results:
    query = parse_query(raw)
    if not query.tokens:
        return Results(query, [], True)
    conditions = [SearchEntry.text_normalized.contains(t, autoescape=True) for t in query.tokens]
    matched_all = True
    entries = list(
        db.session.scalars(select(SearchEntry).where(SearchEntry.lang == lang, and_(*conditions)))
    )
    if not entries and len(query.tokens) > 1:
        matched_all = False
        entries = list(
            db.session.scalars(
                select(SearchEntry).where(SearchEntry.lang == lang, or_(*conditions))
            )
        )
    hits = sorted(
        (Hit(e.kind, e.slug, e.title, _score(e, query.tokens)) for e in entries),
        key=lambda hit: (-hit.score, hit.title),
    )
    return Results(query, hits[:MAX_RESULTS], matched_all)
