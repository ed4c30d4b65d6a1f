import re

from flask import Flask

from portal.cli import create_user
from portal.constants import Role

from .conftest import make_app, reset_schema


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "login form carries a CSRF token"
    return match.group(1)


def staff_app(tmp_path, **extra: object) -> Flask:  # type: ignore[no-untyped-def]
    app = make_app(f"sqlite:///{tmp_path / 'staff.db'}", WTF_CSRF_ENABLED=True, **extra)
    reset_schema(app)
    with app.app_context():
        create_user("editor@example.org", "Eda Editor", Role.EDITOR, "correct horse battery")
    return app


def test_login_and_logout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = staff_app(tmp_path).test_client()
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login",
        data={
            "email": "Editor@Example.org ",
            "password": "correct horse battery",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    home = client.get("/staff/").get_data(as_text=True)
    assert "Eda Editor" in home
    token = csrf_token(home)
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302  # back to the login page


def test_wrong_password_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = staff_app(tmp_path).test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login",
        data={"email": "editor@example.org", "password": "wrong", "csrf_token": token},
    )
    assert response.status_code == 200
    assert "E-mail address or password is wrong." in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_post_without_csrf_token_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = staff_app(tmp_path).test_client()
    response = client.post(
        "/staff/login", data={"email": "editor@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_password_is_stored_as_argon2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import StaffUser

    app = staff_app(tmp_path)
    with app.app_context():
        user = db.session.scalar(select(StaffUser))
        assert user is not None and user.password_hash.startswith("$argon2id$")


def test_login_is_rate_limited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = staff_app(tmp_path, RATELIMIT_ENABLED=True).test_client()
    statuses = []
    for _ in range(12):
        token = csrf_token(client.get("/staff/login").get_data(as_text=True))
        statuses.append(
            client.post(
                "/staff/login",
                data={"email": "x@example.org", "password": "nope", "csrf_token": token},
            ).status_code
        )
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429


def test_session_cookie_is_secure_by_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = staff_app(tmp_path, SESSION_COOKIE_SECURE=True)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
