"""Sending one e-mail through SMTP (standard library; the queue does the retrying)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from .errors import DeliveryError, PermanentDeliveryError

# Reserved top-level domain (RFC 2606): demo addresses there can never receive mail.
UNDELIVERABLE_SUFFIX = ".invalid"
TIMEOUT_SECONDS = 20


def is_reserved_address(address: str) -> bool:
    return address.rstrip(">").lower().endswith(UNDELIVERABLE_SUFFIX)


def build_message(
    config: Mapping[str, Any], payload: Mapping[str, str], language: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Message-ID"] = make_msgid(domain="lotse")
    message.set_content(payload["text"])
    if calendar := payload.get("calendar"):
        message.add_attachment(
            calendar.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            filename="appointment.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    # Set last: turning the message into multipart moves Content-* headers into a part.
    message["Content-Language"] = language
    return message


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    host, port, security = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_SECURITY"]
    if security == "ssl":
        return smtplib.SMTP_SSL(
            host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    connection = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
    if security == "starttls":
        connection.starttls(context=ssl.create_default_context())
    return connection


def send(config: Mapping[str, Any], message: EmailMessage) -> None:
    try:
        with _connect(config) as connection:
            if config["SMTP_USERNAME"]:
                connection.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            connection.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        if all(500 <= code < 600 for code in codes):
            raise PermanentDeliveryError(f"recipient refused ({codes})") from None
        raise DeliveryError(f"recipient deferred ({codes})") from None
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(f"SMTP {error.smtp_code}") from None
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(type(error).__name__) from None
