"""Which service is for me? Matches a client's situation against eligibility rules.

A question the client skipped never excludes a service; the result says which
conditions were confirmed and which still need checking.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import gettext as _

from .constants import HOUSING_CODES, RESIDENCE_STATUS_CODES, Housing, ResidenceStatus
from .models import EligibilityRule, Service, SocialArea, pick
from .text import ascii_digits


class Criterion(StrEnum):
    AGE = "age"
    RESIDENCE_STATUS = "residence_status"
    HOUSING = "housing"
    AREA = "area"


@dataclass(frozen=True)
class Situation:
    age: int | None = None
    residence_status: str | None = None
    housing: str | None = None
    area: str | None = None

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in (self.age, self.residence_status, self.housing, self.area))


@dataclass(frozen=True)
class Reason:
    criterion: Criterion
    confirmed: bool  # False: the client did not say, so the condition still needs checking
    min_age: int | None = None
    max_age: int | None = None
    allowed: tuple[str, ...] = ()


@dataclass
class Match:
    service: Service
    reasons: list[Reason] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return all(reason.confirmed for reason in self.reasons)


MAX_AGE = 120


class InputError(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    AGE_OUT_OF_RANGE = "age_out_of_range"
    UNKNOWN_CHOICE = "unknown_choice"


def parse_situation(
    args: Mapping[str, str], area_slugs: Collection[str]
) -> tuple[Situation, dict[str, InputError]]:
    """The answers from a query string; a bad answer is left out and reported per field."""
    errors: dict[str, InputError] = {}
    age: int | None = None
    raw_age = (args.get("age") or "").strip()
    if raw_age:
        try:
            age = int(ascii_digits(raw_age))
        except ValueError:
            errors["age"] = InputError.NOT_A_NUMBER
        else:
            if not 0 <= age <= MAX_AGE:
                errors["age"], age = InputError.AGE_OUT_OF_RANGE, None
    choices = {
        "status": RESIDENCE_STATUS_CODES,
        "housing": HOUSING_CODES,
        "area": area_slugs,
    }
    answers: dict[str, str | None] = {}
    for name, allowed in choices.items():
        answers[name] = args.get(name) or None
        if answers[name] is not None and answers[name] not in allowed:
            errors[name], answers[name] = InputError.UNKNOWN_CHOICE, None
    situation = Situation(
        age=age,
        residence_status=answers["status"],
        housing=answers["housing"],
        area=answers["area"],
    )
    return situation, errors


def _check_rule(rule: EligibilityRule, situation: Situation) -> list[Reason] | None:
    """The reasons a rule matches, or None when a given answer rules it out."""
    reasons: list[Reason] = []
    if rule.min_age is not None or rule.max_age is not None:
        if situation.age is None:
            reasons.append(Reason(Criterion.AGE, False, rule.min_age, rule.max_age))
        elif (rule.min_age is not None and situation.age < rule.min_age) or (
            rule.max_age is not None and situation.age > rule.max_age
        ):
            return None
        else:
            reasons.append(Reason(Criterion.AGE, True, rule.min_age, rule.max_age))
    conditions = (
        (Criterion.RESIDENCE_STATUS, rule.residence_statuses, situation.residence_status),
        (Criterion.HOUSING, rule.housing, situation.housing),
        (Criterion.AREA, rule.areas, situation.area),
    )
    for criterion, allowed, answer in conditions:
        if not allowed:
            continue
        if answer is None:
            reasons.append(Reason(criterion, False, allowed=tuple(allowed)))
        elif answer not in allowed:
            return None
        else:
            reasons.append(Reason(criterion, True, allowed=(answer,)))
    return reasons


def match_service(service: Service, situation: Situation) -> Match | None:
    best: list[Reason] | None = None
    for rule in service.eligibility_rules:
        reasons = _check_rule(rule, situation)
        if reasons is None:
            continue
        unconfirmed = sum(not reason.confirmed for reason in reasons)
        if best is None or unconfirmed < sum(not reason.confirmed for reason in best):
            best = reasons
    return None if best is None else Match(service, best)


def find_services(services: Sequence[Service], situation: Situation) -> list[Match]:
    matches = [m for m in (match_service(s, situation) for s in services) if m is not None]
    # Services whose conditions are all confirmed first, then by directory order.
    return sorted(matches, key=lambda m: (not m.confirmed, m.service.position))


def status_label(code: str) -> str:
    labels = {
        ResidenceStatus.ASYLUM_SEEKER: _("Asylum seeker (Aufenthaltsgestattung)"),
        ResidenceStatus.DULDUNG: _("Tolerated stay (Duldung)"),
        ResidenceStatus.TEMPORARY_PROTECTION: _("Temporary protection, e.g. from Ukraine (§ 24)"),
        ResidenceStatus.PROTECTION_STATUS: _("Recognised protection (asylum, refugee, subsidiary)"),
        ResidenceStatus.RESIDENCE_PERMIT: _("Other residence permit (work, study, family)"),
        ResidenceStatus.SETTLEMENT_PERMIT: _("Settlement permit (Niederlassungserlaubnis)"),
        ResidenceStatus.LATE_REPATRIATE: _("Late repatriate (Spätaussiedler)"),
        ResidenceStatus.EU_CITIZEN: _("Citizen of an EU country"),
        ResidenceStatus.GERMAN_CITIZEN: _("German citizen"),
    }
    return labels[ResidenceStatus(code)] if code in RESIDENCE_STATUS_CODES else code


def housing_label(code: str) -> str:
    labels = {
        Housing.COMMUNAL_ACCOMMODATION: _("Shared accommodation (Gemeinschaftsunterkunft)"),
        Housing.TRANSITIONAL_FLAT: _("Transitional flat (Übergangswohnung)"),
        Housing.OWN_FLAT: _("My own rented flat"),
        Housing.OTHER: _("Somewhere else (with family or friends, no home, other)"),
    }
    return labels[Housing(code)] if code in HOUSING_CODES else code


def _age_text(reason: Reason) -> str:
    low, high = reason.min_age, reason.max_age
    if low is not None and high is not None:
        return _("for ages %(low)d to %(high)d", low=low, high=high)
    if low is not None:
        return _("for ages %(low)d and older", low=low)
    return _("for ages up to %(high)d", high=high or 0)


def explain(reason: Reason, areas: dict[str, SocialArea], lang: str) -> str:
    """One translated sentence saying why a service matches, or what to check."""
    if reason.criterion is Criterion.AGE:
        if reason.confirmed:
            return _("Your age fits: this service is %(range)s.", range=_age_text(reason))
        return _("Only %(range)s – you did not give your age.", range=_age_text(reason))
    if reason.criterion is Criterion.RESIDENCE_STATUS:
        names = ", ".join(status_label(code) for code in reason.allowed)
        if reason.confirmed:
            return _("Your residence status fits: %(names)s.", names=names)
        return _("Depends on your residence status – it is for: %(names)s.", names=names)
    if reason.criterion is Criterion.HOUSING:
        names = ", ".join(housing_label(code) for code in reason.allowed)
        if reason.confirmed:
            return _("Your housing fits: %(names)s.", names=names)
        return _("Depends on where you live – it is for: %(names)s.", names=names)
    names = ", ".join(pick(areas[s].name, lang) if s in areas else s for s in reason.allowed)
    if reason.confirmed:
        return _("It covers your area: %(names)s.", names=names)
    return _("Only for some areas: %(names)s.", names=names)
