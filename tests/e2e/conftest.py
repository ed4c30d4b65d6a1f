"""The whole system for end-to-end tests: the portal (gunicorn, SQLite with content and demo
data), Rasa with the model `make test` trains, and the action server – three real processes
on free loopback ports, talking over HTTP exactly as in `make run`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PORTAL_BIN = ROOT / ".venv" / "portal" / "bin"
BOT_BIN = ROOT / ".venv" / "bot" / "bin"
MODEL = ROOT / "bot" / "models" / "lotse.tar.gz"
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not start:\n{log.read_text()[-3000:]}")


@dataclass
class System:
    portal: str
    rasa: str
    env: dict[str, str]
    logs: Path


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    assert MODEL.exists(), "train first: make test trains bot/models/lotse.tar.gz"
    work = tmp_path_factory.mktemp("e2e")
    ports = {name: free_port() for name in ("portal", "rasa", "actions")}
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'portal.db'}",
        "LOTSE_BOT_API_SECRET": "e2e-shared-secret-0123456789",
        "LOTSE_SECRET_KEY": "e2e-secret-key",
        "LOTSE_INSECURE_COOKIES": "1",
        "LOTSE_PUBLIC_URL": f"http://127.0.0.1:{ports['portal']}",
        "LOTSE_PORTAL_URL": f"http://127.0.0.1:{ports['portal']}",
        "LOTSE_RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "LOTSE_ACTIONS_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
        "LOTSE_CHAT_TRACKER_DB": str(work / "tracker.db"),
        "LOTSE_CHAT_RATE_LIMIT": "1000/minute",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    for command in (["db", "upgrade"], ["content", "load"], ["demo-data"]):
        subprocess.run(
            [str(PORTAL_BIN / "lotse"), *command], env=env, check=True, capture_output=True
        )
    commands = {
        "portal": (
            [
                str(PORTAL_BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{ports['portal']}",
                "--workers",
                "2",
                "--threads",
                "4",
                "portal:create_app()",
            ],
            ROOT,
            f"http://127.0.0.1:{ports['portal']}/healthz",
        ),
        "actions": (
            [
                str(BOT_BIN / "rasa"),
                "run",
                "actions",
                "--port",
                str(ports["actions"]),
                "--actions",
                "actions",
            ],
            ROOT / "bot",
            f"http://127.0.0.1:{ports['actions']}/health",
        ),
        "rasa": (
            [
                str(BOT_BIN / "rasa"),
                "run",
                "--enable-api",
                "--interface",
                "127.0.0.1",
                "--port",
                str(ports["rasa"]),
                "--model",
                str(MODEL),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
            ],
            ROOT / "bot",
            f"http://127.0.0.1:{ports['rasa']}/status",
        ),
    }
    processes = []
    try:
        for name, (command, cwd, _url) in commands.items():
            log = work / f"{name}.log"
            processes.append(
                subprocess.Popen(
                    command, cwd=cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
                )
            )
        for process, (name, (_command, _cwd, url)) in zip(processes, commands.items(), strict=True):
            wait_for(url, process, work / f"{name}.log")
        yield System(
            f"http://127.0.0.1:{ports['portal']}", f"http://127.0.0.1:{ports['rasa']}", env, work
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


class _ChatPage(HTMLParser):
    """The turns and buttons of a rendered conversation."""

    def __init__(self) -> None:
        super().__init__()
        self.turns: list[tuple[str, str]] = []  # (who, text)
        self.buttons: list[tuple[str, str]] = []  # (title, payload)
        self.links: list[str] = []
        self._who: str | None = None
        self._button: str | None = None
        self._text: list[str] = []
        self._hidden = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = values.get("class") or ""
        if tag == "li" and "chat__turn" in classes:
            self._who, self._text = ("client" if "--client" in classes else "bot"), []
        elif tag == "button" and values.get("name") == "payload":
            self._button, self._text = values.get("value") or "", []
        elif tag == "a" and self._who:
            self.links.append(values.get("href") or "")
        elif tag == "span" and "visually-hidden" in classes:
            self._hidden = True  # "Lotse:" / "You:" for screen readers

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._hidden = False
        if tag == "li" and self._who:
            self.turns.append((self._who, " ".join("".join(self._text).split())))
            self._who = None
        elif tag == "button" and self._button is not None:
            self.buttons.append((" ".join("".join(self._text).split()), self._button))
            self._button = None

    def handle_data(self, data: str) -> None:
        if (self._who or self._button is not None) and not self._hidden:
            self._text.append(data)


@dataclass
class Chat:
    """A client on a phone: one browser session talking to /{lang}/chat."""

    base: str
    lang: str
    client: httpx.Client = field(init=False)
    page: _ChatPage = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.base, timeout=60)
        self.page = self._parse(self.client.get(f"/{self.lang}/chat").text)

    @staticmethod
    def _parse(html: str) -> _ChatPage:
        page = _ChatPage()
        page.feed(html)
        return page

    def _token(self) -> str:
        html = self.client.get(f"/{self.lang}/chat").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, "no CSRF token on the chat page"
        return match.group(1)

    def post(self, data: dict[str, str], json: bool = True) -> httpx.Response:
        headers = {"Accept": "application/json"} if json else {}
        return self.client.post(
            f"/{self.lang}/chat", data={"csrf_token": self._token(), **data}, headers=headers
        )

    def say(self, text: str) -> list[str]:
        """Send a message; the assistant's answers to it."""
        return self._answers(self.post({"message": text}))

    def press(self, title_part: str) -> list[str]:
        """Press the offered button whose title contains the text (or equals the payload)."""
        for title, payload in self.page.buttons:
            if title_part in title or title_part == payload:
                return self._answers(self.post({"payload": payload}))
        raise AssertionError(f"no button {title_part!r} in {self.page.buttons}")

    def _answers(self, response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text[:500]
        self.page = self._parse(response.json()["html"])
        # The answers after the client's latest turn.
        last_client = max(
            (i for i, (who, _) in enumerate(self.page.turns) if who == "client"), default=-1
        )
        return [text for who, text in self.page.turns[last_client + 1 :] if who == "bot"]
