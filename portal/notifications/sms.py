"""The adapter point for text messages.

Lotse ships no SMS provider: which one a district uses is a contract question.
To add one, write a class with a ``send(to, text)`` method that raises
``DeliveryError`` on failure, and name it in ``LOTSE_SMS_BACKEND``
(``package.module:ClassName``; it is built with the Flask config as its only
argument). Without a backend, Lotse never queues text messages and never
offers them to clients.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Protocol

from .errors import DeliveryError, PermanentDeliveryError

__all__ = ["DeliveryError", "PermanentDeliveryError", "SmsSender", "load_backend"]


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> None: ...


def load_backend(config: Mapping[str, Any]) -> SmsSender | None:
    spec = config.get("SMS_BACKEND") or ""
    if not spec:
        return None
    module_name, _, class_name = spec.partition(":")
    backend_class = getattr(importlib.import_module(module_name), class_name)
    sender: SmsSender = backend_class(config)
    return sender
