"""Reads and validates ``content/``. Nothing here touches the database.

Every problem is reported with the file and line it comes from, so an editor
can fix it without reading a stack trace.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..constants import LANGUAGES, SOURCE_LANGUAGE, TOPIC_SLUGS, ConsentPurpose
from . import schema

Model = TypeVar("Model", bound=BaseModel)
LinePath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class TopicFile:
    lang: str
    front: schema.TopicFrontMatter
    body: str
    path: Path


@dataclass
class TopicContent:
    meta: schema.TopicMeta
    files: dict[str, TopicFile]
    path: Path


@dataclass
class ConsentFile:
    purpose: ConsentPurpose
    lang: str
    front: schema.ConsentFrontMatter
    body: str
    version: str  # content hash: any edit of the words is a new version


def consent_version(title: str, label: str, body: str) -> str:
    """The version of a consent text: a hash of the words a client sees, not of the file.

    Quoting, line wrapping or comments in the front matter and blank lines around the body
    do not change it, so ``content export`` followed by ``content load`` keeps every
    version and nobody is asked to agree again to the same words. (Until issue 6 the
    version hashed the raw file; see ``_load_consent_texts`` for what that means for a
    database loaded before.)
    """
    canonical = json.dumps(
        [title, label, body.replace("\r\n", "\n").strip()],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass
class Content:
    topics: list[TopicContent] = field(default_factory=list)
    consents: list[ConsentFile] = field(default_factory=list)
    areas: list[schema.Area] = field(default_factory=list)
    sites: list[schema.Site] = field(default_factory=list)
    services: list[schema.Service] = field(default_factory=list)
    offices: list[schema.Office] = field(default_factory=list)


def _line_map(node: yaml.Node, path: LinePath = ()) -> Iterator[tuple[LinePath, int]]:
    """Yield (path, 1-based line) for every node of a composed YAML document."""
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield from _line_map(value_node, (*path, key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _line_map(item, (*path, index))


def _line_for(lines: dict[LinePath, int], loc: LinePath) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def parse(
        self, text: str, model: type[Model], path: Path, line_offset: int = 0
    ) -> Model | None:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data: Any = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 + line_offset if mark else None
            problem = getattr(error, "problem", None) or str(error)
            self.problem(path, line, f"YAML syntax error: {problem}")
            return None
        if node is None or not isinstance(data, dict):
            self.problem(path, 1 + line_offset, "expected a YAML mapping")
            return None
        lines = dict(_line_map(node))
        try:
            return model.model_validate(data)
        except ValidationError as error:
            for issue in error.errors():
                loc = tuple(issue["loc"])
                line = _line_for(lines, loc)
                field_name = ".".join(str(part) for part in loc) or "(document)"
                self.problem(
                    path, line + line_offset if line else None, f"{field_name}: {issue['msg']}"
                )
            return None

    def split_front_matter(
        self, path: Path, text: str, model: type[Model]
    ) -> tuple[Model | None, str]:
        """Front matter (validated) and body of a Markdown file; problems are recorded."""
        if not text.startswith("---\n"):
            self.problem(path, 1, "the file starts with '---' and YAML front matter")
            return None, ""
        end = text.find("\n---\n", 4)
        if end == -1:
            self.problem(path, 1, "front matter is not closed with a '---' line")
            return None, ""
        front = self.parse(text[4:end], model, path, line_offset=1)
        body = text[end + 5 :].strip()
        body_first_line = text[: end + 5].count("\n") + 1
        if not body:
            self.problem(path, body_first_line, "the body is empty")
        for number, line in enumerate(text[end + 5 :].splitlines(), start=body_first_line):
            if line.startswith("# "):
                self.problem(path, number, "use '## ' headings; the title comes from front matter")
        return front, body

    def read_topic_file(self, path: Path, lang: str) -> TopicFile | None:
        text = path.read_text(encoding="utf-8")
        front, body = self.split_front_matter(path, text, schema.TopicFrontMatter)
        if front is None or not body:
            return None
        if lang == SOURCE_LANGUAGE and front.translation_of is not None:
            self.problem(path, None, "the German source has no translation_of")
        if lang != SOURCE_LANGUAGE and front.translation_of is None:
            self.problem(path, None, "a translation names the German revision in translation_of")
        return TopicFile(lang=lang, front=front, body=body, path=path)

    def read_topic(self, folder: Path) -> TopicContent | None:
        meta_path = folder / "topic.yml"
        if not meta_path.exists():
            self.problem(meta_path, None, "missing topic.yml")
            return None
        meta = self.parse(meta_path.read_text(encoding="utf-8"), schema.TopicMeta, meta_path)
        if meta is not None and meta.slug != folder.name:
            self.problem(meta_path, 1, f"slug '{meta.slug}' differs from folder '{folder.name}'")
        files: dict[str, TopicFile] = {}
        for lang in LANGUAGES:
            path = folder / f"{lang}.md"
            if not path.exists():
                self.problem(path, None, f"missing the {lang} text of this topic")
                continue
            topic_file = self.read_topic_file(path, lang)
            if topic_file is not None:
                files[lang] = topic_file
        for extra in sorted(folder.glob("*.md")):
            if extra.stem not in LANGUAGES:
                self.problem(extra, None, f"unknown language '{extra.stem}'")
        if meta is None:
            return None
        for lang, topic_file in files.items():
            revision = topic_file.front.translation_of
            if lang != SOURCE_LANGUAGE and revision is not None and revision > meta.revision:
                self.problem(
                    topic_file.path,
                    None,
                    f"translation_of {revision} is newer than the German revision {meta.revision}",
                )
        return TopicContent(meta=meta, files=files, path=folder)

    def read_consents(self, folder: Path) -> list[ConsentFile]:
        found = []
        for purpose in ConsentPurpose:
            for lang in LANGUAGES:
                path = folder / purpose.value / f"{lang}.md"
                if not path.exists():
                    self.problem(path, None, f"missing the {lang} consent text for {purpose}")
                    continue
                text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
                front, body = self.split_front_matter(path, text, schema.ConsentFrontMatter)
                if front is not None and body:
                    version = consent_version(front.title, front.label, body)
                    found.append(ConsentFile(purpose, lang, front, body, version))
        return found

    def read_directory_file(self, path: Path, model: type[Model]) -> Model | None:
        if not path.exists():
            self.problem(path, None, "missing file")
            return None
        return self.parse(path.read_text(encoding="utf-8"), model, path)


def _check_links(reader: _Reader, root: Path, content: Content) -> None:
    directory = root / "directory"
    area_slugs = {area.slug for area in content.areas}
    service_slugs = {service.slug for service in content.services}

    def unique(items: list[Any], path: Path, what: str) -> None:
        seen: set[str] = set()
        for item in items:
            if item.slug in seen:
                reader.problem(path, None, f"{what} slug '{item.slug}' is used twice")
            seen.add(item.slug)

    unique(content.areas, directory / "areas.yml", "area")
    unique(content.sites, directory / "sites.yml", "site")
    unique(content.services, directory / "services.yml", "service")
    unique(content.offices, directory / "offices.yml", "office")
    for site in content.sites:
        if site.area is not None and site.area not in area_slugs:
            reader.problem(
                directory / "sites.yml", None, f"site '{site.slug}': unknown area '{site.area}'"
            )
    for service in content.services:
        for rule in service.eligibility:
            for area in rule.areas or []:
                if area not in area_slugs:
                    reader.problem(
                        directory / "services.yml",
                        None,
                        f"service '{service.slug}': unknown area '{area}' in eligibility",
                    )
    for office in content.offices:
        if office.service not in service_slugs:
            reader.problem(
                directory / "offices.yml",
                None,
                f"office '{office.slug}': unknown service '{office.service}'",
            )
        if office.area is not None and office.area not in area_slugs:
            reader.problem(
                directory / "offices.yml",
                None,
                f"office '{office.slug}': unknown area '{office.area}'",
            )
    present = {topic.meta.slug for topic in content.topics}
    for slug in TOPIC_SLUGS:
        if slug not in present and not (root / "topics" / slug).exists():
            reader.problem(root / "topics" / slug, None, "missing topic folder")
    for topic in content.topics:
        meta_path = topic.path / "topic.yml"
        for service_slug in topic.meta.services:
            if service_slug not in service_slugs:
                reader.problem(meta_path, None, f"unknown service '{service_slug}'")


def read_content(root: Path) -> Content:
    """Read and validate everything below ``root``; raise ContentError listing all problems."""
    reader = _Reader()
    content = Content()
    if not root.is_dir():
        raise ContentError([Problem(root, None, "content folder not found")])
    topics_dir = root / "topics"
    for folder in (
        sorted(p for p in topics_dir.iterdir() if p.is_dir()) if topics_dir.is_dir() else []
    ):
        topic = reader.read_topic(folder)
        if topic is not None:
            content.topics.append(topic)
    content.consents = reader.read_consents(root / "consent")
    directory = root / "directory"
    areas = reader.read_directory_file(directory / "areas.yml", schema.AreasFile)
    sites = reader.read_directory_file(directory / "sites.yml", schema.SitesFile)
    services = reader.read_directory_file(directory / "services.yml", schema.ServicesFile)
    offices = reader.read_directory_file(directory / "offices.yml", schema.OfficesFile)
    content.areas = areas.areas if areas else []
    content.sites = sites.sites if sites else []
    content.services = services.services if services else []
    content.offices = offices.offices if offices else []
    # Cross-references are checked only when the files they point into could be read,
    # so one broken file does not drown the report in follow-up errors.
    if areas is not None and services is not None:
        _check_links(reader, root, content)
    if reader.problems:
        raise ContentError(reader.problems)
    content.topics.sort(key=lambda topic: topic.meta.position)
    return content
