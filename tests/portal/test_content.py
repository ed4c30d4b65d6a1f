import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.constants import LANGUAGES, TOPIC_SLUGS, TranslationStatus
from portal.content import ContentError, load_content, read_content
from portal.extensions import db
from portal.models import Office, SearchEntry, Service, Topic, TopicTranslation

from .conftest import CONTENT_DIR


def test_shipped_content_is_complete() -> None:
    content = read_content(CONTENT_DIR)
    assert [t.meta.slug for t in sorted(content.topics, key=lambda t: t.meta.slug)] == sorted(
        TOPIC_SLUGS
    )
    for topic in content.topics:
        assert set(topic.files) == set(LANGUAGES), topic.meta.slug
        for topic_file in topic.files.values():
            assert topic_file.front.sources, topic_file.path
            assert "## " in topic_file.body, topic_file.path
    assert {s.slug for s in content.services} >= {
        "unmsa",
        "fbd",
        "mbe",
        "jmd",
        "welcome-center",
        "psychosocial",
        "social-welfare-office",
    }
    assert len(content.areas) == 4


def test_invented_contact_details_are_flagged_as_demo() -> None:
    content = read_content(CONTENT_DIR)
    for office in content.offices:
        if office.phone or office.email or office.street or office.opening_hours:
            assert office.demo, f"{office.slug} has contact details but no demo flag"
        if office.email:
            assert office.email.endswith(".invalid"), "demo e-mail must not reach anybody"


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Topic, TopicTranslation, Service, Office, SearchEntry)
    )


def test_load_is_idempotent_and_keeps_ids(empty_app: Flask) -> None:
    with empty_app.app_context():
        load_content(CONTENT_DIR)
        first = counts()
        ids = dict(db.session.execute(select(Topic.slug, Topic.id)).all())
        load_content(CONTENT_DIR)
        assert counts() == first
        assert dict(db.session.execute(select(Topic.slug, Topic.id)).all()) == ids
        assert first[0] == len(TOPIC_SLUGS)
        assert first[1] == len(TOPIC_SLUGS) * len(LANGUAGES)


def test_translation_status_follows_revisions(empty_app: Flask, tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    meta = copy / "topics" / "housing" / "topic.yml"
    meta.write_text(meta.read_text().replace("revision: 1", "revision: 2"))
    with empty_app.app_context():
        load_content(copy)
        topic = db.session.scalar(select(Topic).where(Topic.slug == "housing"))
        assert topic is not None
        statuses = {t.lang: t.translation_status for t in topic.translations}
    assert statuses["de"] == TranslationStatus.SOURCE
    assert {statuses[lang] for lang in ("en", "ar", "fa", "uk")} == {TranslationStatus.OUTDATED}


def broken_copy(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    target = copy / relative
    text = target.read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} not in {relative}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def problem_lines(error: ContentError) -> list[str]:
    return [str(problem) for problem in error.problems]


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "directory/services.yml", "  - slug: fbd", "  - slug: [fbd")
    with pytest.raises(ContentError) as caught:
        read_content(root)
    (message,) = problem_lines(caught.value)
    assert "services.yml:" in message and "YAML syntax error" in message


def test_schema_error_names_file_line_and_field(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "directory/services.yml", "min_age: 27", "min_age: -3")
    with pytest.raises(ContentError) as caught:
        read_content(root)
    messages = problem_lines(caught.value)
    assert any("services.yml:" in m and "min_age" in m for m in messages), messages
    line_number = int(messages[0].split("services.yml:")[1].split(":")[0])
    assert (
        "min_age: -3" in (root / "directory/services.yml").read_text().splitlines()[line_number - 1]
    )


def test_missing_language_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    (root / "topics" / "work" / "fa.md").unlink()
    with pytest.raises(ContentError) as caught:
        read_content(root)
    assert any(
        "work/fa.md" in m and "missing the fa text" in m for m in problem_lines(caught.value)
    )


def test_unknown_service_reference_is_refused(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "directory/offices.yml", "service: jmd", "service: nonexistent")
    with pytest.raises(ContentError) as caught:
        read_content(root)
    assert any("unknown service 'nonexistent'" in m for m in problem_lines(caught.value))


def test_front_matter_error_line_points_into_the_markdown_file(tmp_path: Path) -> None:
    root = broken_copy(
        tmp_path, "topics/health/en.md", "last_reviewed: 2026-11-21", "last_reviewed: soon"
    )
    with pytest.raises(ContentError) as caught:
        read_content(root)
    (message,) = problem_lines(caught.value)
    path, line = message.split(":")[0], int(message.split(":")[1])
    assert path.endswith("health/en.md")
    assert "last_reviewed: soon" in Path(path).read_text().splitlines()[line - 1]


def test_failed_load_leaves_database_untouched(empty_app: Flask, tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "directory/offices.yml", "service: jmd", "service: nonexistent")
    with empty_app.app_context():
        load_content(CONTENT_DIR)
        before = counts()
        with pytest.raises(ContentError):
            load_content(root)
        assert counts() == before


def test_error_during_write_rolls_back_everything(
    empty_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.content import loader

    with empty_app.app_context():
        load_content(CONTENT_DIR)
        before = counts()
        copy = broken_copy(
            tmp_path,
            "topics/housing/de.md",
            "last_reviewed: 2026-11-21",
            "last_reviewed: 2020-01-01",
        )

        def fail(*args: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(loader, "_search_entries", fail)
        with pytest.raises(RuntimeError):
            load_content(copy)
        assert counts() == before
        reviewed = db.session.scalar(
            select(TopicTranslation.last_reviewed)
            .join(Topic)
            .where(Topic.slug == "housing", TopicTranslation.lang == "de")
        )
        assert reviewed is not None and reviewed.year == 2026
