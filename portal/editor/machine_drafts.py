"""Machine-translation drafts of topics: requested on a page, made by the jobs process.

An editor asks for a draft of one translation; a ``BackgroundJob`` holds the request
(references only, never text). ``lotse jobs run`` picks it up (``run_queued_jobs``),
translates the live German text with argostranslate (through English where no direct
package exists), block by block with the Markdown structure kept, and saves the result
as a revision of origin MACHINE: a draft that shows as ``machine_translated`` until a
person reviews it. Nothing is ever published by the job.

What is translated: title, summary, body and keywords. The keywords list also keeps the
German keywords, because clients search with the German words on their letters. Source
titles stay as written: they name official German pages, and the page behind each link
is German either way. ``last_reviewed`` is the German text's date: the facts are the
German text's.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, update
from werkzeug.wrappers import Response

from integrations.translation import argos

from .. import audit
from ..auth.access import EDITORS, roles_required
from ..constants import (
    LANGUAGES,
    NATIVE_NAMES,
    SOURCE_LANGUAGE,
    AuditAction,
    JobKind,
    JobStatus,
    RecordType,
    RevisionOrigin,
)
from ..extensions import db
from ..machine_translation import use_packages
from ..models import BackgroundJob, utcnow
from . import bp, revisions
from .markdown_translation import blocks, translate_markdown
from .topic_form import SUMMARY_MAX, TITLE_MAX
from .topic_records import record_key, topic_by_slug

log = logging.getLogger(__name__)

# A job still "running" after this long belongs to a jobs process that died.
STALE_AFTER = dt.timedelta(minutes=30)
OPEN_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class Coverage(StrEnum):
    """How a language direction can be machine translated with the installed packages."""

    DIRECT = "direct"
    PIVOT = "pivot"  # through English
    MISSING = "missing"


def coverage_of(source: str, target: str, pairs: list[tuple[str, str]]) -> Coverage:
    installed = set(pairs)
    if (source, target) in installed:
        return Coverage.DIRECT
    if (source, argos.PIVOT) in installed and (argos.PIVOT, target) in installed:
        return Coverage.PIVOT
    return Coverage.MISSING


def installed_pairs() -> list[tuple[str, str]]:
    use_packages(current_app)
    return argos.installed_pairs()


def package_hint(source: str, target: str) -> str:
    """Which package(s) to install, as the translated sentence an editor reads."""
    if argos.PIVOT in (source, target):
        names = f"translate-{source}_{target}"
    else:
        names = f"translate-{source}_{argos.PIVOT} + translate-{argos.PIVOT}_{target}"
    return _(
        "No machine translation from %(source)s to %(target)s is installed. An administrator "
        "can install the package %(names)s with `lotse mt install PATH`.",
        source=source,
        target=target,
        names=names,
    )


# --- pages -------------------------------------------------------------------------------


@bp.post("/topics/<slug>/<lang>/machine-draft")
@roles_required(*EDITORS)
def machine_draft(slug: str, lang: str) -> Response:
    topic = topic_by_slug(slug)
    if topic is None or lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        abort(404)
    if topic.translation(SOURCE_LANGUAGE) is None:
        abort(404)
    if coverage_of(SOURCE_LANGUAGE, lang, installed_pairs()) == Coverage.MISSING:
        flash(package_hint(SOURCE_LANGUAGE, lang), "error")
        return redirect(url_for("editor.topic_edit", slug=slug, lang=lang))
    if running := _open_job(slug, lang):
        flash(_("A machine draft for this page is already being made."), "success")
        return redirect(url_for("editor.job", job_id=running.id))
    key = record_key(slug, lang)
    job = BackgroundJob(
        kind=JobKind.MACHINE_TRANSLATION,
        status=JobStatus.QUEUED,
        params={
            "topic": slug,
            "lang": lang,
            "source_revision": topic.revision,
            # The draft goes on top of this revision; an editor's save in the meantime
            # wins and the job fails instead of burying it.
            "base": revisions.newest_number(RecordType.TOPIC_TRANSLATION, key),
        },
        created_by_id=current_user.id,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        AuditAction.MACHINE_DRAFT_REQUESTED, RecordType.TOPIC_TRANSLATION, topic.id, detail=key
    )
    db.session.commit()
    return redirect(url_for("editor.job", job_id=job.id))


def _open_job(slug: str, lang: str) -> BackgroundJob | None:
    query = select(BackgroundJob).where(
        BackgroundJob.kind == JobKind.MACHINE_TRANSLATION,
        BackgroundJob.status.in_(OPEN_STATUSES),
    )
    return next(
        (
            job
            for job in db.session.scalars(query)
            if job.params.get("topic") == slug and job.params.get("lang") == lang
        ),
        None,
    )


@bp.get("/jobs/<int:job_id>")
@roles_required(*EDITORS)
def job(job_id: int) -> str:
    found = db.session.get(BackgroundJob, job_id)
    if found is None or found.kind != JobKind.MACHINE_TRANSLATION:
        abort(404)
    params = found.params
    topic = topic_by_slug(params.get("topic", ""))
    return render_template(
        "editor/job.html",
        job=found,
        topic=topic,
        source=topic.translation(SOURCE_LANGUAGE) if topic else None,
        content_lang=params.get("lang"),
        native_names=NATIVE_NAMES,
        running=found.status in OPEN_STATUSES,
        statuses=JobStatus,
        history_url=url_for(
            "editor.history",
            record_type=RecordType.TOPIC_TRANSLATION,
            key=record_key(params.get("topic", ""), params.get("lang", "")),
        ),
    )


@bp.get("/machine-translation")
@roles_required(*EDITORS)
def machine_translation() -> str:
    pairs = installed_pairs()
    targets = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
    directions = {
        "drafts": [(SOURCE_LANGUAGE, lang) for lang in targets],
        "intake": [(lang, SOURCE_LANGUAGE) for lang in targets],
    }
    rows = {
        use: [
            (source, target, coverage_of(source, target, pairs), package_hint(source, target))
            for source, target in found
        ]
        for use, found in directions.items()
    }
    return render_template(
        "editor/machine_translation.html",
        pairs=pairs,
        rows=rows,
        native_names=NATIVE_NAMES,
        coverage=Coverage,
        engine=argos.ENGINE,
    )


# --- the runner (jobs process) -------------------------------------------------------------


class JobFailed(Exception):
    """A reason an editor can act on (shown on the job page); never contains content."""


def run_queued_jobs() -> int:
    """Run every queued machine-translation job; returns how many were run. Needs an app
    context (``lotse jobs run`` has one)."""
    _fail_stale_jobs()
    queued = db.session.scalars(
        select(BackgroundJob.id)
        .where(
            BackgroundJob.kind == JobKind.MACHINE_TRANSLATION,
            BackgroundJob.status == JobStatus.QUEUED,
        )
        .order_by(BackgroundJob.id)
    ).all()
    ran = 0
    for job_id in queued:
        if _claim(job_id):
            _run(job_id)
            ran += 1
    return ran


def _claim(job_id: int) -> bool:
    """Queued → running, unless another jobs process took it first."""
    claimed = db.session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id, BackgroundJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow())
    )
    db.session.commit()
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _fail_stale_jobs() -> None:
    db.session.execute(
        update(BackgroundJob)
        .where(
            BackgroundJob.status == JobStatus.RUNNING,
            BackgroundJob.started_at < utcnow() - STALE_AFTER,
        )
        .values(
            status=JobStatus.FAILED,
            finished_at=utcnow(),
            error="interrupted (the jobs process stopped); please request the draft again",
        )
    )
    db.session.commit()


def _run(job_id: int) -> None:
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None
    try:
        revision_id = _make_draft(job)
    except JobFailed as failure:
        _finish(job, JobStatus.FAILED, error=str(failure))
    except Exception as error:  # a job must end; the editor sees that it failed
        db.session.rollback()
        # The type only: a message could quote the text being translated.
        log.error("machine-translation job %d failed: %s", job_id, type(error).__name__)
        _finish(job, JobStatus.FAILED, error=f"machine translation failed ({type(error).__name__})")
    else:
        _finish(job, JobStatus.DONE, result={"revision_id": revision_id})


def _finish(
    job: BackgroundJob,
    status: JobStatus,
    *,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    job.status, job.error, job.result = status, error[:400] if error else None, result
    job.finished_at = utcnow()
    db.session.commit()


def _make_draft(job: BackgroundJob) -> int:
    slug, lang = job.params["topic"], job.params["lang"]
    topic = topic_by_slug(slug)
    german = topic.translation(SOURCE_LANGUAGE) if topic else None
    if topic is None or german is None:
        raise JobFailed(f"the topic {slug} has no German text")
    translate = _translator(lang)
    units = 3 + len(blocks(german.body_md))  # title, summary, keywords, body blocks
    job.progress_total, job.progress_done = units, 0
    db.session.commit()
    title = _step(job, _fit(translate(german.title), TITLE_MAX))
    summary = _step(job, _fit(translate(german.summary), SUMMARY_MAX))
    keywords = _step(job, _keywords(german.keywords, translate))
    body = translate_markdown(german.body_md, translate, lambda: _step(job, None))
    data = {
        "title": title,
        "summary": summary,
        "body_md": body,
        "keywords": keywords,
        "sources": [dict(source) for source in german.sources],
        "last_reviewed": german.last_reviewed.isoformat(),
        "source_revision": topic.revision,  # the German revision this draft translates
    }
    try:
        saved = revisions.save(
            RecordType.TOPIC_TRANSLATION,
            record_key(slug, lang),
            data,
            base=int(job.params["base"]),
            author=job.created_by,
            origin=RevisionOrigin.MACHINE,
        )
    except revisions.EditConflict:
        raise JobFailed(
            "someone saved this translation while the draft was being made; nothing was "
            "changed – request a new machine draft if you still want one"
        ) from None
    return saved.id


def _translator(lang: str) -> Callable[[str], str]:
    use_packages(current_app)

    def translate(text: str) -> str:
        if not text.strip():
            return text
        result = argos.translate(text, SOURCE_LANGUAGE, lang)
        if result is None:  # the package was removed after the request
            raise JobFailed(argos.missing_package_hint(SOURCE_LANGUAGE, lang))
        return result.text

    return translate


def _step(job: BackgroundJob, value: Any) -> Any:
    """Count one unit done and commit, so the progress page moves; returns ``value``."""
    job.progress_done = min(job.progress_done + 1, job.progress_total)
    db.session.commit()
    return value


def _keywords(german: list[str], translate: Callable[[str], str]) -> list[str]:
    translated = [translate(word).strip() for word in german]
    return list(dict.fromkeys(word for word in [*translated, *german] if word))


def _fit(text: str, limit: int) -> str:
    """Machine output can be longer than the content rules allow; cut at a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
