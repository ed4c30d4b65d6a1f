"""Zammad: each summary becomes a ticket with the summary as an internal note.

REST API (docs.zammad.org, "Tickets" and "Ticket Articles"): token authentication,
``POST /api/v1/tickets`` with a first article, later events as further internal
articles on the same ticket. Zammad has no idempotency keys, so the event id is put
in the ticket title and looked up before creating: a retry after a lost response
finds the ticket instead of opening a second one.
"""

from __future__ import annotations

import html
from typing import Any

import httpx

from .base import DeliveryFailed, Handover

TIMEOUT_SECONDS = 20


class ZammadConnector:
    def __init__(
        self,
        url: str,
        token: str,
        group: str,
        customer: str,
        client: httpx.Client | None = None,
    ) -> None:
        self.base = url.rstrip("/") + "/api/v1"
        self.group, self.customer = group, customer
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS)
        self.headers = {"Authorization": f"Token token={token}", "User-Agent": "Lotse/1"}

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, self.base + path, headers=self.headers, **kwargs)
        except httpx.HTTPError as error:
            raise DeliveryFailed(type(error).__name__) from None
        if not response.is_success:
            # 401/403/422: wrong token, group or customer; retrying will not fix it.
            permanent = response.status_code in (401, 403, 404, 422)
            raise DeliveryFailed(f"HTTP {response.status_code}", permanent=permanent)
        return response.json()

    def _article(self, handover: Handover) -> dict[str, Any]:
        return {
            "subject": handover.subject,
            "body": handover.html or f"<p>{_escape(handover.notice)}</p>",
            "content_type": "text/html",
            "type": "note",
            "internal": True,
        }

    def _existing_ticket(self, handover: Handover) -> str | None:
        found = self._request(
            "GET",
            "/tickets/search",
            params={"query": f'title:"{handover.message_id}"', "limit": 1},
        )
        tickets = found if isinstance(found, list) else found.get("tickets", [])
        first = tickets[0] if tickets else None
        return str(first["id"] if isinstance(first, dict) else first) if first else None

    def deliver(self, handover: Handover) -> str | None:
        if handover.earlier_ref:
            article = {**self._article(handover), "ticket_id": int(handover.earlier_ref)}
            self._request("POST", "/ticket_articles", json=article)
            return handover.earlier_ref
        if existing := self._existing_ticket(handover):
            return existing
        ticket = self._request(
            "POST",
            "/tickets",
            json={
                "title": f"{handover.subject} [{handover.message_id}]",
                "group": self.group,
                "customer_id": f"guess:{self.customer}",
                "article": self._article(handover),
            },
        )
        return str(ticket["id"])


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
