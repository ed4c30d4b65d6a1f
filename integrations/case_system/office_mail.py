"""E-mail to the office mailbox.

Mail is not end-to-end protected, so the body carries only a notice: the event, the
appointment and a link to the summary in Lotse's counsellor inbox – never
special-category data or the client's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid

from .base import DeliveryFailed, Handover

Sender = Callable[[EmailMessage], None]


class EmailConnector:
    def __init__(self, to: str, sender: str, send: Sender) -> None:
        self.to, self.sender, self.send = to, sender, send

    def message(self, handover: Handover) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to
        message["Subject"] = handover.subject
        message["Message-ID"] = make_msgid(domain="lotse")
        # Lets a mail rule or ticket system recognise repeats of the same event.
        message["X-Lotse-Event-Id"] = handover.message_id
        message.set_content(handover.notice)
        message["Content-Language"] = "de"
        return message

    def deliver(self, handover: Handover) -> str | None:
        try:
            self.send(self.message(handover))
        except DeliveryFailed:
            raise
        except Exception as error:  # the mail layer's own errors, e.g. SMTP or OS errors
            raise DeliveryFailed(type(error).__name__) from None
        return None
