"""The booking flow: one decision per screen, every step a plain HTML page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .. import queries
from ..consent import current_text
from ..constants import INTERPRETER_LANGUAGES, LANGUAGES, ConsentPurpose, Origin
from ..extensions import limiter
from ..models import Office, utcnow
from . import bp
from .availability import free_slots
from .forms import Details, parse_details
from .labels import problem_message
from .service import BookingError, Problem, book
from .slots import BERLIN, Slot, by_local_day
from .steps import Choice, bookable_services, parse_choice
from .tokens import is_valid_idempotency_key, new_idempotency_key

STEP_ENDPOINTS = {
    "service": "booking.start",
    "type": "booking.kind",
    "office": "booking.office",
    "day": "booking.day",
    "time": "booking.time",
    "details": "booking.details",
}
STEP_NUMBERS = {
    "service": 1,
    "type": 2,
    "office": 3,
    "day": 4,
    "time": 5,
    "details": 6,
    "review": 7,
}
DAYS_PER_PAGE = 14
ALTERNATIVE_DAYS = 7


def _booking_rate_limit() -> str:
    return str(current_app.config["BOOKING_RATE_LIMIT"])


def _redirect_to(step: str, choice: Choice) -> Response:
    return redirect(url_for(STEP_ENDPOINTS[step], **choice.params(upto=step)))


def _render(template: str, step: str, choice: Choice, **context: object) -> str:
    return render_template(
        template,
        choice=choice,
        step=STEP_NUMBERS[step],
        step_count=len(STEP_NUMBERS),
        **context,
    )


def _today() -> dt.date:
    return utcnow().astimezone(BERLIN).date()


def _slots(choice: Choice, first: dt.date, last: dt.date) -> list[Slot]:
    assert choice.kind and choice.office and choice.mode
    return free_slots(choice.kind, choice.office, choice.mode, g.lang, first, last, utcnow())


def _horizon_end(choice: Choice) -> dt.date:
    assert choice.kind
    return _today() + dt.timedelta(days=choice.kind.horizon_days)


@bp.get("/book")
def start() -> Response | str:
    choice = parse_choice(request.args)
    if choice.service:
        return _redirect_to("type", choice)
    services = bookable_services()
    if choice.topic:
        related = [s for s in services if choice.topic in {t.slug for t in s.topics}]
        if len(related) == 1:
            choice.service = related[0]
            return _redirect_to("type", choice)
        services = related or services
    return _render(
        "booking/service.html",
        "service",
        choice,
        services=services,
        topics=queries.topics_in(g.lang),
    )


@bp.get("/book/type")
def kind() -> Response | str:
    choice = parse_choice(request.args)
    if choice.service is None:
        return _redirect_to("service", choice)
    if choice.kind is not None:
        return _redirect_to("office", choice)
    return _render("booking/type.html", "type", choice, types=choice.service.appointment_types)


@dataclass
class OfficeOption:
    office: Office
    mode: str
    next_slot: Slot | None
    speaks_language: bool


def _office_options(choice: Choice) -> list[OfficeOption]:
    assert choice.service and choice.kind
    options = []
    for office in choice.service.offices:
        for mode in choice.kind.modes:
            probe = Choice(choice.service, choice.kind, office, mode)
            slots = _slots(probe, _today(), _horizon_end(choice))
            options.append(
                OfficeOption(
                    office=office,
                    mode=mode,
                    next_slot=slots[0] if slots else None,
                    speaks_language=any(slot.speaks_language for slot in slots),
                )
            )
    # Bookable first; among those, where someone speaks the client's language.
    return sorted(options, key=lambda o: (o.next_slot is None, not o.speaks_language))


@bp.get("/book/office")
def office() -> Response | str:
    choice = parse_choice(request.args)
    if choice.service is None or choice.kind is None:
        return _redirect_to(choice.first_missing(), choice)
    if choice.office and choice.mode:
        return _redirect_to("day", choice)
    return _render("booking/office.html", "office", choice, options=_office_options(choice))


@dataclass
class DayOption:
    day: dt.date
    count: int
    speaks_language: bool


def _day_options(slots: list[Slot]) -> list[DayOption]:
    return [
        DayOption(day, len(day_slots), any(slot.speaks_language for slot in day_slots))
        for day, day_slots in by_local_day(slots)
    ]


@bp.get("/book/day")
def day() -> Response | str:
    choice = parse_choice(request.args)
    if choice.first_missing() in ("service", "type", "office"):
        return _redirect_to(choice.first_missing(), choice)
    try:
        first = max(_today(), dt.date.fromisoformat(request.args.get("from", "")))
    except ValueError:
        first = _today()
    last = min(first + dt.timedelta(days=DAYS_PER_PAGE - 1), _horizon_end(choice))
    options = _day_options(_slots(choice, first, last))
    later = last + dt.timedelta(days=1) if last < _horizon_end(choice) else None
    earlier = first - dt.timedelta(days=DAYS_PER_PAGE) if first > _today() else None
    return _render(
        "booking/day.html",
        "day",
        choice,
        options=options,
        first=first,
        last=last,
        later=later,
        earlier=max(earlier, _today()) if earlier else None,
    )


def _split_by_language(slots: list[Slot]) -> tuple[list[Slot], list[Slot]]:
    return [s for s in slots if s.speaks_language], [s for s in slots if not s.speaks_language]


@bp.get("/book/time")
def time() -> Response | str:
    choice = parse_choice(request.args)
    if choice.day is None:
        return _redirect_to(choice.first_missing(), choice)
    slots = _slots(choice, choice.day, choice.day)
    speaking, others = _split_by_language(slots)
    return _render(
        "booking/time.html", "time", choice, speaking=speaking, others=others, no_slots=not slots
    )


def _details_context(choice: Choice) -> dict[str, object]:
    offered = set(choice.office.languages) if choice.office else set()
    return {
        "consent_text": current_text(ConsentPurpose.ARRANGE_APPOINTMENT, g.lang),
        "topics": queries.topics_in(g.lang),
        "interpreter_languages": INTERPRETER_LANGUAGES,
        "office_languages": [code for code in LANGUAGES if code in offered],
    }


def _form_values(choice: Choice) -> MultiDict[str, str]:
    values: MultiDict[str, str] = MultiDict(request.form if request.method == "POST" else {})
    if request.method == "GET" and choice.topic:
        values.add("topic", choice.topic)
    # The key is made here, before the review, so that going back to the review page
    # (which re-sends this form) and booking again still counts as the same booking.
    if not is_valid_idempotency_key(values.get("idempotency_key", "")):
        values["idempotency_key"] = new_idempotency_key()
    return values


@bp.route("/book/details", methods=["GET", "POST"])
def details() -> Response | str:
    source = request.form if request.method == "POST" else request.args
    choice = parse_choice(source)
    if choice.start is None:
        return _redirect_to(choice.first_missing(), choice)
    return _render(
        "booking/details.html",
        "details",
        choice,
        values=_form_values(choice),
        errors={},
        **_details_context(choice),
    )


def _parse_posted_details(choice: Choice) -> tuple[Details, dict[str, str]]:
    assert choice.mode
    return parse_details(request.form, request.form.getlist("topics"), choice.mode, g.lang)


def _details_again(choice: Choice, errors: dict[str, str], status: int = 422) -> tuple[str, int]:
    page = _render(
        "booking/details.html",
        "details",
        choice,
        values=MultiDict(request.form),
        errors=errors,
        **_details_context(choice),
    )
    return page, status


PostedBooking = tuple[Choice, Details]


def _posted_booking() -> PostedBooking | Response | tuple[str, int]:
    """The choices and details sent with the review or confirm form, or where to go instead:
    back to the first missing step, or to the details form with its errors."""
    choice = parse_choice(request.form)
    if choice.start is None:
        return _redirect_to(choice.first_missing(), choice)
    found, errors = _parse_posted_details(choice)
    if errors:
        return _details_again(choice, errors)
    return choice, found


@bp.post("/book/review")
def review() -> Response | str | tuple[str, int]:
    posted = _posted_booking()
    if isinstance(posted, Response) or not isinstance(posted[0], Choice):
        return posted
    choice, found = posted
    key = request.form.get("idempotency_key", "")
    return _render(
        "booking/review.html",
        "review",
        choice,
        details=found,
        values=MultiDict(request.form),
        topic_titles={t.slug: tr.title for t, tr in queries.topics_in(g.lang)},
        idempotency_key=key if is_valid_idempotency_key(key) else new_idempotency_key(),
    )


def _alternatives(choice: Choice, problem: Problem) -> tuple[str, int]:
    """The chosen time is gone: offer the next free times, keeping what was typed."""
    first = max(_today(), choice.day or _today())
    slots = _slots(choice, first, first + dt.timedelta(days=ALTERNATIVE_DAYS - 1))
    days = by_local_day(slots)
    page = _render(
        "booking/alternatives.html",
        "time",
        choice,
        message=problem_message(problem),
        days=days,
        values=MultiDict(request.form),
    )
    return page, 409


@bp.post("/book/confirm")
@limiter.limit(_booking_rate_limit, methods=["POST"])
def confirm() -> Response | str | tuple[str, int]:
    posted = _posted_booking()
    if isinstance(posted, Response) or not isinstance(posted[0], Choice):
        return posted
    choice, found = posted
    key = request.form.get("idempotency_key", "")
    if not is_valid_idempotency_key(key):
        return _details_again(choice, {"form": problem_message(Problem.KEY_REUSED)})
    booking = choice.booking_request(found, g.lang, key, Origin.PORTAL)
    try:
        result = book(booking)
    except BookingError as error:
        if error.problem == Problem.KEY_REUSED:
            return _details_again(choice, {"form": problem_message(error.problem)})
        return _alternatives(choice, error.problem)
    return redirect(url_for("booking.manage", token=result.token, booked=1), code=303)


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError) -> Response | tuple[str, int]:
    """An expired form (e.g. a phone left on the review page) loses nothing: the details
    come back, filled in, to be sent again."""
    choice = parse_choice(request.form)
    if request.endpoint in ("booking.review", "booking.confirm") and choice.start is not None:
        return _details_again(
            choice,
            {"form": _("For your security, please check your details and send them again.")},
            400,
        )
    if request.view_args and "token" in request.view_args:
        return redirect(url_for("booking.manage", token=request.view_args["token"]))
    return _redirect_to(choice.first_missing(), choice)
