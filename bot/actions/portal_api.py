"""The portal's JSON API: the assistant's only source of content, services, slots and bookings."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = aiohttp.ClientTimeout(total=10)


class PortalUnavailable(Exception):
    """The portal did not answer (down, timeout, 5xx); the client is told and nothing is lost."""


def base_url() -> str:
    return os.environ.get("LOTSE_PORTAL_URL", "http://127.0.0.1:5000").rstrip("/")


def bot_secret() -> str:
    """The shared bearer secret: the environment, else the portal's instance file."""
    if value := os.environ.get("LOTSE_BOT_API_SECRET"):
        return value
    path = Path(os.environ.get("LOTSE_INSTANCE_PATH", REPO / "instance")) / "bot_api_secret"
    try:
        return path.read_text().strip()
    except OSError:
        return ""


async def request(
    method: str,
    path: str,
    lang: str,
    params: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) of one API call; 4xx answers are returned, not raised."""
    headers = {"Authorization": f"Bearer {bot_secret()}", "Accept": "application/json"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    query = {"lang": lang, **{k: v for k, v in (params or {}).items() if v not in (None, "")}}
    url = f"{base_url()}/api/v1{path}"
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.request(method, url, params=query, json=body, headers=headers) as response,
        ):
            payload = await response.json(content_type=None)
            status = response.status
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        # The URL path may contain a booking token: log the path template only.
        logger.warning(
            "portal API %s %s failed: %s", method, path.split("/")[1], type(error).__name__
        )
        raise PortalUnavailable() from error
    if status >= 500:
        logger.warning("portal API %s %s answered %s", method, path.split("/")[1], status)
        raise PortalUnavailable()
    return status, payload if isinstance(payload, dict) else {}


async def get(path: str, lang: str, **params: Any) -> dict[str, Any]:
    status, payload = await request("GET", path, lang, params=params)
    if status >= 400:
        raise LookupError(status)
    return payload
