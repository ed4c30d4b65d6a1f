"""Absolute links for places without a request: e-mails, jobs and the assistant's API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc or "localhost", script_name=parts.path or "/")
    return f"{parts.scheme}://{parts.netloc}{adapter.build(endpoint, values)}"
