"""Writes the content held in the database back into ``content/`` files.

``content load`` of the written files gives the same database rows again, and a second
export gives the same bytes (export → load → export is a fixed point). The files look
like hand-written ones: the same key order, flow lists for short lists, folded blocks
for long text and the header comments of the directory files, so a ``git diff`` after an
export shows only what editors changed.

Nothing is interpreted on the way: Markdown and titles are written exactly as stored
(an editor's ``<script>`` stays text; only the portal's renderer sanitises HTML), and
the YAML is written by PyYAML's safe dumper, which emits plain scalars, lists and maps only.

What the files cannot carry, and so an export does not keep:
- consent texts that are no longer current (they stay in the database; the files hold
  the current words only);
- a topic's order of services (the database lists them in directory order);
- a translation marked ``outdated`` although it names the current German revision
  (the loader derives ``outdated`` from ``translation_of``);
- line endings and surrounding blank lines of Markdown bodies (the loader stores
  ``\\n`` line endings and strips the body).
Values a file cannot express exactly (a notice period that is not whole hours, seconds
in opening hours) stop the export with a message instead of being rounded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from sqlalchemy import select

from .. import models
from ..constants import SOURCE_LANGUAGE, TranslationStatus
from ..extensions import db
from . import schema
from .reader import ContentError, Problem, read_content

# Folders and files that ``content load`` reads; an export owns exactly these.
CONTENT_FOLDERS = ("topics", "directory", "consent")
DIRECTORY_FILES = ("areas.yml", "sites.yml", "services.yml", "offices.yml")
FILE_STATUSES = (TranslationStatus.MACHINE_TRANSLATED, TranslationStatus.IN_REVIEW)

# Folded text is wrapped like the hand-written files: front matter at 79 columns,
# the long descriptions in services.yml at 120.
FRONT_MATTER_WIDTH = 79
DIRECTORY_WIDTH = 120

# Header comments of the directory files: what the file holds and where it comes from, and a
# warning when any record in it is invented for the demo.
HEADERS = {
    "areas.yml": """\
The social areas (Sozialräume) of Landkreis Elbe-Elster.
The planning concept (Umsetzungskonzept MSA Elbe-Elster 2026, section 3.2) names four social
areas but shows their borders only on a map.
""",
    "sites.yml": """\
Accommodation sites as given in the Umsetzungskonzept MSA Elbe-Elster 2026 (section 3.2).
""",
    "services.yml": """\
Counselling services in Landkreis Elbe-Elster, from the Umsetzungskonzept MSA Elbe-Elster 2026
(sections 3.1, 4.2, 7.1, 7.2). Eligibility: a client matches a service when they match at
least one rule; a rule without conditions means "open to everyone" (see docs/content-format.md).
""",
    "offices.yml": """\
Offices of the counselling services.
""",
}
DEMO_HEADERS = {
    "areas.yml": """\
DEMO DATA: the names and the towns of the areas marked `demo: true` are invented until the
district confirms them.
""",
    "sites.yml": """\
DEMO DATA: the sites marked `demo: true` are invented for the demo.
""",
    "services.yml": """\
DEMO DATA: the services marked `demo: true` are invented for the demo.
""",
    "offices.yml": """\
DEMO DATA: every address, phone number, e-mail address, opening time, language list and
accessibility fact below is invented for the demo (the planning documents give none of them).
Phone numbers end in 0000xx and e-mail addresses use the reserved .invalid domain, so none
of them can reach a real person. Replace them with confirmed facts and remove `demo: true`.
""",
}
APPOINTMENT_TYPES_COMMENT = (
    "    # Bookable online. Minutes are multiples of 5; see docs/content-format.md.\n"
)


class ExportRefused(Exception):
    """The target folder holds something else than content; nothing was written."""


@dataclass
class ExportResult:
    root: Path
    written: list[Path] = field(default_factory=list)  # new or changed files
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # files of records no longer in the database


# --- YAML in the style of the hand-written files -------------------------------------------


class Folded(str):
    """Long prose: a folded block (``>-``), or a literal block when it has line breaks."""


class Quoted(str):
    """Always in double quotes: times, postal codes and phone numbers that look like numbers."""


# Line breaks for YAML 1.1; PyYAML's block styles lose all but "\n", so texts with the others
# are written in double quotes, where they are escaped.
OTHER_BREAKS = "\r\x85\u2028\u2029"


def _foldable(text: str) -> bool:
    """One paragraph without tabs or line breaks; anything else is left to PyYAML."""
    return bool(text) and text == text.strip() and not any(c in text for c in "\t\n" + OTHER_BREAKS)


def _fill(text: str, width: int) -> list[str]:
    """Greedy line filling that breaks only at single spaces, where folding restores a space."""
    lines: list[str] = []
    current = ""
    for word in re.split(r"(?<! ) (?! )", text):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


class _Dumper(yaml.SafeDumper):
    fold_width = FRONT_MATTER_WIDTH

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Items of a block list are indented below their key, as in the hand-written files.
        return super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style

    def write_plain(self, text: str, split: bool = True) -> None:
        super().write_plain(text, split=False)  # one value, one line

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        super().write_double_quoted(text, split=False)

    def write_folded(self, text: str) -> None:
        if not _foldable(text):
            super().write_folded(text)
            return
        self.write_indicator(">" + self.determine_block_hints(text), True)
        self.write_line_break()
        for line in _fill(text, max(self.fold_width - (self.indent or 0), 20)):
            self.write_indent()
            self.stream.write(line)
            self.column += len(line)
            self.write_line_break()


class _DirectoryDumper(_Dumper):
    fold_width = DIRECTORY_WIDTH


def _represent_list(dumper: _Dumper, data: list[Any]) -> yaml.Node:
    scalars_only = not any(isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=scalars_only)


def _represent_folded(dumper: _Dumper, data: Folded) -> yaml.Node:
    style = '"' if any(c in data for c in OTHER_BREAKS) else "|" if "\n" in data else ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=style)


def _represent_quoted(dumper: _Dumper, data: Quoted) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


for _dumper in (_Dumper, _DirectoryDumper):
    _dumper.add_representer(list, _represent_list)
    _dumper.add_representer(Folded, _represent_folded)
    _dumper.add_representer(Quoted, _represent_quoted)


def _yaml(data: dict[str, Any], dumper: type[_Dumper] = _Dumper) -> str:
    return yaml.dump(
        data,
        Dumper=dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,  # lines are wrapped by _fill only
    )


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" for line in text.splitlines())


def _markdown_file(front: dict[str, Any], body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    return f"---\n{_yaml(front)}---\n{body}\n"


def _translated(value: dict[str, str] | None) -> dict[str, str] | None:
    return dict(value) if value else None


def _put(record: dict[str, Any], key: str, value: Any) -> None:
    """Set an optional key; left out when empty, as the files leave out defaults."""
    if value is not None and value is not False and value != []:
        record[key] = value


# --- records ---------------------------------------------------------------------------


class _Problems:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.items: list[Problem] = []

    def add(self, relative: str, message: str) -> None:
        self.items.append(Problem(self.root / relative, None, message))


def _topic_files(topic: models.Topic) -> dict[str, str]:
    folder = f"topics/{topic.slug}"
    meta = {
        "slug": topic.slug,
        "position": topic.position,
        "revision": topic.revision,
        "services": [service.slug for service in topic.services],
        "related": list(topic.related),
    }
    files = {f"{folder}/topic.yml": _yaml(meta)}
    for translation in topic.translations:
        front: dict[str, Any] = {
            "title": translation.title,
            "summary": Folded(translation.summary),
            "last_reviewed": translation.last_reviewed,
        }
        if translation.lang != SOURCE_LANGUAGE:
            front["translation_of"] = translation.source_revision
            if translation.translation_status in FILE_STATUSES:
                front["status"] = str(translation.translation_status)
        front["keywords"] = list(translation.keywords)
        front["sources"] = [
            {"title": source["title"], "url": source["url"]} for source in translation.sources
        ]
        files[f"{folder}/{translation.lang}.md"] = _markdown_file(front, translation.body_md)
    return files


def _area(area: models.SocialArea) -> dict[str, Any]:
    record: dict[str, Any] = {"slug": area.slug, "position": area.position}
    _put(record, "demo", area.demo)
    record["name"] = _translated(area.name)
    record["municipalities"] = list(area.municipalities)
    return record


def _site(site: models.AccommodationSite) -> dict[str, Any]:
    record: dict[str, Any] = {"slug": site.slug, "kind": site.kind}
    _put(record, "area", site.area.slug if site.area else None)
    _put(record, "capacity", site.capacity)
    _put(record, "demo", site.demo)
    record["name"] = _translated(site.name)
    _put(record, "note", _translated(site.note))
    return record


def _rule(rule: models.EligibilityRule) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key in ("min_age", "max_age", "residence_statuses", "housing", "areas"):
        value = getattr(rule, key)
        if value is not None:
            record[key] = list(value) if isinstance(value, list) else value
    return record


def _appointment_type(
    service: models.Service, kind: models.AppointmentType, problems: _Problems
) -> dict[str, Any]:
    hours, rest = divmod(kind.min_notice_minutes, 60)
    if rest:
        problems.add(
            "directory/services.yml",
            f"service '{service.slug}', appointment type '{kind.slug}': the minimum notice of "
            f"{kind.min_notice_minutes} minutes is not a whole number of hours "
            "(min_notice_hours); set it in whole hours first",
        )
    record: dict[str, Any] = {"slug": kind.slug, "name": _translated(kind.name)}
    _put(record, "bring", _translated(kind.bring))
    _put(record, "first_visit", kind.first_visit)
    record["duration_minutes"] = kind.duration_minutes
    _put(record, "buffer_before_minutes", kind.buffer_before_minutes or None)
    _put(record, "buffer_after_minutes", kind.buffer_after_minutes or None)
    record["min_notice_hours"] = hours
    record["horizon_days"] = kind.horizon_days
    record["slot_interval_minutes"] = kind.slot_interval_minutes
    record["modes"] = list(kind.modes)
    return record


def _service(service: models.Service, problems: _Problems) -> dict[str, Any]:
    record: dict[str, Any] = {"slug": service.slug, "position": service.position}
    _put(record, "demo", service.demo)
    record["name"] = _translated(service.name)
    record["short"] = _translated(service.short)
    record["description"] = {
        lang: Folded(text) for lang, text in (service.description or {}).items()
    }
    record["target_group"] = _translated(service.target_group)
    _put(record, "provider", service.provider)
    _put(record, "website", service.website)
    record["eligibility"] = [_rule(rule) for rule in service.eligibility_rules]
    _put(
        record,
        "appointment_types",
        [_appointment_type(service, kind, problems) for kind in service.appointment_types],
    )
    return record


def _time(office: models.Office, value: dt.time, problems: _Problems) -> Quoted:
    if value.second or value.microsecond:
        problems.add(
            "directory/offices.yml",
            f"office '{office.slug}': the opening time {value.isoformat()} has seconds; "
            "the file holds hours and minutes only",
        )
    return Quoted(value.strftime("%H:%M"))


def _opening_ranges(office: models.Office, problems: _Problems) -> list[dict[str, Any]]:
    """Rows of one weekday each, grouped back into ranges with the same times.

    Ranges come in the order of their first day, so the same week always reads the same.
    """
    ordered = sorted(office.opening_hours, key=lambda row: (row.weekday, row.opens, row.closes))
    groups: dict[tuple[dt.time, dt.time, bool], list[str]] = {}
    for row in ordered:
        key = (row.opens, row.closes, row.appointment_only)
        groups.setdefault(key, []).append(schema.WEEKDAYS[row.weekday])
    ranges = []
    for (opens, closes, appointment_only), days in groups.items():
        opening: dict[str, Any] = {
            "days": days,
            "opens": _time(office, opens, problems),
            "closes": _time(office, closes, problems),
        }
        _put(opening, "appointment_only", appointment_only)
        ranges.append(opening)
    return ranges


def _office(office: models.Office, problems: _Problems) -> dict[str, Any]:
    record: dict[str, Any] = {
        "slug": office.slug,
        "service": office.service.slug,
        "position": office.position,
    }
    _put(record, "area", office.area.slug if office.area else None)
    _put(record, "demo", office.demo)
    _put(record, "confirmed", office.confirmed_on)
    record["name"] = _translated(office.name)
    _put(record, "street", office.street)
    _put(record, "postal_code", Quoted(office.postal_code) if office.postal_code else None)
    record["city"] = office.city
    _put(record, "phone", Quoted(office.phone) if office.phone else None)
    _put(record, "email", office.email)
    record["channels"] = list(office.channels)
    record["languages"] = list(office.languages)
    record["wheelchair_accessible"] = office.wheelchair_accessible
    _put(record, "accessibility_note", _translated(office.accessibility_note))
    record["appointment_only"] = office.appointment_only
    _put(record, "opening_hours", _opening_ranges(office, problems))
    return record


def _directory_file(name: str, key: str, records: list[dict[str, Any]], demo: bool) -> str:
    header = _comment(HEADERS[name]) + (_comment(DEMO_HEADERS[name]) if demo else "")
    return header + _yaml({key: records}, _DirectoryDumper)


def _services_file(records: list[dict[str, Any]], demo: bool) -> str:
    """services.yml has a blank line between services and a note above appointment types."""
    lines = _directory_file("services.yml", "services", records, demo).splitlines(keepends=True)
    out: list[str] = []
    seen_first = False
    for line in lines:
        if line.startswith("  - slug: "):
            if seen_first:
                out.append("\n")
            seen_first = True
        elif line == "    appointment_types:\n":
            out.append(APPOINTMENT_TYPES_COMMENT)
        out.append(line)
    return "".join(out)


def _consent_files() -> dict[str, str]:
    texts = db.session.scalars(
        select(models.ConsentText)
        .where(models.ConsentText.current.is_(True))
        .order_by(models.ConsentText.id)
    )
    files = {}
    for text in texts:  # should two be current, the newest wins, as in the files
        front = {"title": text.title, "label": text.label}
        files[f"consent/{text.purpose}/{text.lang}.md"] = _markdown_file(front, text.body_md)
    return files


def _render(root: Path) -> tuple[dict[str, str], list[Problem]]:
    """Every content file as text, by path relative to the content folder, and the values
    the files cannot express (as problems with paths below ``root``)."""
    problems = _Problems(root)
    files: dict[str, str] = {}
    for topic in db.session.scalars(select(models.Topic).order_by(models.Topic.position)):
        files.update(_topic_files(topic))
    areas = list(
        db.session.scalars(
            select(models.SocialArea).order_by(models.SocialArea.position, models.SocialArea.id)
        )
    )
    sites = list(
        db.session.scalars(select(models.AccommodationSite).order_by(models.AccommodationSite.id))
    )
    services = list(
        db.session.scalars(
            select(models.Service).order_by(models.Service.position, models.Service.id)
        )
    )
    offices = list(
        db.session.scalars(select(models.Office).order_by(models.Office.position, models.Office.id))
    )
    files["directory/areas.yml"] = _directory_file(
        "areas.yml", "areas", [_area(a) for a in areas], any(a.demo for a in areas)
    )
    files["directory/sites.yml"] = _directory_file(
        "sites.yml", "sites", [_site(s) for s in sites], any(s.demo for s in sites)
    )
    files["directory/services.yml"] = _services_file(
        [_service(s, problems) for s in services], any(s.demo for s in services)
    )
    files["directory/offices.yml"] = _directory_file(
        "offices.yml",
        "offices",
        [_office(o, problems) for o in offices],
        any(o.demo for o in offices),
    )
    files.update(_consent_files())
    return files, problems.items


# --- writing -----------------------------------------------------------------------------


def looks_like_content(folder: Path) -> bool:
    """An empty folder, or one that holds only content folders (and hidden files)."""
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith(".")]
    return all(entry.is_dir() and entry.name in CONTENT_FOLDERS for entry in entries)


def _validation_problems(files: dict[str, str], root: Path) -> list[Problem]:
    """Read the rendered files back as ``content load`` would; problems name ``root``."""
    with tempfile.TemporaryDirectory(prefix="lotse-export-") as scratch:
        staging = Path(scratch)
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            read_content(staging)
        except ContentError as error:
            return [
                Problem(root / problem.path.relative_to(staging), problem.line, problem.message)
                for problem in error.problems
            ]
    return []


def _managed_files(root: Path) -> set[str]:
    """Files below ``root`` that ``content load`` reads, relative to ``root``."""
    patterns = ["topics/*/topic.yml", "topics/*/*.md", "consent/*/*.md"]
    found = {path for pattern in patterns for path in root.glob(pattern) if path.is_file()}
    found |= {root / "directory" / name for name in DIRECTORY_FILES}
    return {PurePosixPath(path.relative_to(root)).as_posix() for path in found if path.exists()}


def _write_if_changed(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write next to the file and rename, so a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)  # mkstemp creates 0600; content files are readable by all
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def _remove_empty_folders(root: Path) -> None:
    for folder_name in ("topics", "consent"):
        folder = root / folder_name
        if folder.is_dir():
            for child in folder.iterdir():
                if child.is_dir() and not any(child.iterdir()):
                    child.rmdir()


def export_content(root: Path, *, content_dir: Path | None = None) -> ExportResult:
    """Write the database's content below ``root``; files of records that are gone are removed.

    ``root`` must be missing, empty, hold only content folders, or be ``content_dir`` (the
    configured content folder). Everything is checked before the first file is written.
    """
    if root.exists() and not root.is_dir():
        raise ExportRefused(f"{root} is not a folder")
    is_content_dir = content_dir is not None and root.resolve() == content_dir.resolve()
    if root.is_dir() and not is_content_dir and not looks_like_content(root):
        raise ExportRefused(
            f"{root} holds other files than content (topics/, directory/, consent/); "
            "choose an empty folder"
        )
    if db.session.scalar(select(models.Topic.id).limit(1)) is None:
        raise ExportRefused("the database holds no content; run `lotse content load` first")
    files, problems = _render(root)
    problems += _validation_problems(files, root)
    if problems:
        raise ContentError(problems)
    result = ExportResult(root=root)
    for relative in sorted(files):
        path = root / relative
        changed = _write_if_changed(path, files[relative])
        (result.written if changed else result.unchanged).append(path)
    for relative in sorted(_managed_files(root) - set(files)):
        path = root / relative
        path.unlink()
        result.removed.append(path)
    _remove_empty_folders(root)
    return result
