"""Writes validated content into the database in one transaction.

Records are matched by slug and updated in place, so ids stay stable and a
second load of the same files changes nothing. Records whose files were removed
are deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, select

from .. import models
from ..constants import LANGUAGES, SOURCE_LANGUAGE, SearchKind, TranslationStatus
from ..extensions import db
from ..markdown import render, to_plain_text
from ..text import normalize
from . import schema
from .reader import Content, ContentError, Problem, TopicContent, read_content

WEEKDAY_INDEX = {name: index for index, name in enumerate(schema.WEEKDAYS)}
Record = TypeVar("Record", bound=Any)


@dataclass(frozen=True)
class LoadSummary:
    topics: int
    translations: int
    services: int
    offices: int
    areas: int
    sites: int


def _by_slug(model: type[Record]) -> dict[str, Record]:
    return {row.slug: row for row in db.session.scalars(select(model))}


def _remove_missing(existing: dict[str, Any], keep: Iterable[str]) -> None:
    for slug in set(existing) - set(keep):
        db.session.delete(existing[slug])


def _translation_status(topic: TopicContent, lang: str) -> tuple[str, int]:
    front = topic.files[lang].front
    if lang == SOURCE_LANGUAGE:
        return TranslationStatus.SOURCE, topic.meta.revision
    revision = front.translation_of or 0
    if revision < topic.meta.revision:
        return TranslationStatus.OUTDATED, revision
    if front.status:
        return front.status, revision
    return TranslationStatus.UP_TO_DATE, revision


def _load_areas(content: Content) -> dict[str, models.SocialArea]:
    existing = _by_slug(models.SocialArea)
    for item in content.areas:
        area = existing.get(item.slug) or models.SocialArea(slug=item.slug)
        area.position, area.name = item.position, dict(item.name)
        area.municipalities, area.demo = list(item.municipalities), item.demo
        db.session.add(area)
        existing[item.slug] = area
    _remove_missing(existing, (item.slug for item in content.areas))
    return existing


def _load_sites(content: Content, areas: dict[str, models.SocialArea]) -> None:
    existing = _by_slug(models.AccommodationSite)
    for item in content.sites:
        site = existing.get(item.slug) or models.AccommodationSite(slug=item.slug)
        site.kind, site.name = item.kind, dict(item.name)
        site.note = dict(item.note) if item.note else None
        site.capacity, site.demo = item.capacity, item.demo
        site.area = areas[item.area] if item.area else None
        db.session.add(site)
    _remove_missing(existing, (item.slug for item in content.sites))


def _load_services(content: Content) -> dict[str, models.Service]:
    existing = _by_slug(models.Service)
    for item in content.services:
        service = existing.get(item.slug) or models.Service(slug=item.slug)
        service.position = item.position
        service.name, service.short = dict(item.name), dict(item.short)
        service.description, service.target_group = dict(item.description), dict(item.target_group)
        service.provider, service.demo = item.provider, item.demo
        service.website = str(item.website) if item.website else None
        service.eligibility_rules = [
            models.EligibilityRule(
                position=index,
                min_age=rule.min_age,
                max_age=rule.max_age,
                residence_statuses=[str(s) for s in rule.residence_statuses]
                if rule.residence_statuses
                else None,
                housing=[str(h) for h in rule.housing] if rule.housing else None,
                areas=list(rule.areas) if rule.areas else None,
            )
            for index, rule in enumerate(item.eligibility)
        ]
        _load_appointment_types(service, item.appointment_types)
        db.session.add(service)
        existing[item.slug] = service
    _remove_missing(existing, (item.slug for item in content.services))
    return existing


def _load_appointment_types(service: models.Service, items: list[schema.AppointmentType]) -> None:
    """Update types in place by slug: booked appointments keep pointing at the same row."""
    current = {kind.slug: kind for kind in service.appointment_types}
    kept = []
    for position, item in enumerate(items):
        kind = current.get(item.slug) or models.AppointmentType(slug=item.slug)
        kind.position, kind.name = position, dict(item.name)
        kind.bring = dict(item.bring) if item.bring else None
        kind.first_visit = item.first_visit
        kind.duration_minutes = item.duration_minutes
        kind.buffer_before_minutes = item.buffer_before_minutes
        kind.buffer_after_minutes = item.buffer_after_minutes
        kind.min_notice_minutes = item.min_notice_hours * 60
        kind.horizon_days = item.horizon_days
        kind.slot_interval_minutes = item.slot_interval_minutes
        kind.modes = [str(mode) for mode in item.modes]
        kept.append(kind)
    service.appointment_types = kept


def _opening_hours(ranges: list[schema.OpeningRange]) -> list[models.OpeningHours]:
    return [
        models.OpeningHours(
            weekday=WEEKDAY_INDEX[day],
            opens=dt.time.fromisoformat(opening.opens),
            closes=dt.time.fromisoformat(opening.closes),
            appointment_only=opening.appointment_only,
        )
        for opening in ranges
        for day in opening.days
    ]


def _load_offices(
    content: Content, services: dict[str, models.Service], areas: dict[str, models.SocialArea]
) -> None:
    existing = _by_slug(models.Office)
    for item in content.offices:
        office = existing.get(item.slug) or models.Office(slug=item.slug)
        office.service, office.position = services[item.service], item.position
        office.area = areas[item.area] if item.area else None
        office.name = dict(item.name)
        office.street, office.postal_code, office.city = item.street, item.postal_code, item.city
        office.phone, office.email = item.phone, item.email
        office.channels = [str(channel) for channel in item.channels]
        office.languages = list(item.languages)
        office.wheelchair_accessible = item.wheelchair_accessible
        office.accessibility_note = (
            dict(item.accessibility_note) if item.accessibility_note else None
        )
        office.appointment_only, office.demo = item.appointment_only, item.demo
        office.confirmed_on = item.confirmed
        office.opening_hours = _opening_hours(item.opening_hours)
        db.session.add(office)
    _remove_missing(existing, (item.slug for item in content.offices))


def _load_topics(content: Content, services: dict[str, models.Service]) -> int:
    existing = _by_slug(models.Topic)
    count = 0
    for item in content.topics:
        topic = existing.get(item.meta.slug) or models.Topic(slug=item.meta.slug)
        topic.position, topic.revision = item.meta.position, item.meta.revision
        topic.related = list(item.meta.related)
        topic.services = [services[slug] for slug in item.meta.services]
        current = {translation.lang: translation for translation in topic.translations}
        for lang, topic_file in item.files.items():
            translation = current.get(lang) or models.TopicTranslation(lang=lang)
            status, revision = _translation_status(item, lang)
            front = topic_file.front
            translation.title, translation.summary = front.title, front.summary
            translation.body_md, translation.body_html = topic_file.body, render(topic_file.body)
            translation.keywords = list(front.keywords)
            translation.sources = [{"title": s.title, "url": str(s.url)} for s in front.sources]
            translation.last_reviewed = front.last_reviewed
            translation.source_revision, translation.translation_status = revision, status
            if lang not in current:
                topic.translations.append(translation)
            count += 1
        db.session.add(topic)
    _remove_missing(existing, (item.meta.slug for item in content.topics))
    return count


def _load_consent_texts(content: Content) -> None:
    """Add new versions and mark which one is current; never change or drop old ones,
    since consent records point to the exact words a client agreed to.

    Versions are hashes of the words (``reader.consent_version``). In a database loaded
    while versions were hashes of the raw files, the first load after that change adds
    every text once more under its new version and marks the old row as not current:
    existing consent records keep pointing at the old rows (same words), and a client
    holding an old version number is asked to fetch the text again before booking.
    Nothing was deployed with the old versions, so no client meets this."""
    existing = {
        (text.purpose, text.lang, text.version): text
        for text in db.session.scalars(select(models.ConsentText))
    }
    current = {(item.purpose.value, item.lang, item.version) for item in content.consents}
    for key, text in existing.items():
        text.current = key in current
    for item in content.consents:
        key = (item.purpose.value, item.lang, item.version)
        if key not in existing:
            db.session.add(
                models.ConsentText(
                    purpose=item.purpose.value,
                    lang=item.lang,
                    version=item.version,
                    title=item.front.title,
                    label=item.front.label,
                    body_md=item.body,
                    body_html=render(item.body),
                    current=True,
                )
            )


def _search_entries(content: Content) -> Iterable[models.SearchEntry]:
    for topic in content.topics:
        for lang, topic_file in topic.files.items():
            front = topic_file.front
            text = " ".join(
                [front.title, front.summary, *front.keywords, to_plain_text(topic_file.body)]
            )
            yield models.SearchEntry(
                kind=SearchKind.TOPIC,
                slug=topic.meta.slug,
                lang=lang,
                title=front.title,
                title_normalized=normalize(front.title),
                text_normalized=normalize(text),
            )
    cities: dict[str, list[str]] = {}
    for office in content.offices:
        cities.setdefault(office.service, []).append(office.city)
    for service in content.services:
        yield from service_search_entries(
            service.slug,
            (service.name, service.short, service.description, service.target_group),
            cities.get(service.slug, []),
        )


def service_search_entries(
    slug: str, texts: tuple[Mapping[str, str], ...], cities: Iterable[str]
) -> list[models.SearchEntry]:
    """One entry per language for a service: ``texts`` are its name, short text, description
    and target group ({lang: text}); the cities of its offices are searchable too. Used by
    ``content load`` and when an editor publishes a service or office."""
    name = texts[0]
    city_list = list(cities)
    return [
        models.SearchEntry(
            kind=SearchKind.SERVICE,
            slug=slug,
            lang=lang,
            title=name[lang],
            title_normalized=normalize(name[lang]),
            text_normalized=normalize(" ".join([*(text[lang] for text in texts), *city_list])),
        )
        for lang in LANGUAGES
    ]


def _check_booked_records_kept(content: Content, root: Path) -> None:
    """Refuse to delete an office or appointment type that appointments still point to."""
    kept_offices = {office.slug for office in content.offices}
    kept_types = {(s.slug, kind.slug) for s in content.services for kind in s.appointment_types}
    problems = []
    rows = db.session.execute(
        select(models.Office.slug, models.Service.slug, models.AppointmentType.slug)
        .select_from(models.Appointment)
        .join(models.Office, models.Appointment.office_id == models.Office.id)
        .join(models.Service, models.Appointment.service_id == models.Service.id)
        .join(
            models.AppointmentType,
            models.Appointment.appointment_type_id == models.AppointmentType.id,
        )
        .distinct()
    )
    for office_slug, service_slug, type_slug in rows:
        if office_slug not in kept_offices:
            problems.append(
                Problem(
                    root / "directory" / "offices.yml",
                    None,
                    f"office '{office_slug}' has appointments and cannot be removed",
                )
            )
        if (service_slug, type_slug) not in kept_types:
            problems.append(
                Problem(
                    root / "directory" / "services.yml",
                    None,
                    f"appointment type '{type_slug}' of '{service_slug}' has appointments "
                    "and cannot be removed",
                )
            )
    if problems:
        raise ContentError(problems)


def write_content(content: Content, root: Path | None = None) -> LoadSummary:
    """Write ``content`` and commit; roll back everything on any error."""
    _check_booked_records_kept(content, root or Path("content"))
    try:
        areas = _load_areas(content)
        _load_sites(content, areas)
        services = _load_services(content)
        _load_offices(content, services, areas)
        translations = _load_topics(content, services)
        _load_consent_texts(content)
        db.session.execute(delete(models.SearchEntry))
        db.session.add_all(_search_entries(content))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return LoadSummary(
        topics=len(content.topics),
        translations=translations,
        services=len(content.services),
        offices=len(content.offices),
        areas=len(content.areas),
        sites=len(content.sites),
    )


def load_content(root: Path) -> LoadSummary:
    """Validate ``root`` completely, then write it. Raises ContentError before any write."""
    return write_content(read_content(root), root)
