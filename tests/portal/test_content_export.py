"""`lotse content export`: the database back to content files, without loss."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from portal.cli import main
from portal.constants import LANGUAGES, AuditAction, ConsentPurpose, TranslationStatus
from portal.content import ContentError, exporter, load_content, read_content
from portal.content.exporter import ExportRefused, export_content
from portal.content.reader import consent_version
from portal.extensions import db
from portal.markdown import render
from portal.models import (
    AccommodationSite,
    AuditEvent,
    ConsentText,
    Office,
    OpeningHours,
    Service,
    SocialArea,
    Topic,
)

from .conftest import CONTENT_DIR, make_app, reset_schema

# Every table that `content load` writes. Surrogate ids and load times differ between
# databases; foreign keys are compared by the slug they point to.
CONTENT_TABLES = (
    "social_area",
    "accommodation_site",
    "service",
    "eligibility_rule",
    "appointment_type",
    "office",
    "opening_hours",
    "topic",
    "topic_service",
    "topic_translation",
    "consent_text",
    "search_entry",
)
FOREIGN_KEYS = {
    "topic_id": Topic,
    "service_id": Service,
    "office_id": Office,
    "area_id": SocialArea,
}
IGNORED_COLUMNS = {"id", "loaded_at"}


def table_rows(name: str) -> list[str]:
    slugs = {
        column: dict(db.session.execute(select(model.id, model.slug)).all())
        for column, model in FOREIGN_KEYS.items()
    }
    rows = []
    for row in db.session.execute(select(db.metadata.tables[name])).mappings():
        values = {
            column: slugs[column].get(value) if column in slugs else value
            for column, value in row.items()
            if column not in IGNORED_COLUMNS
        }
        rows.append(json.dumps(values, sort_keys=True, default=str, ensure_ascii=False))
    return sorted(rows)


def database_snapshot(tables: tuple[str, ...] = CONTENT_TABLES) -> dict[str, list[str]]:
    db.session.expire_all()
    return {name: table_rows(name) for name in tables}


def files_below(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def reload_into_fresh_database(app: Flask, folder: Path) -> dict[str, list[str]]:
    """Empty the database (real migrations), load ``folder``, return the rows."""
    with app.app_context():
        db.session.remove()
    reset_schema(app)
    with app.app_context():
        load_content(folder)
        return database_snapshot()


def test_round_trip_of_the_shipped_content(empty_app: Flask, tmp_path: Path) -> None:
    with empty_app.app_context():
        load_content(CONTENT_DIR)
        original = database_snapshot()
        export_content(tmp_path / "first")
    # The comparison below is only worth something if the rows hold what the issue names.
    joined = {name: "\n".join(rows) for name, rows in original.items()}
    assert all(original[name] for name in CONTENT_TABLES), "every content table has rows"
    assert '"translation_status": "source"' in joined["topic_translation"]
    assert '"translation_status": "up_to_date"' in joined["topic_translation"]
    assert '"appointment_only": true' in joined["opening_hours"]
    assert '"min_notice_minutes": 720' in joined["appointment_type"]
    assert '"residence_statuses": ["asylum-seeker", "duldung"]' in joined["eligibility_rule"]
    assert len(original["consent_text"]) == len(ConsentPurpose) * len(LANGUAGES)

    reloaded = reload_into_fresh_database(empty_app, tmp_path / "first")
    for name in CONTENT_TABLES:
        assert reloaded[name] == original[name], name

    with empty_app.app_context():
        export_content(tmp_path / "second")
    assert files_below(tmp_path / "second") == files_below(tmp_path / "first")


def test_export_resembles_the_hand_written_files(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        export_content(tmp_path)
    for relative in (
        "consent/share-summary/de.md",
        "topics/housing/de.md",
        "directory/sites.yml",
    ):
        expected = (CONTENT_DIR / relative).read_text(encoding="utf-8")
        # pydantic stores a bare host with its slash: https://www.arbeitsagentur.de/
        expected = expected.replace("arbeitsagentur.de\n", "arbeitsagentur.de/\n")
        assert (tmp_path / relative).read_text(encoding="utf-8") == expected, relative
    offices = (tmp_path / "directory" / "offices.yml").read_text(encoding="utf-8")
    assert offices.startswith("# Offices of the counselling services.\n# DEMO DATA: every address")
    assert (
        '      - days: [mon, tue, thu]\n        opens: "08:00"\n        closes: "12:00"\n'
        in offices
    )
    assert "confirmed:" not in offices, "the invented demo offices stay unconfirmed"
    services = (tmp_path / "directory" / "services.yml").read_text(encoding="utf-8")
    assert "\n\n  - slug: fbd\n" in services
    assert "    # Bookable online. Minutes are multiples of 5" in services
    assert "      de: >-\n        Die Sozialarbeiterinnen und Sozialarbeiter helfen" in services


def edit_by_hand() -> None:
    """What editors may do in the staff area, written straight to the database."""
    office = db.session.scalar(select(Office).where(Office.slug == "unmsa-herzberg"))
    assert office is not None
    office.confirmed_on = dt.date(2026, 10, 1)
    office.street = "Markt 1: Hinterhaus"
    office.opening_hours = [
        OpeningHours(weekday=0, opens=dt.time(7, 30), closes=dt.time(11, 0)),
        OpeningHours(weekday=2, opens=dt.time(7, 30), closes=dt.time(11, 0)),
        OpeningHours(weekday=2, opens=dt.time(14, 0), closes=dt.time(18, 45)),
        OpeningHours(
            weekday=4, opens=dt.time(14, 0), closes=dt.time(15, 30), appointment_only=True
        ),
    ]
    housing = db.session.scalar(select(Topic).where(Topic.slug == "housing"))
    assert housing is not None
    # A new German revision: every translation made from revision 1 is outdated now ...
    housing.revision = 2
    source = housing.translation("de")
    assert source is not None
    source.source_revision = 2
    for translation in housing.translations:
        if translation.source_revision < housing.revision:
            translation.translation_status = TranslationStatus.OUTDATED
    # ... except the English one, which an editor brought up to date, with some markup.
    english = housing.translation("en")
    assert english is not None
    english.source_revision = 2
    english.title = 'Housing <script>alert("title")</script>: "yes"'
    english.summary = "First line.\nSecond line: with a colon, # and a hash."
    english.body_md = (
        "## What is it about?\n\n<script>alert(1)</script>\n\n"
        "**Bold**, _emphasis_ and a [link](https://example.org).\n\n- yes\n- no\n"
        "\n---\n\nAfter a rule: 10:00 is not a number."
    )
    english.body_html = render(english.body_md)
    english.keywords = ["yes", "null", "a, b", "#tag", "10:30", "Wohnung"]
    english.translation_status = TranslationStatus.UP_TO_DATE
    work = db.session.scalar(select(Topic).where(Topic.slug == "work"))
    assert work is not None
    for lang, status in (
        ("fa", TranslationStatus.MACHINE_TRANSLATED),
        ("ar", TranslationStatus.IN_REVIEW),
    ):
        translation = work.translation(lang)
        assert translation is not None
        translation.translation_status = status
    service = db.session.scalar(select(Service).where(Service.slug == "jmd"))
    assert service is not None
    service.website = None
    service.demo = True
    service.appointment_types[0].min_notice_minutes = 3 * 60
    service.appointment_types[0].buffer_before_minutes = 5
    service.eligibility_rules[0].areas = ["herzberg", "finsterwalde"]
    service.description = {**service.description, "de": "Zeile eins.\n\nZeile zwei."}
    site = db.session.scalar(
        select(AccommodationSite).where(AccommodationSite.slug == "gu-herzberg")
    )
    assert site is not None
    site.capacity, site.note = None, None
    site.demo = True
    # A consent text edited in the staff area: a new current version, the old one kept.
    old = db.session.scalar(
        select(ConsentText).where(
            ConsentText.purpose == ConsentPurpose.SHARE_SUMMARY,
            ConsentText.lang == "en",
            ConsentText.current.is_(True),
        )
    )
    assert old is not None
    old.current = False
    title, label, body = old.title, "I agree: yes.", old.body_md + "\n\n**New:** one more line."
    db.session.add(
        ConsentText(
            purpose=old.purpose,
            lang="en",
            version=consent_version(title, label, body),
            title=title,
            label=label,
            body_md=body,
            body_html=render(body),
            current=True,
        )
    )
    db.session.commit()


EDITED_TABLES = tuple(name for name in CONTENT_TABLES if name != "search_entry")


def current_consents(rows: list[str]) -> list[str]:
    return [row for row in rows if '"current": true' in row]


def test_hand_edited_database_survives_export_and_load(empty_app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    with empty_app.app_context():
        load_content(CONTENT_DIR)
        edit_by_hand()
        edited = database_snapshot(EDITED_TABLES)
        export_content(folder)
    english = (folder / "topics" / "housing" / "en.md").read_text(encoding="utf-8")
    assert "\n<script>alert(1)</script>\n" in english, "Markdown is written as stored"
    assert """title: "Housing <script>alert(\\"title\\")</script>: \\"yes\\"\"""" in english
    offices = (folder / "directory" / "offices.yml").read_text(encoding="utf-8")
    assert "    confirmed: 2026-10-01\n" in offices
    assert '      - days: [mon, wed]\n        opens: "07:30"\n        closes: "11:00"\n' in offices

    reload_into_fresh_database(empty_app, folder)
    with empty_app.app_context():
        reloaded = database_snapshot(EDITED_TABLES)
        housing = db.session.scalar(select(Topic).where(Topic.slug == "housing"))
        assert housing is not None
        statuses = {t.lang: (t.translation_status, t.source_revision) for t in housing.translations}
        translation = housing.translation("en")
        assert translation is not None
        html = translation.body_html
    for name in EDITED_TABLES:
        if name == "consent_text":  # the files hold the current words only
            assert reloaded[name] == current_consents(edited[name])
        else:
            assert reloaded[name] == edited[name], name
    assert statuses == {
        "de": (TranslationStatus.SOURCE, 2),
        "en": (TranslationStatus.UP_TO_DATE, 2),
        "ar": (TranslationStatus.OUTDATED, 1),
        "fa": (TranslationStatus.OUTDATED, 1),
        "uk": (TranslationStatus.OUTDATED, 1),
    }
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in html, "shown as text, never run"
    assert "<script" not in html


def test_the_same_words_keep_their_consent_version(tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    path = copy / "consent" / "share-summary" / "de.md"
    text = path.read_text(encoding="utf-8")
    before = {(c.purpose, c.lang): c.version for c in read_content(copy).consents}
    # Quoting, line endings and blank lines around the body are not the words.
    front, body = text.split("\n---\n", 1)
    title_line = next(line for line in front.splitlines() if line.startswith("title: "))
    quoted = front.replace(title_line, f'title: "{title_line.removeprefix("title: ")}"')
    path.write_bytes((quoted + "\n---\n\n\n" + body + "\n\n").replace("\n", "\r\n").encode())
    after = {(c.purpose, c.lang): c.version for c in read_content(copy).consents}
    assert after == before
    path.write_text(text.replace("Sonst niemand.", "Sonst keiner."), encoding="utf-8")
    changed = {(c.purpose, c.lang): c.version for c in read_content(copy).consents}
    assert (
        changed[(ConsentPurpose.SHARE_SUMMARY, "de")]
        != before[(ConsentPurpose.SHARE_SUMMARY, "de")]
    )
    assert len(set(changed.items()) ^ set(before.items())) == 2


def test_office_confirmation_date_is_read(tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    offices = copy / "directory" / "offices.yml"
    text = offices.read_text(encoding="utf-8")
    offices.write_text(
        text.replace("    service: jmd\n", "    service: jmd\n    confirmed: 2026-11-02\n", 1),
        encoding="utf-8",
    )
    confirmed = {o.slug: o.confirmed for o in read_content(copy).offices}
    assert confirmed["jmd-finsterwalde"] == dt.date(2026, 11, 2)
    assert confirmed["jmd-herzberg"] is None
    offices.write_text(
        text.replace("    service: jmd\n", "    confirmed: soon\n    service: jmd\n", 1)
    )
    with pytest.raises(ContentError) as caught:
        read_content(copy)
    assert any("offices.yml:" in str(p) and "confirmed" in str(p) for p in caught.value.problems)


def test_values_the_files_cannot_hold_stop_the_export(empty_app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "out"
    with empty_app.app_context():
        load_content(CONTENT_DIR)
        service = db.session.scalars(select(Service).where(Service.slug == "mbe")).one()
        service.appointment_types[0].min_notice_minutes = 90
        topic = db.session.scalars(select(Topic).where(Topic.slug == "work")).one()
        translation = topic.translation("uk")
        assert translation is not None
        translation.body_md = "# A first-level heading"
        db.session.commit()
        with pytest.raises(ContentError) as caught:
            export_content(target)
    messages = [str(problem) for problem in caught.value.problems]
    assert any(
        "services.yml" in m and "90 minutes is not a whole number of hours" in m for m in messages
    )
    assert any(
        str(target / "topics" / "work" / "uk.md") in m and "use '## ' headings" in m
        for m in messages
    )
    assert not target.exists(), "nothing is written when anything cannot be exported"


def test_cli_export(empty_app: Flask, tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content_dir)
    app = make_app(empty_app.config["SQLALCHEMY_DATABASE_URI"], CONTENT_DIR=content_dir)
    runner = app.test_cli_runner()
    loaded = runner.invoke(main, ["content", "load"])
    assert loaded.exit_code == 0, loaded.output

    (content_dir / "topics" / "housing" / "tr.md").write_text("stale", encoding="utf-8")
    offices = content_dir / "directory" / "offices.yml"
    # A hand edit the database doesn't know about: the export writes the file again.
    offices.write_text(offices.read_text(encoding="utf-8") + "# a note\n", encoding="utf-8")
    offices.chmod(0o640)
    mode = offices.stat().st_mode & 0o777
    result = runner.invoke(main, ["content", "export"])  # default: the configured folder
    assert result.exit_code == 0, result.output
    assert f"wrote {content_dir / 'directory' / 'offices.yml'}\n" in result.output
    assert f"removed {content_dir / 'topics' / 'housing' / 'tr.md'}\n" in result.output
    assert f"wrote {content_dir / 'consent'}" not in result.output, "unchanged files stay"
    assert "exported to" in result.output and "1 removed" in result.output
    assert offices.stat().st_mode & 0o777 == mode, "a rewritten file keeps its permissions"
    with app.app_context():
        exported = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.CONTENT_EXPORTED)
        ).all()
        assert [event.detail for event in exported] == ["command line: 1 files written"]

    again = runner.invoke(main, ["content", "export"])
    assert again.exit_code == 0, again.output
    assert "wrote" not in again.output and "0 files written" in again.output

    checked = runner.invoke(main, ["content", "check", "--path", str(content_dir)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("ok: 15 topics")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "thesis.txt").write_text("not content", encoding="utf-8")
    refused = runner.invoke(main, ["content", "export", "--path", str(elsewhere)])
    assert refused.exit_code != 0
    assert (
        "holds other files than content" in refused.output
        and "nothing was written" in refused.output
    )
    assert [p.name for p in elsewhere.iterdir()] == ["thesis.txt"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_export_of_an_empty_database_is_refused(empty_app: Flask, tmp_path: Path) -> None:
    with empty_app.app_context(), pytest.raises(ExportRefused, match="holds no content"):
        export_content(tmp_path / "out")
    assert not (tmp_path / "out").exists()


TRICKY_TEXTS = [
    "plain words",
    "key: value",
    "- a list?",
    "# not a comment",
    "yes",
    "null",
    "~",
    "10:30",
    "04916",
    "1e3",
    "2026-11-21",
    "'single' and \"double\" quotes",
    "trailing space ",
    " leading space",
    "two  spaces  inside and a very long line " * 6,
    "line\nbreaks\n\nand a blank line",
    "ends with a line break\n",
    "tab\tinside",
    "carriage\r\nreturn",
    "unicode line\u2028separator and next\x85line",
    "Arabic: نص عربي مع (Gemeinschaftsunterkunft) – and a dash",
    "ZWNJ: منطقه‌ی Herzberg",
    "<script>alert(1)</script> & [link](javascript:alert(1))",
    "{not: a map}, [not a list]",
    "emoji 🙂 and \x00 control",
    "",
    " ".join(["Wohnberechtigungsschein"] * 12),  # folded below the width
]


@pytest.mark.parametrize("dumper", [exporter._Dumper, exporter._DirectoryDumper])
def test_yaml_writer_keeps_every_string(dumper: type[exporter._Dumper]) -> None:
    data = {
        "plain": TRICKY_TEXTS,
        "folded": {str(i): exporter.Folded(t) for i, t in enumerate(TRICKY_TEXTS)},
        "quoted": [exporter.Quoted(t) for t in TRICKY_TEXTS],
        "nested": [{"days": ["mon", "tue"], "text": t} for t in TRICKY_TEXTS],
    }
    written = exporter._yaml(data, dumper)
    assert yaml.safe_load(written) == {
        "plain": TRICKY_TEXTS,
        "folded": {str(i): t for i, t in enumerate(TRICKY_TEXTS)},
        "quoted": TRICKY_TEXTS,
        "nested": [{"days": ["mon", "tue"], "text": t} for t in TRICKY_TEXTS],
    }
    assert "      - days: [mon, tue]\n" not in written and "  - days: [mon, tue]\n" in written
    folded = [
        line for line in written.splitlines() if line.startswith("    Wohnberechtigungsschein")
    ]
    assert len(folded) > 1 and max(len(line) for line in folded) <= dumper.fold_width
