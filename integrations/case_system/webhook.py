"""Signed webhook following the Standard Webhooks specification (standardwebhooks.com).

Headers ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (HMAC-SHA256
over id, timestamp and body), so receivers verify with any off-the-shelf library.
The id stays the same on every retry; the timestamp is fresh, because receivers
reject old timestamps to stop replays.
"""

from __future__ import annotations

import datetime as dt
import json

import httpx
from standardwebhooks import Webhook

from .base import DeliveryFailed, Handover

TIMEOUT_SECONDS = 15
# The receiver says this endpoint is gone for good: retrying would never help.
PERMANENT_STATUSES = frozenset({410})


class WebhookConnector:
    def __init__(self, url: str, secret: str, client: httpx.Client | None = None) -> None:
        self.url, self.signer = url, Webhook(secret)
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS)

    def deliver(self, handover: Handover) -> str | None:
        body = json.dumps(handover.payload, ensure_ascii=False, separators=(",", ":"))
        now = dt.datetime.now(dt.UTC)
        headers = {
            "webhook-id": handover.message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self.signer.sign(handover.message_id, now, body),
            "content-type": "application/json; charset=utf-8",
            "user-agent": "Lotse-Webhooks/1",
        }
        try:
            response = self.client.post(self.url, content=body.encode("utf-8"), headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryFailed(type(error).__name__) from None
        if response.is_success:
            return None
        raise DeliveryFailed(
            f"HTTP {response.status_code}", permanent=response.status_code in PERMANENT_STATUSES
        )
