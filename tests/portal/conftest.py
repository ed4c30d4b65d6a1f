from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from portal import create_app
from portal.content import load_content
from portal.extensions import db

from . import pg_server

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = PROJECT_ROOT / "content"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


BACKENDS = ["sqlite"] + (["postgresql"] if pg_server.available() else [])
if os.environ.get("CI") and "postgresql" not in BACKENDS:
    raise RuntimeError("CI must test on PostgreSQL too, but initdb/pg_ctl were not found")


def make_app(database_url: str, **extra: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "lotse.test",
            **extra,
        }
    )


@contextlib.contextmanager
def served_on_loopback(app: Flask) -> Iterator[str]:
    """The app behind a real threaded HTTP server on 127.0.0.1, for the browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def reset_schema(app: Flask) -> None:
    """Drop everything, then build the schema with the real Alembic migrations."""
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(PROJECT_ROOT / "portal" / "migrations"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not pg_server.available():
        pytest.skip("PostgreSQL server binaries not installed")
    with pg_server.running_server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lotse.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def empty_app(database_url: str) -> Iterator[Flask]:
    """A fresh, migrated, empty database on each backend."""
    app = make_app(database_url)
    reset_schema(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The portal with all content loaded, shared by the read-only tests (SQLite)."""
    path = tmp_path_factory.mktemp("db") / "lotse.db"
    app = make_app(f"sqlite:///{path}")
    reset_schema(app)
    with app.app_context():
        load_content(CONTENT_DIR)
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def booking_app(empty_app: Flask) -> Iterator[Flask]:
    """Content loaded and two counsellors at the MBE office in Finsterwalde, on each backend:
    one speaks Ukrainian, one Arabic; both are available every day 08:00–18:00."""
    from .booking_support import add_counsellor

    with empty_app.app_context():
        load_content(CONTENT_DIR)
        add_counsellor("uk-counsellor@example.org", ["mbe-finsterwalde"], ["de", "uk", "ru"])
        add_counsellor("ar-counsellor@example.org", ["mbe-finsterwalde"], ["de", "ar"])
    yield empty_app


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fails the test if anything tries to reach the internet (e.g. a model download), even
    if the library swallows the error."""
    attempts: list[tuple[Any, ...]] = []

    def refuse(*args: Any) -> Any:
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield
    assert attempts == []
