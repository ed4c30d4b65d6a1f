"""Topics and their translations: the coverage dashboard and the edit form with preview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..auth.access import EDITORS, roles_required
from ..constants import (
    LANGUAGES,
    NATIVE_NAMES,
    SOURCE_LANGUAGE,
    RecordType,
    RevisionOrigin,
    TranslationStatus,
    WorkflowState,
)
from ..extensions import db
from ..markdown import render
from ..models import ContentRevision, Topic
from . import bp, revisions
from .revisions import EditConflict, FieldDiff, diff_fields
from .topic_form import BODY_MAX, TopicForm, clean_body, read_form, values_from_data
from .topic_records import FIELDS, record_key, topic_by_slug, translation_status
from .views_common import ACTION_PREVIEW, form_action, render_conflict, submitted_base

TARGET_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Cell:
    lang: str
    status: TranslationStatus


@dataclass(frozen=True)
class Row:
    topic: Topic
    title: str
    cells: list[Cell]


@dataclass(frozen=True)
class OpenItem:
    """A draft or a revision in review, for the dashboard's list of open work."""

    revision: ContentRevision
    name: str
    edit_url: str
    history_url: str


@bp.get("/")
@roles_required(*EDITORS)
def index() -> str:
    rows = _coverage_rows()
    up_to_date = {
        lang: sum(1 for row in rows for cell in row.cells if cell.lang == lang and _is_done(cell))
        for lang in TARGET_LANGUAGES
    }
    open_items = _open_items()
    return render_template(
        "editor/index.html",
        rows=rows,
        languages=TARGET_LANGUAGES,
        native_names=NATIVE_NAMES,
        up_to_date=up_to_date,
        total=len(rows),
        in_review=[item for item in open_items if item.revision.state == WorkflowState.IN_REVIEW],
        drafts=[item for item in open_items if item.revision.state == WorkflowState.DRAFT],
    )


def _is_done(cell: Cell) -> bool:
    return cell.status == TranslationStatus.UP_TO_DATE


def _coverage_rows() -> list[Row]:
    topics = db.session.scalars(select(Topic).order_by(Topic.position))
    rows = []
    for topic in topics:
        source = topic.translation(SOURCE_LANGUAGE)
        cells = [Cell(lang, translation_status(topic, lang)) for lang in TARGET_LANGUAGES]
        rows.append(Row(topic, source.title if source else topic.slug, cells))
    return rows


def _open_items() -> list[OpenItem]:
    """The newest revision of every record that is a draft or in review, oldest first."""
    query = (
        select(ContentRevision)
        .where(ContentRevision.state.in_([WorkflowState.DRAFT, WorkflowState.IN_REVIEW]))
        .order_by(ContentRevision.created_at)
    )
    items = []
    for candidate in db.session.scalars(query):
        try:
            adapter = revisions.adapter_for(candidate.record_type)
        except (KeyError, ValueError):  # a record type this install does not edit
            continue
        newest = revisions.newest_number(RecordType(candidate.record_type), candidate.record_key)
        if candidate.number != newest:
            continue
        items.append(
            OpenItem(
                revision=candidate,
                name=adapter.display_name(candidate.record_key),
                edit_url=adapter.edit_url(candidate.record_key),
                history_url=url_for(
                    "editor.history",
                    record_type=candidate.record_type,
                    key=candidate.record_key,
                ),
            )
        )
    return items


# --- the edit form ---------------------------------------------------------------------


@bp.route("/topics/<slug>/<lang>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def topic_edit(slug: str, lang: str) -> Response | str | tuple[str, int]:
    topic = topic_by_slug(slug)
    if topic is None or lang not in LANGUAGES:
        abort(404)
    key = record_key(slug, lang)
    if request.method == "GET":
        data = revisions.current_data(RecordType.TOPIC_TRANSLATION, key)
        form = TopicForm(values=values_from_data(data or _new_translation_start(topic)))
        return _edit_page(
            topic, lang, form, base=revisions.newest_number(*_record(key)), seen=topic.revision
        )
    form = read_form(request.form)
    base, seen = submitted_base(), _seen_source_revision(topic)
    if form_action() == ACTION_PREVIEW:
        return _edit_page(topic, lang, form, base=base, seen=seen, preview=True)
    if form.data is None:
        return _edit_page(topic, lang, form, base=base, seen=seen), 422
    data = _with_source_revision(lang, form.data, seen)
    minor = form.minor and lang == SOURCE_LANGUAGE
    try:
        saved = revisions.save(*_record(key), data, base=base, author=current_user, minor=minor)
    except EditConflict as conflict:
        return render_conflict(conflict, revisions.adapter_for(RecordType.TOPIC_TRANSLATION), key)
    flash(_("Draft saved as version %(number)d.", number=saved.number), "success")
    return redirect(url_for("editor.topic_edit", slug=slug, lang=lang))


def _record(key: str) -> tuple[RecordType, str]:
    return RecordType.TOPIC_TRANSLATION, key


def _seen_source_revision(topic: Topic) -> int:
    """The German revision shown next to the form when it was opened (a hidden field): if
    German was published again meanwhile, the translation is written from the older one."""
    raw = request.form.get("source_revision", "")
    seen = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 9 else topic.revision
    return min(max(seen, 1), topic.revision)


def _with_source_revision(lang: str, data: dict[str, Any], seen: int) -> dict[str, Any]:
    if lang == SOURCE_LANGUAGE:
        return data
    return {**data, "source_revision": seen}


def _new_translation_start(topic: Topic) -> dict[str, Any] | None:
    """A missing translation starts with the German sources (official pages are German)."""
    source = topic.translation(SOURCE_LANGUAGE)
    if source is None:
        return None
    return {
        "sources": [dict(item) for item in source.sources],
        "last_reviewed": dt.date.today().isoformat(),
    }


def _edit_page(
    topic: Topic, lang: str, form: TopicForm, *, base: int, seen: int, preview: bool = False
) -> str:
    key = record_key(topic.slug, lang)
    pending = revisions.open_revision(*_record(key))
    newest = revisions.newest(*_record(key))
    adapter = revisions.adapter_for(RecordType.TOPIC_TRANSLATION)
    context: dict[str, Any] = {
        "topic": topic,
        "content_lang": lang,  # "lang" is the page's own (staff UI) language
        "form": form,
        "base": base,
        "source_revision": seen,
        "key": key,
        "record_name": adapter.display_name(key),
        "labels": adapter.labels,
        "preview_html": render(clean_body(form.values["body_md"])) if preview else None,
        "pending": pending,
        "newest": newest,
        "status": translation_status(topic, lang),
        "is_source": lang == SOURCE_LANGUAGE,
        "body_max": BODY_MAX,
        "native_names": NATIVE_NAMES,
    }
    if lang != SOURCE_LANGUAGE:
        context.update(_source_context(topic, key))
    return render_template("editor/topic_edit.html", **context)


# --- the German source next to a translation ---------------------------------------------


def _source_context(topic: Topic, key: str) -> dict[str, Any]:
    """The live German text and, if the translation is behind, what changed since."""
    german = topic.translation(SOURCE_LANGUAGE)
    current = revisions.current_data(*_record(key)) or {}
    written_from = current.get("source_revision")
    changes: list[FieldDiff] | None = None
    old_found = False
    if german is not None and written_from is not None and written_from < topic.revision:
        old = german_text_at(topic.slug, int(written_from))
        old_found = old is not None
        if old is not None:
            live = revisions.adapter_for(RecordType.TOPIC_TRANSLATION).snapshot(
                record_key(topic.slug, SOURCE_LANGUAGE)
            )
            changes = [item for item in diff_fields(old, live or {}, FIELDS) if item.changed]
    return {
        "german": german,
        "written_from": written_from,
        "german_changes": changes,
        "german_old_found": old_found,
    }


def german_text_at(slug: str, source_revision: int) -> dict[str, Any] | None:
    """The German text as it was at topic revision ``source_revision``, if Lotse has it.

    The topic revision counts non-minor German publications; the baseline revision holds
    the count it started from, so replaying the published revisions finds the last one
    that had the wanted count. None when the history starts later (content files).
    """
    published = [
        revision
        for revision in revisions.history(*_record(record_key(slug, SOURCE_LANGUAGE)))
        if revision.state == WorkflowState.PUBLISHED
    ]
    count: int | None = None
    found: dict[str, Any] | None = None
    for revision in reversed(published):  # oldest first
        if revision.origin == RevisionOrigin.BASELINE:
            count = revision.data.get("source_revision")
        elif count is not None and not revision.minor:
            count += 1
        if count == source_revision:
            found = dict(revision.data)
    return found


# --- live preview (progressive enhancement) ---------------------------------------------


@bp.post("/preview")
@roles_required(*EDITORS)
def preview() -> Response:
    """Sanitised HTML for the Markdown in ``body_md``; editor.js asks while one types."""
    body = request.form.get("body_md", "")
    if len(body) > BODY_MAX * 2:
        return Response(status=413)
    return jsonify(html=render(clean_body(body)))
