"""The topic edit form: raw form values ↔ revision data, checked like the content files.

A revision must always be writable back to ``content/`` (``lotse content export``), so the
form applies the rules of ``TopicFrontMatter`` and the body rules of the content reader.
Markdown is stored as written; HTML is made from it only by ``portal.markdown.render``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from ..content.schema import TopicFrontMatter
from ..text import strip_control_characters

FORM_FIELDS = ("title", "summary", "body_md", "keywords", "sources", "last_reviewed")
TITLE_MAX = 80
SUMMARY_MAX = 300
SOURCE_TITLE_MAX = 200
BODY_MAX = 50_000  # far above any topic text; stops pasting a whole book by mistake
KEYWORD_MAX = 80
_SPACES = re.compile(r"\s+")


@dataclass
class TopicForm:
    """What the editor typed (``values``, always kept), and the data if it is valid."""

    values: dict[str, str]
    minor: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] | None = None


def one_line(text: str) -> str:
    """A single-line field: no control or bidi-override characters, no line breaks."""
    return _SPACES.sub(" ", strip_control_characters(text)).strip()


def clean_body(text: str) -> str:
    """The Markdown body as written, minus control characters; Unix line ends."""
    return strip_control_characters(text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def values_from_data(data: dict[str, Any] | None) -> dict[str, str]:
    """Form values for stored revision data (empty for a translation not yet written)."""
    if not data:
        return {name: "" for name in FORM_FIELDS}
    return {
        "title": data.get("title", ""),
        "summary": data.get("summary", ""),
        "body_md": data.get("body_md", ""),
        "keywords": ", ".join(data.get("keywords", [])),
        "sources": "\n".join(
            f"{source['title']} | {source['url']}" for source in data.get("sources", [])
        ),
        "last_reviewed": data.get("last_reviewed", ""),
    }


def read_form(form: MultiDict[str, str]) -> TopicForm:
    """Read and check the submitted form; ``data`` is set only if everything is valid."""
    values = {name: form.get(name, "") for name in FORM_FIELDS}
    result = TopicForm(values=values, minor=form.get("minor") == "1")
    title, summary = one_line(values["title"]), one_line(values["summary"])
    body = clean_body(values["body_md"])
    keywords = _keywords(values["keywords"], result.errors)
    sources = _sources(values["sources"], result.errors)
    _check_body(body, result.errors)
    front = {
        "title": title,
        "summary": summary,
        "last_reviewed": values["last_reviewed"].strip(),
        "keywords": keywords,
        "sources": sources,
    }
    try:
        checked = TopicFrontMatter.model_validate(front)
    except ValidationError as error:
        for issue in error.errors():
            _explain(issue, result.errors)
        return result
    if result.errors:
        return result
    result.data = {
        "title": checked.title,
        "summary": checked.summary,
        "body_md": body,
        "keywords": list(checked.keywords),
        # Normalised as the content loader stores them (pydantic's URL form).
        "sources": [{"title": s.title, "url": str(s.url)} for s in checked.sources],
        "last_reviewed": checked.last_reviewed.isoformat(),
    }
    return result


def _keywords(raw: str, errors: dict[str, str]) -> list[str]:
    # Arabic and Persian keyboards type the Arabic comma (U+060C).
    words = [one_line(word) for word in re.split(r"[,\u060c\n]", raw)]
    unique = list(dict.fromkeys(word for word in words if word))
    if any(len(word) > KEYWORD_MAX for word in unique):
        errors["keywords"] = _("A keyword has at most %(max)d characters.", max=KEYWORD_MAX)
    return unique


def _sources(raw: str, errors: dict[str, str]) -> list[dict[str, str]]:
    sources = []
    for number, line in enumerate(raw.splitlines(), start=1):
        line = one_line(line)
        if not line:
            continue
        title, bar, url = line.rpartition("|")
        if not bar or not title.strip():
            errors.setdefault(
                "sources",
                _('Line %(number)d: write the title, then " | ", then the address.', number=number),
            )
            continue
        sources.append({"title": title.strip(), "url": url.strip()})
    return sources


def _check_body(body: str, errors: dict[str, str]) -> None:
    if not body:
        errors["body_md"] = _("Enter the text.")
    elif len(body) > BODY_MAX:
        errors["body_md"] = _("The text has at most %(max)d characters.", max=BODY_MAX)
    elif any(line.startswith("# ") for line in body.splitlines()):
        errors["body_md"] = _('Use "## " for headings; the title is the page heading.')


def _explain(issue: Any, errors: dict[str, str]) -> None:
    """A translated message for one pydantic problem, on the form field it concerns."""
    location = issue["loc"]
    name, kind = location[0], issue["type"]
    if name in errors:
        return
    if name == "title":
        errors[name] = (
            _("Enter a title.")
            if kind == "string_too_short"
            else _("The title has at most %(max)d characters.", max=TITLE_MAX)
        )
    elif name == "summary":
        errors[name] = (
            _("Enter a summary.")
            if kind == "string_too_short"
            else _("The summary has at most %(max)d characters.", max=SUMMARY_MAX)
        )
    elif name == "last_reviewed":
        errors[name] = _("Enter the date as YYYY-MM-DD, e.g. %(example)s.", example=_today())
    elif name == "sources":
        errors[name] = _source_message(location, kind)
    else:
        errors[str(name)] = _("This value is not valid.")


def _source_message(location: tuple[Any, ...], kind: str) -> str:
    if len(location) == 1:
        return _("Add at least one official source.")
    number = int(location[1]) + 1
    if location[-1] == "title":
        return _(
            "Source %(number)d: the title has at most %(max)d characters.",
            number=number,
            max=SOURCE_TITLE_MAX,
        )
    return _("Source %(number)d: the address must be a full https:// address.", number=number)


def _today() -> str:
    return dt.date.today().isoformat()
