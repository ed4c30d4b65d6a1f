"""Pieces every editor form shares: the form actions and the conflict page.

An edit form posts its values, the revision number it was opened from (``base``) and the
button pressed (``action``). ``ACTION_PREVIEW`` re-renders the form with the submitted
values and saves nothing; the conflict page uses it to let an editor continue with their
own values on top of the newer revision, so every edit view must support it.
"""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..constants import RevisionOrigin, TranslationStatus, WorkflowState
from . import bp
from .revisions import EditConflict, RecordAdapter, as_text, diff_fields

ACTION_FIELD = "action"
ACTION_PREVIEW = "preview"  # re-render the form with the submitted values; save nothing
ACTION_SAVE = "save"
# Form fields that belong to the form machinery, not to the record.
_NOT_DATA = frozenset({"csrf_token", "base", ACTION_FIELD})


def form_action() -> str:
    """The button the editor pressed; saving is the default (Enter in a text field)."""
    return ACTION_PREVIEW if request.form.get(ACTION_FIELD) == ACTION_PREVIEW else ACTION_SAVE


def submitted_base() -> int:
    """The revision number the form was opened from; -1 (always a conflict) if unreadable."""
    try:
        return int(request.form.get("base", ""))
    except ValueError:
        return -1


def render_conflict(
    conflict: EditConflict,
    adapter: RecordAdapter,
    key: str,
    form: MultiDict[str, str] | None = None,
) -> Response:
    """The conflict page (HTTP 409): the newer revision, my values, the difference.

    ``form`` is what the editor submitted in the edit form's own encoding (default:
    ``request.form``); it goes back to the edit form as hidden fields with ``base`` set to
    the newer revision and ``action=preview``, so nothing is saved until the editor has
    seen the newer text and saves again.
    """
    current = conflict.current
    theirs: dict[str, Any] = dict(current.data) if current is not None else {}
    mine = conflict.mine
    submitted = form if form is not None else request.form
    hidden = [(name, value) for name, value in submitted.items(multi=True) if name not in _NOT_DATA]
    page = render_template(
        "editor/conflict.html",
        adapter=adapter,
        key=key,
        current=current,
        theirs=theirs,
        mine=mine,
        diff=diff_fields(theirs, mine, adapter.fields),
        hidden=hidden,
        base=current.number if current is not None else 0,
        edit_url=adapter.edit_url(key),
        record_name=adapter.display_name(key),
        action_field=ACTION_FIELD,
        action_preview=ACTION_PREVIEW,
        as_text=as_text,
    )
    return make_response(page, 409)


# --- labels shown on every editor page -------------------------------------------------

STATUS_LABELS = {
    TranslationStatus.SOURCE: _l("German source"),
    TranslationStatus.UP_TO_DATE: _l("up to date"),
    TranslationStatus.OUTDATED: _l("outdated"),
    TranslationStatus.MISSING: _l("missing"),
    TranslationStatus.MACHINE_TRANSLATED: _l("machine translated – needs review"),
    TranslationStatus.IN_REVIEW: _l("in review"),
}
STATE_LABELS = {
    WorkflowState.DRAFT: _l("draft"),
    WorkflowState.IN_REVIEW: _l("in review"),
    WorkflowState.PUBLISHED: _l("published"),
}
ORIGIN_LABELS = {
    RevisionOrigin.BASELINE: _l("before the first edit"),
    RevisionOrigin.EDITOR: _l("edited"),
    RevisionOrigin.MACHINE: _l("machine translation"),
    RevisionOrigin.RESTORE: _l("restored"),
}


@bp.context_processor
def editor_labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "state_labels": STATE_LABELS,
        "origin_labels": ORIGIN_LABELS,
    }
