"""The service and office edit forms: record data ↔ form fields, with checks.

Forms work without JavaScript: opening hours and eligibility rules are a fixed number of
rows (the saved ones and a few empty ones). A form is re-shown with exactly what was
typed when something is wrong, so nothing is lost. What passes is also checked against
the content schema (``portal/content/schema.py``), so ``content export`` can always write
a published record back to the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from ..constants import (
    INTERPRETER_LANGUAGES,
    LANGUAGES,
    ContactChannel,
    Housing,
    ResidenceStatus,
)
from ..content import schema
from ..models import Office, Service
from . import fields
from .fields import Errors

# The portal's own languages first, then those clients often ask interpreters for.
OFFICE_LANGUAGES: tuple[str, ...] = tuple(dict.fromkeys((*LANGUAGES, *INTERPRETER_LANGUAGES)))
EXTRA_ROWS = 3  # empty opening-hours rows offered below the saved ones
EXTRA_RULES = 1  # empty eligibility rule offered below the saved ones
MAX_ROWS = 60
WHEELCHAIR = {"yes": True, "no": False, "unknown": None}
CHECKED = "1"

SERVICE_TRANSLATED = ("name", "short", "description", "target_group")
SERVICE_LONG = frozenset({"description", "target_group"})


@dataclass(frozen=True)
class Parsed:
    data: dict[str, Any]
    errors: Errors

    @property
    def ok(self) -> bool:
        return not self.errors


def row_count(form: MultiDict[str, str], name: str, saved: int, extra: int) -> int:
    """How many rows the form shows: from a posted form as posted, else saved + extra."""
    try:
        posted = int(form.get(name, ""))
    except ValueError:
        posted = saved + extra
    return max(0, min(posted, MAX_ROWS))


def _put_translated(form: MultiDict[str, str], name: str, value: dict[str, str] | None) -> None:
    for lang in LANGUAGES:
        form[f"{name}-{lang}"] = (value or {}).get(lang, "")


# --- services -------------------------------------------------------------------------


def service_form(data: dict[str, Any]) -> MultiDict[str, str]:
    form: MultiDict[str, str] = MultiDict()
    for name in SERVICE_TRANSLATED:
        _put_translated(form, name, data.get(name))
    form["provider"] = data.get("provider") or ""
    form["website"] = data.get("website") or ""
    rules = data.get("eligibility") or []
    form["rules"] = str(len(rules) + EXTRA_RULES)
    for index, rule in enumerate(rules):
        prefix = f"rule-{index}"
        form[f"{prefix}-use"] = CHECKED
        for bound in ("min_age", "max_age"):
            form[f"{prefix}-{bound}"] = "" if rule.get(bound) is None else str(rule[bound])
        form.setlist(f"{prefix}-status", list(rule.get("residence_statuses") or []))
        form.setlist(f"{prefix}-housing", list(rule.get("housing") or []))
        form.setlist(f"{prefix}-area", list(rule.get("areas") or []))
    for index in range(len(rules), len(rules) + EXTRA_RULES):
        form[f"rule-{index}-new"] = CHECKED
    return form


def _rule(form: MultiDict[str, str], index: int, areas: list[str], errors: Errors) -> Any:
    """One eligibility rule as data; None when the block is not used."""
    prefix = f"rule-{index}"
    statuses = fields.chosen(form.getlist(f"{prefix}-status"), [s.value for s in ResidenceStatus])
    housing = fields.chosen(form.getlist(f"{prefix}-housing"), [h.value for h in Housing])
    rule_areas = fields.chosen(form.getlist(f"{prefix}-area"), areas)
    ages: dict[str, int | None] = {}
    for bound in ("min_age", "max_age"):
        try:
            ages[bound] = fields.whole_number(form.get(f"{prefix}-{bound}", ""), 0, 120)
        except ValueError:
            errors[prefix] = _("Ages are whole numbers from 0 to 120.")
            ages[bound] = None
    has_conditions = bool(statuses or housing or rule_areas) or any(
        value is not None for value in ages.values()
    )
    if form.get(f"{prefix}-use") != CHECKED:
        if has_conditions and form.get(f"{prefix}-new") == CHECKED:
            errors[prefix] = _("Tick “Use this rule” to add it, or clear its conditions.")
        return None
    low, high = ages["min_age"], ages["max_age"]
    if low is not None and high is not None and low > high:
        errors[prefix] = _("The lowest age is higher than the highest age.")
    return {
        "min_age": low,
        "max_age": high,
        "residence_statuses": statuses or None,
        "housing": housing or None,
        "areas": rule_areas or None,
    }


def parse_service(form: MultiDict[str, str], live: Service, areas: list[str]) -> Parsed:
    errors: Errors = {}
    data: dict[str, Any] = {
        name: fields.translated(form, name, errors, required=True, multiline=name in SERVICE_LONG)
        for name in SERVICE_TRANSLATED
    }
    data["provider"] = fields.single_line(form.get("provider"), 200) or None
    data["website"] = fields.https_url(form.get("website", ""), "website", errors)
    count = row_count(form, "rules", 0, EXTRA_RULES)
    rules = [_rule(form, index, areas, errors) for index in range(count)]
    data["eligibility"] = [rule for rule in rules if rule is not None]
    if not data["eligibility"]:
        errors.setdefault(
            "eligibility",
            _("A service needs at least one rule; a rule without conditions means everyone."),
        )
    if not errors:
        _check_service_schema(data, live, errors)
    return Parsed(data, errors)


def _check_service_schema(data: dict[str, Any], live: Service, errors: Errors) -> None:
    try:
        schema.Service.model_validate(
            {
                "slug": live.slug,
                "position": live.position,
                "demo": live.demo,
                **{key: value for key, value in data.items() if value is not None},
            }
        )
    except ValidationError as error:
        fields.schema_errors(error, {name: name for name in data}, errors)


# --- offices --------------------------------------------------------------------------


def office_form(data: dict[str, Any]) -> MultiDict[str, str]:
    form: MultiDict[str, str] = MultiDict()
    _put_translated(form, "name", data.get("name"))
    _put_translated(form, "accessibility_note", data.get("accessibility_note"))
    for name in ("street", "postal_code", "city", "phone", "email"):
        form[name] = data.get(name) or ""
    form.setlist("channels", list(data.get("channels") or []))
    form.setlist("languages", list(data.get("languages") or []))
    wheelchair = data.get("wheelchair_accessible")
    form["wheelchair"] = next(code for code, value in WHEELCHAIR.items() if value is wheelchair)
    if data.get("appointment_only"):
        form["appointment_only"] = CHECKED
    hours = data.get("opening_hours") or []
    form["hours"] = str(len(hours) + EXTRA_ROWS)
    for index, row in enumerate(hours):
        prefix = f"hours-{index}"
        form[f"{prefix}-weekday"] = str(row["weekday"])
        form[f"{prefix}-opens"] = row["opens"]
        form[f"{prefix}-closes"] = row["closes"]
        if row.get("appointment_only"):
            form[f"{prefix}-appointment_only"] = CHECKED
    return form


def language_options(form: MultiDict[str, str]) -> list[str]:
    """The checkbox list: the usual languages plus any other code the office already has."""
    return [*OFFICE_LANGUAGES, *(c for c in form.getlist("languages") if c not in OFFICE_LANGUAGES)]


def _hours_row(form: MultiDict[str, str], index: int, errors: Errors) -> dict[str, Any] | None:
    prefix = f"hours-{index}"
    weekday = form.get(f"{prefix}-weekday", "").strip()
    raw_opens, raw_closes = form.get(f"{prefix}-opens", ""), form.get(f"{prefix}-closes", "")
    if not weekday and not raw_opens.strip() and not raw_closes.strip():
        return None  # an empty row, or one the editor emptied to remove it
    if weekday not in {str(day) for day in range(7)}:
        errors[prefix] = _("Choose a day for these hours, or clear the times to remove them.")
        return None
    opens, closes = fields.clock_time(raw_opens), fields.clock_time(raw_closes)
    if opens is None or closes is None:
        errors[prefix] = _("Write times as HH:MM, for example 09:30.")
        return None
    if opens >= closes:
        errors[prefix] = _("The office must open before it closes.")
        return None
    return {
        "weekday": int(weekday),
        "opens": opens,
        "closes": closes,
        "appointment_only": form.get(f"{prefix}-appointment_only") == CHECKED,
    }


def _overlaps(rows: list[tuple[int, dict[str, Any]]], errors: Errors) -> None:
    ordered = sorted(rows, key=lambda item: (item[1]["weekday"], item[1]["opens"]))
    for (_first_index, first), (index, second) in pairwise(ordered):
        if first["weekday"] == second["weekday"] and second["opens"] < first["closes"]:
            errors.setdefault(
                f"hours-{index}", _("These hours overlap other hours on the same day.")
            )


def parse_office(form: MultiDict[str, str], live: Office) -> Parsed:
    errors: Errors = {}
    data: dict[str, Any] = {"name": fields.translated(form, "name", errors, required=True)}
    data["street"] = fields.single_line(form.get("street"), 200) or None
    postal_code = fields.single_line(form.get("postal_code"), 10) or None
    if postal_code is not None and not re.fullmatch(r"[0-9]{5}", postal_code):
        errors["postal_code"] = _("A German postal code has five digits.")
    data["postal_code"] = postal_code
    data["city"] = fields.single_line(form.get("city"), 100)
    if not data["city"]:
        errors["city"] = _("Please enter the town.")
    data["phone"] = fields.phone_number(form.get("phone", ""), "phone", errors)
    data["email"] = fields.email_address(form.get("email", ""), "email", errors, demo=live.demo)
    data["channels"] = fields.chosen(form.getlist("channels"), [c.value for c in ContactChannel])
    if not data["channels"]:
        errors["channels"] = _("Choose at least one way to get in touch.")
    data["languages"] = fields.chosen(form.getlist("languages"), language_options(form))
    if not data["languages"]:
        errors["languages"] = _("Choose at least one language spoken at the office.")
    wheelchair = form.get("wheelchair", "unknown")
    data["wheelchair_accessible"] = WHEELCHAIR.get(wheelchair)
    data["accessibility_note"] = fields.translated(
        form, "accessibility_note", errors, required=False
    )
    data["appointment_only"] = form.get("appointment_only") == CHECKED
    count = row_count(form, "hours", 0, EXTRA_ROWS)
    rows = [(index, _hours_row(form, index, errors)) for index in range(count)]
    kept = [(index, row) for index, row in rows if row is not None]
    _overlaps(kept, errors)
    data["opening_hours"] = sorted(
        (row for _index, row in kept), key=lambda row: (row["weekday"], row["opens"])
    )
    if not errors:
        _check_office_schema(data, live, errors)
    return Parsed(data, errors)


def schema_opening_hours(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-day rows in the files' form (one range may list several days)."""
    return [
        {
            "days": [schema.WEEKDAYS[row["weekday"]]],
            "opens": row["opens"],
            "closes": row["closes"],
            "appointment_only": row["appointment_only"],
        }
        for row in rows
    ]


def _check_office_schema(data: dict[str, Any], live: Office, errors: Errors) -> None:
    values = {key: value for key, value in data.items() if value is not None}
    values["opening_hours"] = schema_opening_hours(data["opening_hours"])
    try:
        schema.Office.model_validate(
            {
                **values,
                "slug": live.slug,
                "service": live.service.slug,
                "position": live.position,
                "area": live.area.slug if live.area else None,
                "demo": live.demo,
            }
        )
    except ValidationError as error:
        fields.schema_errors(error, {name: name for name in data}, errors)
