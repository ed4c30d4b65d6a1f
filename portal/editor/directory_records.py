"""Services, offices and consent texts as editable records (see ``revisions``).

Keys: a service or office by its slug; a consent text by "<purpose>:<lang>". The revision
data holds the editable fields only. Structure (which service an office belongs to, its
area, appointment types, the demo flag) stays in the content files.

Publishing a consent text never changes a stored version: clients agreed to exactly those
words, so a new version row is added and marked current.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from ..constants import NATIVE_NAMES, TIMEZONE, ConsentPurpose, RecordType, SearchKind
from ..content.loader import service_search_entries
from ..content.reader import consent_version
from ..extensions import db
from ..i18n import current_language
from ..markdown import render
from ..models import (
    ConsentRecord,
    ConsentText,
    ContentRevision,
    EligibilityRule,
    Office,
    OpeningHours,
    SearchEntry,
    Service,
    pick,
)
from . import revisions

SERVICE_FIELDS = (
    "name",
    "short",
    "description",
    "target_group",
    "provider",
    "website",
    "eligibility",
)
OFFICE_FIELDS = (
    "name",
    "street",
    "postal_code",
    "city",
    "phone",
    "email",
    "channels",
    "languages",
    "wheelchair_accessible",
    "accessibility_note",
    "appointment_only",
    "opening_hours",
)
# Changing these and publishing means the editor has just checked them with the office.
CONFIRMING_FIELDS = ("opening_hours", "languages")
CONSENT_FIELDS = ("title", "label", "body_md")

SERVICE_LABELS = {
    "name": _l("Name"),
    "short": _l("In one sentence"),
    "description": _l("Description"),
    "target_group": _l("For whom"),
    "provider": _l("Provider"),
    "website": _l("Website"),
    "eligibility": _l("Eligibility rules"),
}
OFFICE_LABELS = {
    "name": _l("Name"),
    "street": _l("Street"),
    "postal_code": _l("Postal code"),
    "city": _l("Town"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "channels": _l("Ways to get in touch"),
    "languages": _l("Languages spoken"),
    "wheelchair_accessible": _l("Wheelchair access"),
    "accessibility_note": _l("Note on accessibility"),
    "appointment_only": _l("By appointment only"),
    "opening_hours": _l("Opening hours"),
}
CONSENT_LABELS = {
    "title": _l("Title"),
    "label": _l("Text next to the tick box"),
    "body_md": _l("Text (Markdown)"),
}


def today() -> dt.date:
    """The date in Germany (confirmation dates are calendar days there)."""
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


# --- services -------------------------------------------------------------------------


def service_by_slug(slug: str) -> Service | None:
    return db.session.scalar(select(Service).where(Service.slug == slug))


def _rule_data(rule: EligibilityRule) -> dict[str, Any]:
    return {
        "min_age": rule.min_age,
        "max_age": rule.max_age,
        "residence_statuses": list(rule.residence_statuses) if rule.residence_statuses else None,
        "housing": list(rule.housing) if rule.housing else None,
        "areas": list(rule.areas) if rule.areas else None,
    }


def service_snapshot(key: str) -> dict[str, Any] | None:
    service = service_by_slug(key)
    if service is None:
        return None
    return {
        "name": dict(service.name),
        "short": dict(service.short),
        "description": dict(service.description),
        "target_group": dict(service.target_group),
        "provider": service.provider,
        "website": service.website,
        "eligibility": [_rule_data(rule) for rule in service.eligibility_rules],
    }


def publish_service(key: str, revision: ContentRevision) -> None:
    service = service_by_slug(key)
    if service is None:
        raise LookupError(f"no service {key}")
    data = revision.data
    service.name, service.short = dict(data["name"]), dict(data["short"])
    service.description, service.target_group = (
        dict(data["description"]),
        dict(data["target_group"]),
    )
    service.provider, service.website = data.get("provider"), data.get("website")
    service.eligibility_rules = [
        EligibilityRule(
            position=index,
            min_age=rule.get("min_age"),
            max_age=rule.get("max_age"),
            residence_statuses=rule.get("residence_statuses") or None,
            housing=rule.get("housing") or None,
            areas=rule.get("areas") or None,
        )
        for index, rule in enumerate(data["eligibility"])
    ]
    reindex_service(service)


def reindex_service(service: Service) -> None:
    """Replace the service's search entries (``content load`` rebuilds all of them)."""
    db.session.execute(
        delete(SearchEntry).where(
            SearchEntry.kind == SearchKind.SERVICE, SearchEntry.slug == service.slug
        )
    )
    texts = (service.name, service.short, service.description, service.target_group)
    cities = [office.city for office in service.offices]
    db.session.add_all(service_search_entries(service.slug, texts, cities))


def service_subject_id(key: str) -> int | None:
    service = service_by_slug(key)
    return service.id if service else None


def service_name(key: str) -> str:
    service = service_by_slug(key)
    return pick(service.name, current_language()) if service else key


# --- offices --------------------------------------------------------------------------


def office_by_slug(slug: str) -> Office | None:
    return db.session.scalar(select(Office).where(Office.slug == slug))


def hours_data(hours: list[OpeningHours]) -> list[dict[str, Any]]:
    return [
        {
            "weekday": row.weekday,
            "opens": row.opens.strftime("%H:%M"),
            "closes": row.closes.strftime("%H:%M"),
            "appointment_only": row.appointment_only,
        }
        for row in sorted(hours, key=lambda row: (row.weekday, row.opens))
    ]


def office_snapshot(key: str) -> dict[str, Any] | None:
    office = office_by_slug(key)
    if office is None:
        return None
    return {
        "name": dict(office.name),
        "street": office.street,
        "postal_code": office.postal_code,
        "city": office.city,
        "phone": office.phone,
        "email": office.email,
        "channels": list(office.channels),
        "languages": list(office.languages),
        "wheelchair_accessible": office.wheelchair_accessible,
        "accessibility_note": dict(office.accessibility_note)
        if office.accessibility_note
        else None,
        "appointment_only": office.appointment_only,
        "opening_hours": hours_data(office.opening_hours),
    }


def publish_office(key: str, revision: ContentRevision) -> None:
    office = office_by_slug(key)
    if office is None:
        raise LookupError(f"no office {key}")
    before = office_snapshot(key) or {}
    data = revision.data
    office.name = dict(data["name"])
    office.street, office.postal_code, office.city = (
        data.get("street"),
        data.get("postal_code"),
        data["city"],
    )
    office.phone, office.email = data.get("phone"), data.get("email")
    office.channels, office.languages = list(data["channels"]), list(data["languages"])
    office.wheelchair_accessible = data.get("wheelchair_accessible")
    note = data.get("accessibility_note")
    office.accessibility_note = dict(note) if note else None
    office.appointment_only = bool(data.get("appointment_only"))
    office.opening_hours = [
        OpeningHours(
            weekday=int(row["weekday"]),
            opens=dt.time.fromisoformat(row["opens"]),
            closes=dt.time.fromisoformat(row["closes"]),
            appointment_only=bool(row.get("appointment_only")),
        )
        for row in data["opening_hours"]
    ]
    if any(
        _comparable(before.get(name)) != _comparable(data.get(name)) for name in CONFIRMING_FIELDS
    ):
        office.confirmed_on = today()
    reindex_service(office.service)  # the office's town is part of the service's search text


def _comparable(value: Any) -> Any:
    """Languages are a set: the form lists them in its own order, the files in theirs."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return sorted(value)
    return value


def office_subject_id(key: str) -> int | None:
    office = office_by_slug(key)
    return office.id if office else None


def office_name(key: str) -> str:
    office = office_by_slug(key)
    return pick(office.name, current_language()) if office else key


# --- consent texts --------------------------------------------------------------------


def consent_key(purpose: str, lang: str) -> str:
    return f"{purpose}:{lang}"


def split_consent_key(key: str) -> tuple[str, str]:
    purpose, _, lang = key.partition(":")
    return purpose, lang


def current_consent(purpose: str, lang: str) -> ConsentText | None:
    return db.session.scalar(
        select(ConsentText).where(
            ConsentText.purpose == purpose,
            ConsentText.lang == lang,
            ConsentText.current.is_(True),
        )
    )


def consent_snapshot(key: str) -> dict[str, Any] | None:
    purpose, lang = split_consent_key(key)
    text = current_consent(purpose, lang)
    if text is None:
        return None
    return {"title": text.title, "label": text.label, "body_md": text.body_md}


def publish_consent(key: str, revision: ContentRevision) -> None:
    """Make the revision's words the current text: a new version row, or (after a restore)
    the unchanged row that already holds exactly these words."""
    purpose, lang = split_consent_key(key)
    data = revision.data
    version = consent_version(data["title"], data["label"], data["body_md"])
    db.session.execute(
        update(ConsentText)
        .where(ConsentText.purpose == purpose, ConsentText.lang == lang)
        .values(current=False)
    )
    existing = db.session.scalar(
        select(ConsentText).where(
            ConsentText.purpose == purpose,
            ConsentText.lang == lang,
            ConsentText.version == version,
        )
    )
    if existing is not None:
        existing.current = True
        return
    db.session.add(
        ConsentText(
            purpose=purpose,
            lang=lang,
            version=version,
            title=data["title"],
            label=data["label"],
            body_md=data["body_md"],
            body_html=render(data["body_md"]),
            current=True,
        )
    )


def consent_subject_id(key: str) -> int | None:
    text = current_consent(*split_consent_key(key))
    return text.id if text else None


def consent_name(key: str) -> str:
    from .consents import purpose_label

    purpose, lang = split_consent_key(key)
    try:
        name = purpose_label(ConsentPurpose(purpose))
    except ValueError:
        name = purpose
    return f"{name} – {NATIVE_NAMES.get(lang, lang)}"


def records_per_version(purpose: str, lang: str) -> list[tuple[ConsentText, int]]:
    """Every stored version of one text, newest first, with how many consents point to it."""
    counts = (
        select(ConsentRecord.consent_text_id, func.count().label("n"))
        .group_by(ConsentRecord.consent_text_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ConsentText, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.consent_text_id == ConsentText.id)
        .where(ConsentText.purpose == purpose, ConsentText.lang == lang)
        .order_by(ConsentText.current.desc(), ConsentText.loaded_at.desc(), ConsentText.id.desc())
    )
    return [(text, int(count)) for text, count in rows]


revisions.register(
    revisions.RecordAdapter(
        record_type=RecordType.SERVICE,
        fields=SERVICE_FIELDS,
        snapshot=service_snapshot,
        publish=publish_service,
        subject_id=service_subject_id,
        labels=SERVICE_LABELS,
        display_name=service_name,
        edit_url=lambda key: url_for("editor.service_edit", service=key),
    )
)
revisions.register(
    revisions.RecordAdapter(
        record_type=RecordType.OFFICE,
        fields=OFFICE_FIELDS,
        snapshot=office_snapshot,
        publish=publish_office,
        subject_id=office_subject_id,
        labels=OFFICE_LABELS,
        display_name=office_name,
        edit_url=lambda key: url_for("editor.office_edit", office=key),
    )
)
revisions.register(
    revisions.RecordAdapter(
        record_type=RecordType.CONSENT_TEXT,
        fields=CONSENT_FIELDS,
        snapshot=consent_snapshot,
        publish=publish_consent,
        subject_id=consent_subject_id,
        labels=CONSENT_LABELS,
        display_name=consent_name,
        edit_url=lambda key: url_for(
            "editor.consent_edit", purpose=split_consent_key(key)[0], lang=split_consent_key(key)[1]
        ),
    )
)
