"""History, differences and workflow steps for every record type (topics, services, …)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.access import EDITORS, roles_required
from ..constants import RecordType, WorkflowState
from ..extensions import db
from ..models import ContentRevision
from . import bp, revisions
from .revisions import EditConflict, RecordAdapter, WorkflowError

log = logging.getLogger(__name__)


def _adapter_or_404(record_type: str) -> RecordAdapter:
    try:
        return revisions.adapter_for(record_type)
    except (KeyError, ValueError):
        abort(404)


def _revision_or_404(record_type: str, key: str, number: int) -> ContentRevision:
    found = revisions.revision(RecordType(record_type), key, number)
    if found is None:
        abort(404)
    return found


@bp.get("/history/<record_type>/<path:key>")
@roles_required(*EDITORS)
def history(record_type: str, key: str) -> str:
    adapter = _adapter_or_404(record_type)
    versions = revisions.history(adapter.record_type, key)
    if not versions and adapter.snapshot(key) is None:
        abort(404)
    newest = versions[0] if versions else None
    return render_template(
        "editor/history.html",
        adapter=adapter,
        key=key,
        record_name=adapter.display_name(key),
        edit_url=adapter.edit_url(key),
        versions=versions,
        newest=newest,
        publish_blocked=revisions.may_publish(newest, current_user) if newest else None,
        four_eyes=revisions.four_eyes_required(),
        states=WorkflowState,
    )


@bp.get("/diff/<record_type>/<path:key>")
@roles_required(*EDITORS)
def diff(record_type: str, key: str) -> str | Response:
    adapter = _adapter_or_404(record_type)
    numbers = [request.args.get(name, type=int) for name in ("a", "b")]
    if None in numbers:
        flash(_("Choose two versions to compare."), "error")
        return redirect(url_for("editor.history", record_type=record_type, key=key))
    older, newer = sorted(n for n in numbers if n is not None)
    old = _revision_or_404(record_type, key, older)
    new = _revision_or_404(record_type, key, newer)
    return render_template(
        "editor/diff.html",
        adapter=adapter,
        key=key,
        record_name=adapter.display_name(key),
        old=old,
        new=new,
        diff=revisions.diff_fields(old.data, new.data, adapter.fields),
    )


# --- workflow steps ----------------------------------------------------------------------


def _refusal(reason: str) -> str:
    messages = {
        revisions.REASON_FOUR_EYES: _(
            "Another person must publish this: under the four-eyes rule, whoever wrote or "
            "submitted a version cannot publish it."
        ),
        revisions.REASON_NEEDS_REVIEW: _(
            "Submit this version for review first: under the four-eyes rule, another person "
            "publishes it after reviewing it."
        ),
        revisions.REASON_NOT_NEWEST: _("A newer version exists; please look at that one first."),
    }
    return messages.get(reason, _("This step is not possible for this version."))


def _workflow_step(
    record_type: str,
    key: str,
    number: int,
    step: Callable[[ContentRevision], None],
    done: str,
) -> Response:
    _adapter_or_404(record_type)
    target = _revision_or_404(record_type, key, number)
    try:
        step(target)
    except WorkflowError as error:
        db.session.rollback()
        flash(_refusal(error.reason), "error")
    except (LookupError, ValueError, TypeError) as error:
        # Data that cannot go live (e.g. its record was removed); say so, never a 500.
        db.session.rollback()
        log.warning("publishing %s %s rev %d failed: %s", record_type, key, number, type(error))
        flash(_("This version could not be published. Please check it and save it again."), "error")
    else:
        flash(done, "success")
    return redirect(_back(record_type, key))


def _back(record_type: str, key: str) -> str:
    """Back to the page the button was on (an editor page only), else to the history."""
    wanted = request.form.get("next", "")
    if wanted.startswith("/staff/editor/") and "//" not in wanted and "\\" not in wanted:
        return wanted
    return url_for("editor.history", record_type=record_type, key=key)


@bp.post("/revisions/<record_type>/<path:key>/<int:number>/submit")
@roles_required(*EDITORS)
def revision_submit(record_type: str, key: str, number: int) -> Response:
    return _workflow_step(
        record_type,
        key,
        number,
        lambda target: revisions.submit(target, current_user),
        _("Version %(number)d is waiting for review.", number=number),
    )


@bp.post("/revisions/<record_type>/<path:key>/<int:number>/return")
@roles_required(*EDITORS)
def revision_return(record_type: str, key: str, number: int) -> Response:
    return _workflow_step(
        record_type,
        key,
        number,
        lambda target: revisions.return_to_draft(target, current_user),
        _("Version %(number)d is a draft again.", number=number),
    )


@bp.post("/revisions/<record_type>/<path:key>/<int:number>/publish")
@roles_required(*EDITORS)
def revision_publish(record_type: str, key: str, number: int) -> Response:
    return _workflow_step(
        record_type,
        key,
        number,
        lambda target: revisions.publish(target, current_user),
        _("Version %(number)d is published.", number=number),
    )


@bp.post("/revisions/<record_type>/<path:key>/<int:number>/restore")
@roles_required(*EDITORS)
def revision_restore(record_type: str, key: str, number: int) -> Response:
    adapter = _adapter_or_404(record_type)
    old = _revision_or_404(record_type, key, number)
    base = request.form.get("base", type=int)
    if base is None:
        abort(400)
    try:
        restored = revisions.restore(old, base=base, author=current_user)
    except EditConflict:
        flash(
            _(
                "Nothing was restored: someone saved a newer version in the meantime. "
                "Please look at it first."
            ),
            "error",
        )
    else:
        flash(
            _(
                "Version %(old)d was copied into a new draft, version %(new)d. "
                "Publish it to make it live.",
                old=number,
                new=restored.number,
            ),
            "success",
        )
    return redirect(url_for("editor.history", record_type=adapter.record_type, key=key))
