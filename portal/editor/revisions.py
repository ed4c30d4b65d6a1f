"""Versions, workflow and optimistic concurrency for every editable record.

A record (a topic translation, a service, an office, a consent text) is named by its type
and a slug-based key. Each save adds a ``ContentRevision`` numbered one higher than the
newest; the live record, which clients see, changes only when a revision is published.

No lost updates: an edit form carries the number of the newest revision it was opened
from (``base``). If someone saved in the meantime, ``save`` raises ``EditConflict`` with
both versions instead of overwriting; the unique (type, key, number) constraint turns
the last race (two saves in the same instant) into the same conflict on every database.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..constants import (
    WORKFLOW_TRANSITIONS,
    AuditAction,
    RecordType,
    RevisionOrigin,
    WorkflowState,
)
from ..extensions import db
from ..models import ContentRevision, StaffUser, utcnow

OPEN_STATES = frozenset({WorkflowState.DRAFT, WorkflowState.IN_REVIEW})


@dataclass(frozen=True)
class RecordAdapter:
    """How one record type is read from and written to its live table.

    ``snapshot`` returns the editable fields of the live record (None: it does not exist
    yet, e.g. a missing translation); ``publish`` writes a revision's data to the live
    record, creating it if needed. ``fields`` orders the fields for forms and diffs.
    """

    record_type: RecordType
    fields: tuple[str, ...]
    snapshot: Callable[[str], dict[str, Any] | None]
    publish: Callable[[str, ContentRevision], None]
    subject_id: Callable[[str], int | None] = lambda key: None
    # For the generic history, diff and conflict pages: field labels (lazy_gettext),
    # a human name for a record, and the URL of its edit form.
    labels: Mapping[str, Any] = field(default_factory=dict)
    display_name: Callable[[str], str] = lambda key: key
    edit_url: Callable[[str], str] = lambda key: ""


_adapters: dict[RecordType, RecordAdapter] = {}


def register(adapter: RecordAdapter) -> None:
    _adapters[adapter.record_type] = adapter


def adapter_for(record_type: RecordType | str) -> RecordAdapter:
    return _adapters[RecordType(record_type)]


class EditConflict(Exception):
    """Someone saved a newer revision since this edit was opened."""

    def __init__(self, current: ContentRevision | None, mine: dict[str, Any]) -> None:
        super().__init__("the record was changed in the meantime")
        self.current = current
        self.mine = mine


class WorkflowError(Exception):
    """A workflow step that is not allowed; ``reason`` is one of the REASON_* codes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


REASON_NOT_ALLOWED = "not_allowed"  # e.g. publishing a revision that was published already
REASON_NOT_NEWEST = "not_newest"  # a newer revision exists; act on that one
REASON_FOUR_EYES = "four_eyes"  # the author may not publish their own revision
REASON_NEEDS_REVIEW = "needs_review"  # with four eyes, a draft must be in review first


def history(record_type: RecordType, key: str) -> list[ContentRevision]:
    """All revisions of a record, newest first."""
    query = (
        select(ContentRevision)
        .where(ContentRevision.record_type == record_type, ContentRevision.record_key == key)
        .order_by(ContentRevision.number.desc())
    )
    return list(db.session.scalars(query))


def _of_record(record_type: RecordType, key: str) -> ColumnElement[bool]:
    return and_(ContentRevision.record_type == record_type, ContentRevision.record_key == key)


def newest(record_type: RecordType, key: str) -> ContentRevision | None:
    query = (
        select(ContentRevision)
        .where(_of_record(record_type, key))
        .order_by(ContentRevision.number.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def newest_number(record_type: RecordType, key: str) -> int:
    """What an edit form carries as ``base``; 0 when the record was never edited in Lotse."""
    query = select(func.max(ContentRevision.number)).where(_of_record(record_type, key))
    return db.session.scalar(query) or 0


def revision(record_type: RecordType, key: str, number: int) -> ContentRevision | None:
    return db.session.scalar(
        select(ContentRevision).where(
            ContentRevision.record_type == record_type,
            ContentRevision.record_key == key,
            ContentRevision.number == number,
        )
    )


def open_revision(record_type: RecordType, key: str) -> ContentRevision | None:
    """The newest revision if it is a draft or in review (not yet live)."""
    revision = newest(record_type, key)
    return revision if revision and revision.state in OPEN_STATES else None


def current_data(record_type: RecordType, key: str) -> dict[str, Any] | None:
    """What an editor starts from: the open revision, else the live record."""
    if pending := open_revision(record_type, key):
        return dict(pending.data)
    return adapter_for(record_type).snapshot(key)


def _add_baseline(record_type: RecordType, key: str) -> int:
    """Keep the record as it was before its first edit, so it can be compared and restored."""
    live = adapter_for(record_type).snapshot(key)
    if live is None:
        return 0
    db.session.add(
        ContentRevision(
            record_type=record_type,
            record_key=key,
            number=1,
            state=WorkflowState.PUBLISHED,
            origin=RevisionOrigin.BASELINE,
            data=live,
        )
    )
    return 1


def save(
    record_type: RecordType,
    key: str,
    data: dict[str, Any],
    *,
    base: int,
    author: StaffUser | None,
    minor: bool = False,
    origin: RevisionOrigin = RevisionOrigin.EDITOR,
    restored_from: int | None = None,
) -> ContentRevision:
    """Save ``data`` as a new draft revision and commit; raise EditConflict if ``base`` is old."""
    current = newest(record_type, key)
    if (current.number if current else 0) != base:
        raise EditConflict(current, data)
    number = current.number if current else _add_baseline(record_type, key)
    revision = ContentRevision(
        record_type=record_type,
        record_key=key,
        number=number + 1,
        state=WorkflowState.DRAFT,
        origin=origin,
        data=data,
        minor=minor,
        restored_from=restored_from,
        author_id=author.id if author else None,
    )
    db.session.add(revision)
    action = AuditAction.CONTENT_RESTORED if restored_from else AuditAction.CONTENT_SAVED
    _audit(action, revision, author)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EditConflict(newest(record_type, key), data) from None
    return revision


def submit(revision: ContentRevision, user: StaffUser) -> None:
    """Draft → in review: ready for a second person (or the same, without four eyes)."""
    _check_move(revision, WorkflowState.IN_REVIEW)
    _claim_move(revision, WorkflowState.IN_REVIEW, submitted_by_id=user.id)
    _audit(AuditAction.CONTENT_SUBMITTED, revision, user)
    db.session.commit()


def return_to_draft(revision: ContentRevision, user: StaffUser) -> None:
    """In review → draft: the reviewer wants changes."""
    _check_move(revision, WorkflowState.DRAFT)
    _claim_move(revision, WorkflowState.DRAFT, submitted_by_id=None)
    _audit(AuditAction.CONTENT_RETURNED, revision, user)
    db.session.commit()


def four_eyes_required() -> bool:
    return bool(current_app.config.get("FOUR_EYES"))


def may_publish(revision: ContentRevision, user: StaffUser) -> str | None:
    """None if ``user`` may publish ``revision`` now, else the REASON_* why not."""
    if WorkflowState.PUBLISHED not in WORKFLOW_TRANSITIONS[WorkflowState(revision.state)]:
        return REASON_NOT_ALLOWED
    if newest(RecordType(revision.record_type), revision.record_key) is not revision:
        return REASON_NOT_NEWEST
    if four_eyes_required():
        if revision.state != WorkflowState.IN_REVIEW:
            return REASON_NEEDS_REVIEW
        if user.id in (revision.author_id, revision.submitted_by_id):
            return REASON_FOUR_EYES
    return None


def publish(revision: ContentRevision, user: StaffUser) -> None:
    """Make the revision live (clients see it from now on) and commit."""
    if reason := may_publish(revision, user):
        raise WorkflowError(reason)
    _claim_move(revision, WorkflowState.PUBLISHED, published_by_id=user.id, published_at=utcnow())
    adapter_for(revision.record_type).publish(revision.record_key, revision)
    _audit(AuditAction.CONTENT_PUBLISHED, revision, user)
    db.session.commit()


def restore(old: ContentRevision, *, base: int, author: StaffUser) -> ContentRevision:
    """A new draft with an old revision's data; publishing it is a separate step."""
    return save(
        RecordType(old.record_type),
        old.record_key,
        dict(old.data),
        base=base,
        author=author,
        origin=RevisionOrigin.RESTORE,
        restored_from=old.number,
    )


def _claim_move(revision: ContentRevision, target: WorkflowState, **values: Any) -> None:
    """Move the revision only if nobody moved it since it was read (a double click, two
    reviewers at once): a compare-and-set in the database, so the loser gets a clear
    refusal instead of publishing twice."""
    moved = db.session.execute(
        update(ContentRevision)
        .where(ContentRevision.id == revision.id, ContentRevision.state == revision.state)
        .values(state=target, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise WorkflowError(REASON_NOT_ALLOWED)
    db.session.refresh(revision)


def _check_move(revision: ContentRevision, target: WorkflowState) -> None:
    if target not in WORKFLOW_TRANSITIONS[WorkflowState(revision.state)]:
        raise WorkflowError(REASON_NOT_ALLOWED)
    if newest(RecordType(revision.record_type), revision.record_key) is not revision:
        raise WorkflowError(REASON_NOT_NEWEST)


def _audit(action: AuditAction, revision: ContentRevision, actor: StaffUser | None) -> None:
    adapter = adapter_for(revision.record_type)
    audit.record(
        action,
        revision.record_type,
        adapter.subject_id(revision.record_key),
        detail=f"{revision.record_key} rev {revision.number}",
        actor=actor,
    )


# --- differences between two revisions ------------------------------------------------

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A run of text in a diff: ``kind`` is "same", "added" or "removed"."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    changed: bool
    pieces: list[Piece] = field(default_factory=list)


def as_text(value: Any) -> str:
    """A field value as text for comparing: lists one item per line, mappings as key: value."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "\n".join(f"{key}: {as_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "\n".join(as_text(item) for item in value)
    return str(value)


def diff_fields(
    old: dict[str, Any], new: dict[str, Any], fields: tuple[str, ...]
) -> list[FieldDiff]:
    """Word-level differences per field, in form order (HTML escaping is the template's)."""
    return [_diff_field(name, as_text(old.get(name)), as_text(new.get(name))) for name in fields]


def _diff_field(name: str, old: str, new: str) -> FieldDiff:
    if old == new:
        return FieldDiff(name, False, [Piece("same", new)])
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    pieces = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(old_tokens[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("removed", "".join(old_tokens[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("added", "".join(new_tokens[b1:b2])))
    return FieldDiff(name, True, _merge_changes(pieces))


def _merge_changes(pieces: list[Piece]) -> list[Piece]:
    """Join changes separated only by white space: "<del>Ein neuer Titel</del><ins>Ganz
    anders</ins>" reads better than words alternating with their replacements."""
    merged: list[Piece] = []
    removed = added = ""
    for index, piece in enumerate(pieces):
        following = pieces[index + 1] if index + 1 < len(pieces) else None
        if piece.kind != "same":
            removed += piece.text if piece.kind == "removed" else ""
            added += piece.text if piece.kind == "added" else ""
            continue
        if (removed or added) and not piece.text.strip() and following is not None:
            removed, added = removed + piece.text, added + piece.text  # inside a change run
            continue
        merged.extend(_change_pieces(removed, added))
        removed = added = ""
        merged.append(piece)
    merged.extend(_change_pieces(removed, added))
    return merged


def _change_pieces(removed: str, added: str) -> list[Piece]:
    pieces = [Piece("removed", removed)] if removed.strip() else []
    return pieces + ([Piece("added", added)] if added.strip() else [])
