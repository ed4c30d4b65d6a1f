"""Real receivers on loopback for hand-over tests and the benchmark.

- ``WebhookReceiver``: an HTTP server that verifies every request with the Standard Webhooks
  reference library, keeps each event once by its ``webhook-id`` and can be told to answer
  503 (down), 410 (gone) or to lose its answer after accepting (a dropped connection).
- ``ZammadServer``: serves Zammad's REST API from a recorded request/response fixture and
  checks every request against the recorded contract (method, path, token, JSON shape).
- ``SMTPInbox``: a real SMTP server (aiosmtpd) that keeps what it receives.
- The JSON schema of the summary, to validate what receivers get.
"""

from __future__ import annotations

import base64
import copy
import email
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiosmtpd.controller import Controller
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = PROJECT_ROOT / "integrations" / "case_system" / "schema" / "intake-summary-v1.json"
ZAMMAD_FIXTURE = Path(__file__).parent / "fixtures" / "zammad" / "create_ticket.json"

SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
_REGISTRY: Registry = Registry().with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))
_FORMATS = Draft202012Validator.FORMAT_CHECKER
SUMMARY_VALIDATOR = Draft202012Validator(SCHEMA, registry=_REGISTRY, format_checker=_FORMATS)
EVENT_VALIDATOR = Draft202012Validator(
    {"$ref": SCHEMA["$id"] + "#/$defs/event"}, registry=_REGISTRY, format_checker=_FORMATS
)


def _problems(validator: Draft202012Validator, instance: Any) -> list[str]:
    return sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(instance)
    )


def assert_valid_summary(document: dict[str, Any]) -> None:
    problems = _problems(SUMMARY_VALIDATOR, document)
    assert not problems, "summary does not match intake-summary-v1.json:\n" + "\n".join(problems)


def assert_valid_event(body: dict[str, Any]) -> None:
    problems = _problems(EVENT_VALIDATOR, body)
    assert not problems, "event does not match $defs/event:\n" + "\n".join(problems)


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver would
    # Headers and body go out in two writes: without this, Nagle's algorithm and the
    # client's delayed ACK add 40 ms to every answer with a body.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self, status: int, body: Any = None) -> None:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _lose_answer(self) -> None:
        """The request was processed, but the answer never reaches the sender."""
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- Standard Webhooks receiver ---------------------------------------------------------------


@dataclass
class Arrival:
    webhook_id: str
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]
    at: float  # time.perf_counter() when it was accepted


@dataclass
class WebhookReceiver:
    """Verifies signatures, keeps each event once by webhook-id, and can fail on demand."""

    secret: str
    url: str = ""
    # Answer with this status instead of accepting (503: down, 410: gone); None: accept.
    answer: int | None = None
    # Accept the next N events, then drop the connection instead of answering.
    lose_answers: int = 0
    # Seconds to take per accepted event (a receiver that does some work).
    delay: float = 0.0
    received: dict[str, Arrival] = field(default_factory=dict)  # accepted, by webhook-id
    repeats: list[str] = field(default_factory=list)  # ids that arrived again after acceptance
    rejected: list[str] = field(default_factory=list)  # signature verification failed
    refused: list[tuple[str, int]] = field(default_factory=list)  # answered with `answer`
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def attempts(self) -> int:
        with self.lock:
            accepted = len(self.received) + len(self.repeats)
            return accepted + len(self.rejected) + len(self.refused)

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [arrival.body for arrival in self.received.values()]

    def handle(self, handler: _QuietHandler) -> None:
        raw = handler._body()
        headers = {key.lower(): value for key, value in handler.headers.items()}
        message_id = headers.get("webhook-id", "")
        with self.lock:
            answer = self.answer
            if answer is not None:
                self.refused.append((message_id, answer))
        if answer is not None:
            handler._answer(answer, {"error": "unavailable" if answer >= 500 else "gone"})
            return
        try:
            body = Webhook(self.secret).verify(raw, headers)
        except WebhookVerificationError:
            with self.lock:
                self.rejected.append(message_id)
            handler._answer(401, {"error": "invalid signature"})
            return
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            if message_id in self.received:
                self.repeats.append(message_id)  # already have it: acknowledge, keep nothing
            else:
                self.received[message_id] = Arrival(
                    message_id, body, raw, headers, time.perf_counter()
                )
            lose = self.lose_answers > 0
            if lose:
                self.lose_answers -= 1
        if lose:
            handler._lose_answer()
        else:
            handler._answer(204)


@contextmanager
def webhook_receiver(secret: str | None = None) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(secret or new_webhook_secret())

    class Handler(_QuietHandler):
        def do_POST(self) -> None:
            receiver.handle(self)

    with _serving(Handler) as server:
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}/lotse/events"
        yield receiver


# --- Zammad, from a recorded contract -----------------------------------------------------------


def zammad_contract() -> dict[str, Any]:
    contract: dict[str, Any] = json.loads(ZAMMAD_FIXTURE.read_text(encoding="utf-8"))
    return contract


@dataclass
class ZammadServer:
    """Zammad's ticket API as recorded: checks each request, answers with the recording."""

    contract: dict[str, Any]
    url: str = ""
    # Create the next ticket, then drop the connection (the answer is lost on the way).
    lose_next_create_answer: bool = False
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> request body
    articles: list[dict[str, Any]] = field(default_factory=list)  # POST /ticket_articles bodies
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    violations: list[str] = field(default_factory=list)
    unauthorized: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token(self) -> str:
        return str(self.contract["token"])

    def _interaction(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for name, interaction in self.contract["interactions"].items():
            request = interaction["request"]
            if request["method"] == method and request["path"] == path:
                return name, interaction
        return None

    def _check(self, name: str, schema: dict[str, Any] | None, instance: Any) -> bool:
        if schema is None:
            return True
        problems = _problems(Draft202012Validator(schema), instance)
        self.violations += [f"{name}: {problem}" for problem in problems]
        return not problems

    def handle(self, handler: _QuietHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        raw = handler._body()
        with self.lock:
            self.requests.append((method, parts.path))
            found = self._interaction(method, parts.path)
            if found is None:
                self.violations.append(f"unrecorded request {method} {parts.path}")
                handler._answer(404, {"error": "No route matches"})
                return
            name, interaction = found
            request = interaction["request"]
            for header, expected in request.get("headers", {}).items():
                if header == "Authorization":
                    continue
                if not (handler.headers.get(header) or "").startswith(expected):
                    self.violations.append(f"{name}: header {header} is not {expected!r}")
            if handler.headers.get("Authorization") != request["headers"]["Authorization"]:
                self.unauthorized += 1
                recorded = self.contract["interactions"]["unauthorized"]["response"]
                handler._answer(recorded["status"], recorded["body"])
                return
            query = dict(parse_qsl(parts.query))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            if not (
                self._check(name, request.get("query_schema"), query)
                and self._check(name, request.get("body_schema"), body)
            ):
                handler._answer(422, {"error": "invalid request"})
                return
            status, answer, lose = self._respond(name, interaction, query, body)
        if lose:
            handler._lose_answer()
        else:
            handler._answer(status, answer)

    def _respond(
        self, name: str, interaction: dict[str, Any], query: dict[str, str], body: Any
    ) -> tuple[int, Any, bool]:
        if name == "search_tickets":
            match = re.fullmatch(r'title:"(.+)"', query["query"])
            wanted = match.group(1) if match else ""
            ids = [i for i, ticket in self.tickets.items() if wanted in ticket["title"]]
            recorded = interaction["responses"]["found" if ids else "none"]
            answer = copy.deepcopy(recorded["body"])
            if ids:
                template = next(iter(answer["assets"]["Ticket"].values()))
                answer["tickets"] = ids[:1]
                answer["assets"]["Ticket"] = {
                    str(i): {**template, "id": i, "title": self.tickets[i]["title"]}
                    for i in ids[:1]
                }
            return recorded["status"], answer, False
        recorded = interaction["response"]
        answer = copy.deepcopy(recorded["body"])
        if name == "create_ticket":
            ticket_id = answer["id"] + len(self.tickets)
            self.tickets[ticket_id] = body
            answer.update(id=ticket_id, number=str(int(answer["number"]) + len(self.tickets) - 1))
            answer["title"] = body["title"]
            lose, self.lose_next_create_answer = self.lose_next_create_answer, False
            return recorded["status"], answer, lose
        # create_article
        if body["ticket_id"] not in self.tickets:
            self.violations.append(f"create_article: unknown ticket {body['ticket_id']}")
            return 404, {"error": "Couldn't find Ticket"}, False
        self.articles.append(body)
        answer.update(
            id=answer["id"] + len(self.articles) - 1,
            ticket_id=body["ticket_id"],
            subject=body["subject"],
            body=body["body"],
            internal=body["internal"],
        )
        return recorded["status"], answer, False


@contextmanager
def zammad_server() -> Iterator[ZammadServer]:
    zammad = ZammadServer(zammad_contract())

    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            zammad.handle(self, "GET")

        def do_POST(self) -> None:
            zammad.handle(self, "POST")

    with _serving(Handler) as server:
        zammad.url = f"http://127.0.0.1:{server.server_address[1]}"
        yield zammad


# --- SMTP -------------------------------------------------------------------------------------


class SMTPInbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if str(m["To"]) == address]


@contextmanager
def smtp_server() -> Iterator[tuple[SMTPInbox, int]]:
    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
