"""How services and offices are shown in the chat: address, phone, opening hours, open now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .common import Reply
from .texts import N_

WEEKDAYS = {
    "mo": N_("Mon"),
    "tu": N_("Tue"),
    "we": N_("Wed"),
    "th": N_("Thu"),
    "fr": N_("Fri"),
    "sa": N_("Sat"),
    "su": N_("Sun"),
}
DEMO_NOTE = N_("(demo data – not a real contact)")


def _hours(reply: Reply, office: dict[str, Any]) -> str:
    parts = [
        f"{reply.t(WEEKDAYS.get(h['day'], h['day']))} {h['opens']}–{h['closes']}"
        for h in office.get("opening_hours") or []
    ]
    return ", ".join(parts) or reply.t("by appointment only")


def _local_time(value: str) -> str:
    return dt.datetime.fromisoformat(value).strftime("%d.%m. %H:%M")


def office_lines(reply: Reply, office: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """The text about one office and its tappable links (never for invented demo numbers)."""
    address = office.get("address") or {}
    lines = [f"📍 {office['name']}"]
    if address.get("street"):
        lines.append(
            f"   {address['street']}, {address.get('postal_code') or ''} "
            f"{address.get('city') or ''}".rstrip()
        )
    links: list[dict[str, str]] = []
    if office.get("phone"):
        lines.append(f"   ☎ {office['phone']}")
        if not office.get("demo"):
            links.append(
                {
                    "title": f"☎ {office['phone']}",
                    "href": "tel:" + "".join(c for c in office["phone"] if c.isdigit() or c == "+"),
                }
            )
    if office.get("email"):
        lines.append(f"   ✉ {office['email']}")
    lines.append("   " + reply.t("Opening hours: {hours}", hours=_hours(reply, office)))
    if office.get("open_now"):
        lines.append("   " + reply.t("Open now."))
    elif office.get("next_opening"):
        lines.append(
            "   " + reply.t("Closed now; opens {time}.", time=_local_time(office["next_opening"]))
        )
    if office.get("demo"):
        lines.append("   " + reply.t(DEMO_NOTE))
    return "\n".join(lines), links


def service_text(
    reply: Reply, service: dict[str, Any], area: str = "", max_offices: int = 2
) -> tuple[str, list[dict[str, str]]]:
    offices = service.get("offices") or []
    if area:
        offices = [o for o in offices if o.get("area") in (area, None)] or offices
    parts = [f"{service['name']}: {service.get('short') or ''}".strip()]
    links: list[dict[str, str]] = []
    for office in offices[:max_offices]:
        text, office_links = office_lines(reply, office)
        parts.append(text)
        links += office_links
    if service.get("url"):
        parts.append(reply.t("More: {url}", url=service["url"]))
    return "\n".join(parts), links
