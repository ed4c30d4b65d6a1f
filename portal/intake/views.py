"""Pre-intake screens (one theme each) and the client's data page."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .. import consent
from ..booking.forms import consent_problem_message
from ..booking.manage import _appointment_or_404
from ..booking.slots import BERLIN
from ..constants import (
    INTERPRETER_LANGUAGES,
    LANGUAGES,
    RESIDENCE_STATUS_CODES,
    TOPIC_SLUGS,
    ConsentPurpose,
    Housing,
    IntakeStatus,
    LetterKind,
    Origin,
    ResidenceStatus,
    Urgency,
    VulnerabilityIndicator,
    YesNo,
)
from ..extensions import db, limiter
from ..models import Appointment, Intake, utcnow
from . import bp, rights, service
from .labels import AnswerLabels
from .questions import (
    MAX_LETTERS,
    MAX_MESSAGE_LENGTH,
    SPOKEN_LANGUAGES,
    THEMES,
    THEMES_BY_SLUG,
    Theme,
    themes_for,
)


def _rate_limit() -> str:
    return str(current_app.config["BOOKING_RATE_LIMIT"])


def _special_allowed(appointment: Appointment) -> bool:
    return consent.in_force(appointment, ConsentPurpose.SPECIAL_CATEGORIES) is not None


def _themes(appointment: Appointment) -> list[Theme]:
    return themes_for(_special_allowed(appointment))


def _choices() -> dict[str, Any]:
    """Everything the theme templates offer, as codes; labels come from AnswerLabels."""
    return {
        "topic_slugs": TOPIC_SLUGS,
        "urgencies": [u.value for u in Urgency],
        "yes_no": [y.value for y in YesNo],
        "residence_statuses": sorted(RESIDENCE_STATUS_CODES, key=_residence_order),
        "housings": [h.value for h in Housing],
        "letter_kinds": [k.value for k in LetterKind],
        "letter_rows": range(1, MAX_LETTERS + 1),
        "spoken_languages": SPOKEN_LANGUAGES,
        "interpreter_languages": INTERPRETER_LANGUAGES,
        "message_languages": LANGUAGES,
        "indicators": [i.value for i in VulnerabilityIndicator],
        "max_message": MAX_MESSAGE_LENGTH,
    }


def _residence_order(code: str) -> int:
    return [status.value for status in ResidenceStatus].index(code)


def _page(template: str, appointment: Appointment, token: str, **context: Any) -> str:
    return render_template(
        template,
        appointment=appointment,
        token=token,
        labels=AnswerLabels(g.lang),
        themes=_themes(appointment),
        **context,
    )


def _closed(appointment: Appointment, token: str) -> tuple[str, int]:
    return _page("intake/closed.html", appointment, token), 409


@bp.get("/appointments/<token>/prepare")
def prepare(token: str) -> Response | str | tuple[str, int]:
    appointment = _appointment_or_404(token)
    intake = appointment.intake
    if intake is not None and intake.status != IntakeStatus.DRAFT:
        return _page("intake/sent.html", appointment, token, intake=intake)
    if not appointment.is_upcoming():
        return _closed(appointment, token)
    if consent.in_force(appointment, ConsentPurpose.SHARE_SUMMARY) is None:
        return _consent_page(appointment, token)
    return redirect(_next_url(appointment, token))


def _next_url(appointment: Appointment, token: str) -> str:
    done = service.answered(appointment.intake) if appointment.intake else set()
    for theme in _themes(appointment):
        if theme.slug not in done:
            return url_for("intake.theme", token=token, slug=theme.slug)
    return url_for("intake.review", token=token)


def _consent_page(
    appointment: Appointment,
    token: str,
    errors: dict[str, str] | None = None,
    declined: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    texts = consent.current_texts(g.lang)
    page = _page(
        "intake/consent.html",
        appointment,
        token,
        share=texts[ConsentPurpose.SHARE_SUMMARY],
        special=texts[ConsentPurpose.SPECIAL_CATEGORIES],
        values=request.form if request.method == "POST" else MultiDict(),
        errors=errors or {},
        declined=declined,
    )
    return page, status


@bp.post("/appointments/<token>/prepare/consent")
@limiter.limit(_rate_limit)
def give_consent(token: str) -> Response | tuple[str, int]:
    appointment = _appointment_or_404(token)
    if not appointment.is_upcoming():
        return _closed(appointment, token)
    share_version = request.form.get("share", "")
    if not share_version:
        # Without consent to share, nothing is collected: the answers would have no use.
        return _consent_page(appointment, token, declined=True)
    try:
        share = consent.check_version(ConsentPurpose.SHARE_SUMMARY, g.lang, share_version)
        special_version = request.form.get("special", "")
        special = special_version and consent.check_version(
            ConsentPurpose.SPECIAL_CATEGORIES, g.lang, special_version
        )
    except consent.ConsentError as error:
        errors = {"form": consent_problem_message(error.problem)}
        return _consent_page(appointment, token, errors, status=409)
    consent.give(appointment, ConsentPurpose.SHARE_SUMMARY, share, Origin.PORTAL)
    if special:
        consent.give(appointment, ConsentPurpose.SPECIAL_CATEGORIES, special, Origin.PORTAL)
    service.intake_for(appointment)
    db.session.commit()
    return redirect(_next_url(appointment, token), code=303)


def _open_draft(token: str) -> tuple[Appointment, Intake]:
    """The appointment and its draft answers; otherwise the request ends where the client
    belongs: the "closed" page after the start, or the start page without a draft or
    without consent to share."""
    appointment = _appointment_or_404(token)
    if not appointment.is_upcoming():
        abort(make_response(*_closed(appointment, token)))
    intake = appointment.intake
    shared = consent.in_force(appointment, ConsentPurpose.SHARE_SUMMARY)
    if intake is None or intake.status != IntakeStatus.DRAFT or shared is None:
        abort(redirect(url_for("intake.prepare", token=token)))
    return appointment, intake


def _theme_or_404(appointment: Appointment, slug: str) -> Theme:
    theme = THEMES_BY_SLUG.get(slug)
    if theme is None or theme not in _themes(appointment):
        abort(404)
    return theme


def _theme_page(
    appointment: Appointment,
    token: str,
    theme: Theme,
    values: dict[str, Any],
    errors: dict[str, str],
) -> str:
    themes = _themes(appointment)
    return _page(
        f"intake/theme_{theme.slug}.html",
        appointment,
        token,
        theme=theme,
        step=themes.index(theme) + 1,
        step_count=len(themes) + 1,  # the last step is the review
        values=values,
        errors=errors,
        **_choices(),
    )


def _stored_values(intake: Intake, appointment: Appointment, theme: Theme) -> dict[str, Any]:
    stored = (intake.answers or {}).get(theme.slug)
    if stored is not None:
        return stored
    # First visit: start from what the client said when booking.
    if theme.slug == "concerns":
        return {"topics": appointment.topics or []}
    if theme.slug == "languages" and appointment.interpreter_language:
        return {"interpreter": YesNo.YES, "interpreter_language": appointment.interpreter_language}
    if theme.slug == "message":
        return {"language": g.lang}
    return {}


@bp.get("/appointments/<token>/prepare/<slug>")
def theme(token: str, slug: str) -> Response | str | tuple[str, int]:
    appointment, intake = _open_draft(token)
    chosen = _theme_or_404(appointment, slug)
    values = _stored_values(intake, appointment, chosen)
    return _theme_page(appointment, token, chosen, values, {})


@bp.post("/appointments/<token>/prepare/<slug>")
@limiter.limit(_rate_limit)
def save_theme(token: str, slug: str) -> Response | str | tuple[str, int]:
    appointment, intake = _open_draft(token)
    chosen = _theme_or_404(appointment, slug)
    if request.form.get("action") == "skip":
        service.save_answers(intake, chosen, None)
    else:
        answers, errors = chosen.parse(request.form, utcnow().astimezone(BERLIN).date())
        if errors:
            values = {**answers, **_raw_values(request.form)}
            return _theme_page(appointment, token, chosen, values, errors), 422
        service.save_answers(intake, chosen, answers)
    db.session.commit()
    return redirect(_next_url_after(appointment, token, chosen), code=303)


def _raw_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """What the client typed, so nothing is lost when one field has an error."""
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form[key] for key in form}


def _next_url_after(appointment: Appointment, token: str, current: Theme) -> str:
    if request.form.get("return") == "review":
        return url_for("intake.review", token=token)
    themes = _themes(appointment)
    position = themes.index(current)
    if position + 1 < len(themes):
        return url_for("intake.theme", token=token, slug=themes[position + 1].slug)
    return url_for("intake.review", token=token)


@bp.get("/appointments/<token>/prepare/review")
def review(token: str) -> Response | str | tuple[str, int]:
    appointment, intake = _open_draft(token)
    themes = _themes(appointment)
    return _page(
        "intake/review.html",
        appointment,
        token,
        intake=intake,
        answers=intake.answers or {},
        step=len(themes) + 1,
        step_count=len(themes) + 1,
    )


@bp.post("/appointments/<token>/prepare/submit")
@limiter.limit(_rate_limit)
def submit(token: str) -> Response | str | tuple[str, int]:
    appointment = _appointment_or_404(token)
    intake = appointment.intake
    if intake is not None and intake.status != IntakeStatus.DRAFT:
        return redirect(url_for("intake.prepare", token=token), code=303)  # a double click
    service.submit(_open_draft(token)[1])
    db.session.commit()
    return redirect(url_for("intake.prepare", token=token, sent=1), code=303)


# --- the client's data -------------------------------------------------------------------


@bp.get("/appointments/<token>/data")
def data(token: str) -> str:
    appointment = _appointment_or_404(token)
    intake = appointment.intake
    return _page(
        "intake/data.html",
        appointment,
        token,
        intake=intake,
        answers=(intake.answers or {}) if intake else {},
        all_themes=THEMES,
        done_text=_done_text(request.args.get("done")),
    )


@bp.get("/appointments/<token>/data.json")
def data_json(token: str) -> Response:
    appointment = _appointment_or_404(token)
    body = json.dumps(rights.export(appointment), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    filename = f"lotse-{appointment.code}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _purpose_or_404(raw: str) -> ConsentPurpose:
    try:
        return ConsentPurpose(raw)
    except ValueError:
        abort(404)


@bp.route("/appointments/<token>/consents/<purpose>/withdraw", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def withdraw(token: str, purpose: str) -> Response | str:
    appointment = _appointment_or_404(token)
    chosen = _purpose_or_404(purpose)
    if request.method == "GET":
        return _page("intake/withdraw.html", appointment, token, purpose=chosen)
    rights.withdraw_purpose(appointment, chosen)
    return redirect(url_for("intake.data", token=token, done="withdrawn"), code=303)


@bp.route("/appointments/<token>/delete", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def delete(token: str) -> Response | str:
    appointment = _appointment_or_404(token)
    if request.method == "GET":
        return _page("intake/delete.html", appointment, token)
    cancels = appointment.is_upcoming()  # booked and still ahead
    rights.delete_everything(appointment)
    done = "deleted_cancelled" if cancels else "deleted"
    return redirect(url_for("intake.data", token=token, done=done), code=303)


def _done_text(done: str | None) -> str | None:
    return {
        "withdrawn": _("Your consent was withdrawn and the data deleted."),
        "deleted": _("Everything was deleted."),
        "deleted_cancelled": _("Everything was deleted. Your appointment was cancelled."),
    }.get(done or "")
