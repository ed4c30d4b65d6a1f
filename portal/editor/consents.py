"""The editors' screens for consent texts: one text per purpose and language, versioned.

Publishing a revision adds a new ``ConsentText`` version (see ``directory_records``);
the versions clients already agreed to stay exactly as they were.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..auth.access import EDITORS, roles_required
from ..constants import LANGUAGES, NATIVE_NAMES, SOURCE_LANGUAGE, ConsentPurpose, RecordType
from ..content.schema import ConsentFrontMatter
from ..markdown import render
from . import bp, fields, revisions
from .directory import UNPROCESSABLE, record_state
from .directory_records import consent_key, current_consent, records_per_version
from .revisions import EditConflict
from .views_common import ACTION_PREVIEW, form_action, render_conflict, submitted_base

PURPOSE_LABELS = {
    ConsentPurpose.ARRANGE_APPOINTMENT: _l("Arranging the appointment"),
    ConsentPurpose.SHARE_SUMMARY: _l("Sending the pre-intake to the service"),
    ConsentPurpose.SPECIAL_CATEGORIES: _l("Health and other sensitive answers"),
}
TITLE_MAX, LABEL_MAX, BODY_MAX = 200, 400, 20_000


def purpose_label(purpose: ConsentPurpose) -> str:
    return str(PURPOSE_LABELS[purpose])


def _purpose_or_404(purpose: str, lang: str) -> ConsentPurpose:
    try:
        found = ConsentPurpose(purpose)
    except ValueError:
        abort(404)
    if lang not in LANGUAGES:
        abort(404)
    return found


@bp.get("/consents")
@roles_required(*EDITORS)
def consents() -> str:
    table = [
        (
            purpose,
            [
                (
                    lang,
                    records_per_version(purpose.value, lang),
                    record_state(RecordType.CONSENT_TEXT, consent_key(purpose.value, lang)),
                )
                for lang in LANGUAGES
            ],
        )
        for purpose in ConsentPurpose
    ]
    return render_template("editor/consents.html", table=table, purpose_label=purpose_label)


@bp.route("/consents/<purpose>/<lang>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def consent_edit(purpose: str, lang: str) -> str | Response | tuple[Any, int]:
    chosen = _purpose_or_404(purpose, lang)
    key = consent_key(chosen.value, lang)
    if request.method == "GET":
        data = revisions.current_data(RecordType.CONSENT_TEXT, key)
        if data is None:
            abort(404)
        form: MultiDict[str, str] = MultiDict({name: data.get(name) or "" for name in data})
        return _page(chosen, lang, form, base=revisions.newest_number(RecordType.CONSENT_TEXT, key))
    if form_action() == ACTION_PREVIEW:
        return _page(chosen, lang, request.form, base=submitted_base(), preview=True)
    data, errors = parse_consent(request.form)
    if errors:
        return _page(
            chosen, lang, request.form, base=submitted_base(), errors=errors
        ), UNPROCESSABLE
    try:
        saved = revisions.save(
            RecordType.CONSENT_TEXT, key, data, base=submitted_base(), author=current_user
        )
    except EditConflict as conflict:
        adapter = revisions.adapter_for(RecordType.CONSENT_TEXT)
        return render_conflict(conflict, adapter, key, request.form)  # HTTP 409
    flash(
        _(
            "Draft saved as version %(number)d. Clients see it once it is published.",
            number=saved.number,
        ),
        "success",
    )
    return redirect(url_for("editor.consent_edit", purpose=chosen.value, lang=lang))


def parse_consent(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data = {
        "title": fields.single_line(form.get("title"), TITLE_MAX),
        "label": fields.single_line(form.get("label"), LABEL_MAX),
        "body_md": fields.multi_line(form.get("body_md"), BODY_MAX),
    }
    messages = {
        "title": _("Please enter a title."),
        "label": _("Please enter the sentence next to the tick box."),
        "body_md": _("Please enter the text."),
    }
    for name, message in messages.items():
        if not data[name]:
            errors[name] = message
    if len(form.get("body_md", "")) > BODY_MAX:
        errors["body_md"] = _("The text is too long (at most %(max)d characters).", max=BODY_MAX)
    if not errors:
        try:
            ConsentFrontMatter.model_validate({"title": data["title"], "label": data["label"]})
        except ValidationError as error:
            fields.schema_errors(error, {"title": "title", "label": "label"}, errors)
    return data, errors


def _page(
    purpose: ConsentPurpose,
    lang: str,
    form: MultiDict[str, str],
    *,
    base: int,
    errors: dict[str, str] | None = None,
    preview: bool = False,
) -> str:
    key = consent_key(purpose.value, lang)
    return render_template(
        "editor/consent_edit.html",
        purpose=purpose,
        purpose_name=purpose_label(purpose),
        text_lang=lang,
        text_language=NATIVE_NAMES[lang],
        is_source=lang == SOURCE_LANGUAGE,
        form=form,
        base=base,
        errors=errors or {},
        preview_html=render(fields.multi_line(form.get("body_md"), BODY_MAX)) if preview else None,
        live=current_consent(purpose.value, lang),
        versions=records_per_version(purpose.value, lang),
        state=record_state(RecordType.CONSENT_TEXT, key),
        record_type=RecordType.CONSENT_TEXT.value,
        key=key,
        limits={"title": TITLE_MAX, "label": LABEL_MAX, "body": BODY_MAX},
    )
