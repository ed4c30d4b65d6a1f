"""The editors' workspace: topics and translations, the service directory, consent texts."""

from __future__ import annotations

from flask import Blueprint

from ..i18n import use_preferred_language

bp = Blueprint("editor", __name__, url_prefix="/staff/editor")


bp.before_request(use_preferred_language)


# Importing the modules registers the record adapters (topic_records, directory_records)
# and the views.
from . import (  # noqa: E402,F401
    consents,
    directory,
    directory_records,
    machine_drafts,
    revision_views,
    topic_records,
    topics,
    views_common,
)
