"""Schemas of the files in ``content/`` (see docs/content-format.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from babel import Locale
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

from ..constants import (
    LANGUAGES,
    TOPIC_SLUGS,
    AppointmentMode,
    ContactChannel,
    Housing,
    ResidenceStatus,
)

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=64)]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KNOWN_LANGUAGE_CODES = frozenset(Locale("en").languages)


def _https_only(url: HttpUrl) -> HttpUrl:
    if url.scheme != "https":
        raise ValueError("only https links are allowed")
    return url


HttpsUrl = Annotated[HttpUrl, AfterValidator(_https_only)]


def _all_languages(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not (value.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"missing language(s): {', '.join(missing)}")
    extra = sorted(set(value) - set(LANGUAGES))
    if extra:
        raise ValueError(f"unknown language code(s): {', '.join(extra)}")
    return {lang: value[lang].strip() for lang in LANGUAGES}


Translated = Annotated[dict[str, str], AfterValidator(_all_languages)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicMeta(Strict):
    slug: Literal[TOPIC_SLUGS]  # type: ignore[valid-type]
    position: int = Field(ge=1)
    revision: int = Field(ge=1)
    services: list[Slug] = Field(default_factory=list)
    related: list[Literal[TOPIC_SLUGS]] = Field(default_factory=list)  # type: ignore[valid-type]


class Source(Strict):
    title: str = Field(min_length=1, max_length=200)
    url: HttpsUrl


class TopicFrontMatter(Strict):
    title: str = Field(min_length=1, max_length=80)
    summary: str = Field(min_length=1, max_length=300)
    last_reviewed: dt.date
    translation_of: int | None = Field(default=None, ge=1)
    status: Literal["machine_translated", "in_review"] | None = None
    keywords: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)


class ConsentFrontMatter(Strict):
    title: str = Field(min_length=1, max_length=200)
    label: str = Field(min_length=1, max_length=400)


class Area(Strict):
    slug: Slug
    position: int = Field(ge=1)
    name: Translated
    municipalities: list[str] = Field(default_factory=list)
    demo: bool = False


class Site(Strict):
    slug: Slug
    kind: Literal["communal-accommodation", "apartment-network", "transitional-flats"]
    name: Translated
    note: Translated | None = None
    capacity: int | None = Field(default=None, ge=0)
    area: Slug | None = None
    demo: bool = False


class EligibilityRule(Strict):
    min_age: int | None = Field(default=None, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    residence_statuses: list[ResidenceStatus] | None = Field(default=None, min_length=1)
    housing: list[Housing] | None = Field(default=None, min_length=1)
    areas: list[Slug] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _ages_in_order(self) -> EligibilityRule:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("min_age is greater than max_age")
        return self


def _multiple_of_five(minutes: int) -> int:
    if minutes % 5:
        raise ValueError("minutes must be a multiple of 5 (the calendar's resolution)")
    return minutes


Minutes = Annotated[int, Field(ge=0, le=24 * 60), AfterValidator(_multiple_of_five)]


class AppointmentType(Strict):
    """A bookable kind of appointment; a service without any is not bookable online."""

    slug: Slug
    name: Translated
    bring: Translated | None = None  # what to bring, shown on the confirmation
    first_visit: bool = False
    duration_minutes: Minutes = Field(gt=0)
    buffer_before_minutes: Minutes = 0
    buffer_after_minutes: Minutes = 0
    min_notice_hours: int = Field(default=24, ge=0, le=24 * 30)
    horizon_days: int = Field(default=42, ge=1, le=366)
    slot_interval_minutes: Minutes = Field(default=15, gt=0)
    modes: list[AppointmentMode] = Field(min_length=1)


class Service(Strict):
    slug: Slug
    position: int = Field(ge=1)
    name: Translated
    short: Translated
    description: Translated
    target_group: Translated
    provider: str | None = None
    website: HttpsUrl | None = None
    demo: bool = False
    eligibility: list[EligibilityRule] = Field(min_length=1)
    appointment_types: list[AppointmentType] = Field(default_factory=list)

    @field_validator("appointment_types")
    @classmethod
    def _unique_type_slugs(cls, types: list[AppointmentType]) -> list[AppointmentType]:
        slugs = [item.slug for item in types]
        if len(slugs) != len(set(slugs)):
            raise ValueError("appointment type slugs must be unique within a service")
        return types


_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class OpeningRange(Strict):
    days: list[Literal[WEEKDAYS]] = Field(min_length=1)  # type: ignore[valid-type]
    opens: str
    closes: str
    appointment_only: bool = False

    @field_validator("opens", "closes")
    @classmethod
    def _is_time(cls, value: str) -> str:
        if not _TIME.match(value):
            raise ValueError("time must be written HH:MM, e.g. 09:30")
        return value

    @model_validator(mode="after")
    def _opens_before_closes(self) -> OpeningRange:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        return self


class Office(Strict):
    slug: Slug
    service: Slug
    position: int = Field(ge=1)
    area: Slug | None = None
    name: Translated
    street: str | None = None
    postal_code: str | None = Field(default=None, pattern=r"^\d{5}$")
    city: str = Field(min_length=1)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 /()-]{5,30}$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    channels: list[ContactChannel] = Field(min_length=1)
    languages: list[str] = Field(min_length=1)
    wheelchair_accessible: bool | None = None
    accessibility_note: Translated | None = None
    appointment_only: bool = False
    demo: bool = False
    # The day a person last confirmed the facts above with the office; unconfirmed offices,
    # and offices not confirmed for LOTSE_STALE_AFTER_MONTHS, are listed for review.
    confirmed: dt.date | None = None
    opening_hours: list[OpeningRange] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def _known_language_codes(cls, codes: list[str]) -> list[str]:
        unknown = [code for code in codes if code not in _KNOWN_LANGUAGE_CODES]
        if unknown:
            raise ValueError(f"unknown language code(s): {', '.join(unknown)}")
        return codes


class AreasFile(Strict):
    areas: list[Area] = Field(min_length=1)


class SitesFile(Strict):
    sites: list[Site] = Field(default_factory=list)


class ServicesFile(Strict):
    services: list[Service] = Field(min_length=1)


class OfficesFile(Strict):
    offices: list[Office] = Field(default_factory=list)
