"""Topic translations as editable records, and their translation status.

German is the source. Publishing a German revision raises the topic's revision (unless
the edit was marked minor), which makes every translation written from an older German
revision ``outdated``. A translation records the German revision it was written from
(``source_revision``), taken when its draft is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from ..constants import (
    NATIVE_NAMES,
    SOURCE_LANGUAGE,
    RecordType,
    RevisionOrigin,
    SearchKind,
    TranslationStatus,
    WorkflowState,
)
from ..extensions import db
from ..markdown import render, to_plain_text
from ..models import ContentRevision, SearchEntry, Topic, TopicTranslation
from ..queries import topic_by_slug
from ..text import normalize
from . import revisions

FIELDS = ("title", "summary", "body_md", "keywords", "sources", "last_reviewed")


def record_key(slug: str, lang: str) -> str:
    return f"{slug}:{lang}"


def split_key(key: str) -> tuple[str, str]:
    slug, _, lang = key.partition(":")
    return slug, lang


def snapshot(key: str) -> dict[str, Any] | None:
    slug, lang = split_key(key)
    topic = topic_by_slug(slug)
    translation = topic.translation(lang) if topic else None
    if translation is None:
        return None
    return {
        "title": translation.title,
        "summary": translation.summary,
        "body_md": translation.body_md,
        "keywords": list(translation.keywords),
        "sources": [dict(source) for source in translation.sources],
        "last_reviewed": translation.last_reviewed.isoformat(),
        "source_revision": translation.source_revision,
    }


def publish(key: str, revision: ContentRevision) -> None:
    slug, lang = split_key(key)
    topic = topic_by_slug(slug)
    if topic is None:
        raise LookupError(f"no topic {slug}")
    translation = topic.translation(lang)
    if translation is None:
        translation = TopicTranslation(lang=lang)
        topic.translations.append(translation)
    data = revision.data
    translation.title, translation.summary = data["title"], data["summary"]
    translation.body_md, translation.body_html = data["body_md"], render(data["body_md"])
    translation.keywords = list(data["keywords"])
    translation.sources = [dict(source) for source in data["sources"]]
    translation.last_reviewed = dt.date.fromisoformat(data["last_reviewed"])
    if lang == SOURCE_LANGUAGE:
        _publish_source(topic, translation, minor=revision.minor)
    else:
        translation.source_revision = int(data.get("source_revision") or topic.revision)
        translation.translation_status = (
            TranslationStatus.UP_TO_DATE
            if translation.source_revision >= topic.revision
            else TranslationStatus.OUTDATED
        )
    reindex(topic, translation)


def _publish_source(topic: Topic, source: TopicTranslation, *, minor: bool) -> None:
    if not minor:
        # Incremented in the database, so two publications never count as one.
        topic.revision = Topic.revision + 1
        db.session.flush()
        db.session.refresh(topic, attribute_names=["revision"])
    source.source_revision = topic.revision
    source.translation_status = TranslationStatus.SOURCE
    for translation in topic.translations:
        if translation.lang != SOURCE_LANGUAGE and translation.source_revision < topic.revision:
            translation.translation_status = TranslationStatus.OUTDATED


def reindex(topic: Topic, translation: TopicTranslation) -> None:
    """Replace the search entry of one translation (``content load`` rebuilds all of them)."""
    db.session.execute(
        delete(SearchEntry).where(
            SearchEntry.kind == SearchKind.TOPIC,
            SearchEntry.slug == topic.slug,
            SearchEntry.lang == translation.lang,
        )
    )
    text = " ".join(
        [
            translation.title,
            translation.summary,
            *translation.keywords,
            to_plain_text(translation.body_md),
        ]
    )
    db.session.add(
        SearchEntry(
            kind=SearchKind.TOPIC,
            slug=topic.slug,
            lang=translation.lang,
            title=translation.title,
            title_normalized=normalize(translation.title),
            text_normalized=normalize(text),
        )
    )


def subject_id(key: str) -> int | None:
    slug, lang = split_key(key)
    topic = topic_by_slug(slug)
    translation = topic.translation(lang) if topic else None
    return translation.id if translation else (topic.id if topic else None)


LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "body_md": _l("Text (Markdown)"),
    "keywords": _l("Keywords"),
    "sources": _l("Official sources"),
    "last_reviewed": _l("Last reviewed"),
}


def display_name(key: str) -> str:
    """E.g. "Asylverfahren – العربية": the German title names the topic in every language."""
    slug, lang = split_key(key)
    topic = topic_by_slug(slug)
    source = topic.translation(SOURCE_LANGUAGE) if topic else None
    return f"{source.title if source else slug} – {NATIVE_NAMES.get(lang, lang)}"


def edit_url(key: str) -> str:
    slug, lang = split_key(key)
    return url_for("editor.topic_edit", slug=slug, lang=lang)


revisions.register(
    revisions.RecordAdapter(
        record_type=RecordType.TOPIC_TRANSLATION,
        fields=FIELDS,
        snapshot=snapshot,
        publish=publish,
        subject_id=subject_id,
        labels=LABELS,
        display_name=display_name,
        edit_url=edit_url,
    )
)


def _since_published(slug: str, lang: str) -> list[ContentRevision]:
    """Revisions newer than the last published one, newest first."""
    pending = []
    for revision in revisions.history(RecordType.TOPIC_TRANSLATION, record_key(slug, lang)):
        if revision.state == WorkflowState.PUBLISHED:
            break
        pending.append(revision)
    return pending


def translation_status(topic: Topic, lang: str) -> TranslationStatus:
    """The status an editor sees for one language of a topic.

    Open work counts first: a revision in review is ``in_review``; a draft that started as
    a machine translation stays ``machine_translated`` until a person submits or publishes
    it. Otherwise the live translation decides: none → ``missing``; written from an older
    German revision → ``outdated``.
    """
    if lang == SOURCE_LANGUAGE:
        return TranslationStatus.SOURCE
    pending = _since_published(topic.slug, lang)
    if pending and pending[0].state == WorkflowState.IN_REVIEW:
        return TranslationStatus.IN_REVIEW
    if pending and any(revision.origin == RevisionOrigin.MACHINE for revision in pending):
        return TranslationStatus.MACHINE_TRANSLATED
    translation = topic.translation(lang)
    if translation is None:
        return TranslationStatus.MISSING
    if translation.source_revision < topic.revision:
        return TranslationStatus.OUTDATED
    if translation.translation_status in (
        TranslationStatus.MACHINE_TRANSLATED,
        TranslationStatus.IN_REVIEW,
    ):
        return TranslationStatus(translation.translation_status)
    return TranslationStatus.UP_TO_DATE
