"""Staff security: TOTP enrolment and codes, recovery codes, account locks, password resets by
an admin, the audit log and its admin page."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.cli import create_user, main
from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent, StaffUser, utcnow

from .conftest import make_app, reset_schema
from .staff_support import (
    account,
    csrf_field,
    enrol_totp,
    secret_on_page,
    sign_in,
    unused_code,
)

PASSWORD = "a long staff password"
ADMIN = "admin@example.org"
COUNSELLOR = "counsellor@example.org"
EDITOR = "editor@example.org"
LEAD = "lead@example.org"
WRONG_CODE_MESSAGE = "This code is wrong or was used already."
LOCKED_MESSAGE = "This account is locked for a while"


@pytest.fixture
def staff_app(empty_app: Flask) -> Iterator[Flask]:
    """Admin, counsellor, editor and lead accounts on each backend (CSRF on, English UI)."""
    with empty_app.app_context():
        create_user(ADMIN, "Ada Admin", Role.ADMIN, PASSWORD)
        create_user(COUNSELLOR, "Cora Counsellor", Role.COUNSELLOR, PASSWORD)
        create_user(EDITOR, "Eda Editor", Role.EDITOR, PASSWORD)
        create_user(LEAD, "Lea Lead", Role.LEAD, PASSWORD)
    yield empty_app


def new_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(client: FlaskClient, form_page: str, action: str, **data: str) -> Any:
    """Open ``form_page`` (for its CSRF token), then post ``data`` to ``action``."""
    token = csrf_field(page(client.get(form_page)))
    return client.post(action, data={**token, **data})


def password_step(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return post(client, "/staff/login", "/staff/login", email=email, password=password)


def wrong_code(app: Flask, email: str) -> str:
    """Six digits that are no valid code of the account in the allowed time window."""
    with app.app_context():
        totp = pyotp.TOTP(account(email).totp_secret)
    step = int(time.time()) // 30
    valid = {totp.generate_otp(s) for s in range(step - 2, step + 3)}
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def signed_in(client: FlaskClient) -> bool:
    return client.get("/staff/").status_code == 200


def actions(app: Flask, subject_id: int | None = None) -> list[str]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if subject_id is not None:
            query = query.where(AuditEvent.subject_id == subject_id)
        return [event.action for event in db.session.scalars(query)]


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return account(email).id


def recovery_codes(text: str) -> list[str]:
    listing = re.search(r'<ol class="recovery-codes"[^>]*>(.*?)</ol>', text, re.S)
    assert listing, "the recovery codes are listed"
    return re.findall(r"<code>([^<]+)</code>", listing[1])


def sign_out(client: FlaskClient) -> None:
    assert post(client, "/staff/", "/staff/logout").status_code == 302


# --- enrolment and codes ---------------------------------------------------------------


def test_counsellor_enrols_at_first_sign_in(staff_app: Flask) -> None:
    client = new_client(staff_app)
    response = password_step(client, COUNSELLOR)
    assert response.headers["Location"].endswith("/staff/login/enrol")
    assert not signed_in(client), "a password alone signs nobody in"
    enrol = page(client.get("/staff/login/enrol"))
    assert 'class="qr-code" src="data:image/svg+xml' in enrol
    secret = secret_on_page(enrol)
    assert secret[:4] + " " + secret[4:8] in enrol  # the key for typing it in by hand
    assert secret_on_page(page(client.get("/staff/login/enrol"))) == secret, "reload keeps it"
    with staff_app.app_context():
        # Not on the account until confirmed: nobody else who opened the page could use it.
        assert account(COUNSELLOR).totp_secret is None
        assert account(COUNSELLOR).totp_enabled_at is None
    other = new_client(staff_app)
    password_step(other, COUNSELLOR)
    assert secret_on_page(page(other.get("/staff/login/enrol"))) != secret

    refused = post(client, "/staff/login/enrol", "/staff/login/enrol", code="12345")
    assert WRONG_CODE_MESSAGE in page(refused) and not signed_in(client)

    code = pyotp.TOTP(secret).now()
    done = post(client, "/staff/login/enrol", "/staff/login/enrol", code=code)
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = recovery_codes(page(done))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert signed_in(client)
    with staff_app.app_context():
        user = account(COUNSELLOR)
        assert user.totp_enabled_at is not None and len(user.recovery_code_hashes) == 10
        assert all(h.startswith("$argon2id$") for h in user.recovery_code_hashes)
        assert not any(code in "".join(user.recovery_code_hashes) for code in codes)
    assert actions(staff_app)[-2:] == [AuditAction.TOTP_ENROLLED, AuditAction.LOGIN]


def test_code_is_asked_at_the_next_sign_in_and_a_wrong_code_refused(staff_app: Flask) -> None:
    client = new_client(staff_app)
    sign_in(client, COUNSELLOR, PASSWORD)
    sign_out(client)
    response = password_step(client, COUNSELLOR)
    assert response.headers["Location"].endswith("/staff/login/code")
    assert not signed_in(client)
    # The pending person reaches no staff page.
    for path in ("/staff/", "/staff/appointments", "/staff/intake", "/staff/account"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and "/staff/login" in blocked.headers["Location"]
    refused = post(
        client,
        "/staff/login/code",
        "/staff/login/code",
        code=wrong_code(staff_app, COUNSELLOR),
    )
    assert refused.status_code == 200 and WRONG_CODE_MESSAGE in page(refused)
    assert not signed_in(client)
    accepted = post(
        client, "/staff/login/code", "/staff/login/code", code=unused_code(staff_app, COUNSELLOR)
    )
    assert accepted.headers["Location"].endswith("/staff/")
    assert "Cora Counsellor" in page(client.get("/staff/"))


def test_a_code_cannot_be_used_twice(staff_app: Flask) -> None:
    secret = enrol_totp(staff_app, COUNSELLOR)
    code = pyotp.TOTP(secret).now()
    client = new_client(staff_app)
    password_step(client, COUNSELLOR)
    post(client, "/staff/login/code", "/staff/login/code", code=code)
    assert signed_in(client)
    sign_out(client)
    password_step(client, COUNSELLOR)
    again = post(client, "/staff/login/code", "/staff/login/code", code=code)
    assert WRONG_CODE_MESSAGE in page(again)
    assert not signed_in(client)


def test_a_recovery_code_works_once(staff_app: Flask) -> None:
    client = new_client(staff_app)
    password_step(client, COUNSELLOR)
    secret = secret_on_page(page(client.get("/staff/login/enrol")))
    done = post(client, "/staff/login/enrol", "/staff/login/enrol", code=pyotp.TOTP(secret).now())
    code = recovery_codes(page(done))[3]
    sign_out(client)

    password_step(client, COUNSELLOR)
    used = post(client, "/staff/login/code", "/staff/login/code", code=code.upper())
    assert used.headers["Location"].endswith("/staff/")
    assert "9 recovery codes are left" in page(client.get("/staff/"))
    assert AuditAction.RECOVERY_CODE_USED in actions(staff_app)
    sign_out(client)

    password_step(client, COUNSELLOR)
    again = post(client, "/staff/login/code", "/staff/login/code", code=code)
    assert WRONG_CODE_MESSAGE in page(again) and not signed_in(client)
    with staff_app.app_context():
        assert len(account(COUNSELLOR).recovery_code_hashes) == 9


def test_pending_sign_in_expires(staff_app: Flask) -> None:
    enrol_totp(staff_app, COUNSELLOR)
    client = new_client(staff_app)
    password_step(client, COUNSELLOR)
    with client.session_transaction() as session:
        state = dict(session["staff_pending"])
        state["at"] -= 6 * 60
        session["staff_pending"] = state
    late = post(
        client, "/staff/login", "/staff/login/code", code=unused_code(staff_app, COUNSELLOR)
    )
    assert late.headers["Location"].endswith("/staff/login")
    assert "Your sign-in took too long" in page(client.get("/staff/login"))
    assert not signed_in(client)


def test_editor_signs_in_with_the_password_alone_and_may_enrol(staff_app: Flask) -> None:
    client = new_client(staff_app)
    response = password_step(client, EDITOR)
    assert response.headers["Location"].endswith("/staff/")
    account_page = page(client.get("/staff/account"))
    assert "It is optional for your role" in account_page
    enrol = page(client.get("/staff/account/two-factor"))
    assert 'class="qr-code"' in enrol
    done = post(
        client,
        "/staff/account/two-factor",
        "/staff/account/two-factor",
        code=pyotp.TOTP(secret_on_page(enrol)).now(),
    )
    assert len(recovery_codes(page(done))) == 10
    assert signed_in(client), "enrolling keeps one's own session"
    assert "10 unused recovery codes" in page(client.get("/staff/account"))
    sign_out(client)
    assert password_step(client, EDITOR).headers["Location"].endswith("/staff/login/code")


def test_new_recovery_codes_replace_the_old_ones(staff_app: Flask) -> None:
    client = new_client(staff_app)
    sign_in(client, COUNSELLOR, PASSWORD)
    with staff_app.app_context():
        old = list(account(COUNSELLOR).recovery_code_hashes)
    refused = post(
        client,
        "/staff/account",
        "/staff/account/recovery-codes",
        code=wrong_code(staff_app, COUNSELLOR),
    )
    assert refused.status_code == 302
    assert WRONG_CODE_MESSAGE in page(client.get("/staff/account"))
    fresh = post(
        client,
        "/staff/account",
        "/staff/account/recovery-codes",
        code=unused_code(staff_app, COUNSELLOR),
    )
    assert len(recovery_codes(page(fresh))) == 10
    with staff_app.app_context():
        assert not set(old) & set(account(COUNSELLOR).recovery_code_hashes)


# --- locks ------------------------------------------------------------------------------


def test_account_is_locked_after_failed_sign_ins_and_unlocked_by_an_admin(
    staff_app: Flask,
) -> None:
    limit = staff_app.config["LOGIN_LOCK_AFTER"]
    client = new_client(staff_app)
    for attempt in range(limit):
        refused = page(password_step(client, EDITOR, "not the password"))
        if attempt < limit - 1:
            assert "E-mail address or password is wrong." in refused
    assert LOCKED_MESSAGE in refused
    # Locked: even the right password does not get in.
    right = page(password_step(client, EDITOR))
    assert LOCKED_MESSAGE in right and not signed_in(client)
    editor = user_id(staff_app, EDITOR)
    assert actions(staff_app, editor).count(AuditAction.LOGIN_FAILED) == limit + 1
    assert AuditAction.ACCOUNT_LOCKED in actions(staff_app, editor)

    admin = new_client(staff_app)
    sign_in(admin, ADMIN, PASSWORD)
    assert "<strong>locked</strong>" in page(admin.get("/staff/admin/users"))
    unlocked = post(admin, f"/staff/admin/users/{editor}", f"/staff/admin/users/{editor}/unlock")
    assert "The account is unlocked." in page(admin.get(unlocked.headers["Location"]))
    assert password_step(client, EDITOR).headers["Location"].endswith("/staff/")
    assert AuditAction.ACCOUNT_UNLOCKED in actions(staff_app, editor)


def test_wrong_codes_count_towards_the_lock(staff_app: Flask) -> None:
    enrol_totp(staff_app, COUNSELLOR)
    client = new_client(staff_app)
    password_step(client, COUNSELLOR)
    for _ in range(staff_app.config["LOGIN_LOCK_AFTER"] - 1):
        response = post(
            client, "/staff/login/code", "/staff/login/code", code=wrong_code(staff_app, COUNSELLOR)
        )
        assert WRONG_CODE_MESSAGE in page(response)
    last = post(
        client, "/staff/login/code", "/staff/login/code", code=wrong_code(staff_app, COUNSELLOR)
    )
    assert last.headers["Location"].endswith("/staff/login")
    assert LOCKED_MESSAGE in page(client.get("/staff/login"))
    # The pending state is gone: a right code now does nothing.
    post(client, "/staff/login", "/staff/login/code", code=unused_code(staff_app, COUNSELLOR))
    assert not signed_in(client)
    assert LOCKED_MESSAGE in page(password_step(client, COUNSELLOR))


def test_lock_ends_by_itself(staff_app: Flask) -> None:
    with staff_app.app_context():
        account(EDITOR).locked_until = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
    client = new_client(staff_app)
    assert password_step(client, EDITOR).headers["Location"].endswith("/staff/")


def test_unknown_and_deactivated_accounts_are_refused_alike(staff_app: Flask) -> None:
    with staff_app.app_context():
        account(LEAD).active = False
        db.session.commit()
    client = new_client(staff_app)
    for email in ("nobody@example.org", LEAD):
        assert "E-mail address or password is wrong." in page(password_step(client, email))
    assert not signed_in(client)
    with staff_app.app_context():
        failed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
        ).all()
        assert [(event.actor_id, event.subject_id) for event in failed] == [
            (None, None),
            (None, account(LEAD).id),
        ]
        stored = " ".join(f"{event.subject_type} {event.detail}" for event in failed)
        assert "nobody" not in stored, "the typed e-mail of an unknown account is not kept"


# --- passwords --------------------------------------------------------------------------


def test_password_reset_by_an_admin_forces_a_new_password(staff_app: Flask) -> None:
    counsellor = user_id(staff_app, COUNSELLOR)
    person = new_client(staff_app)
    sign_in(person, COUNSELLOR, PASSWORD)
    admin = new_client(staff_app)
    sign_in(admin, ADMIN, PASSWORD)
    reset = post(
        admin,
        f"/staff/admin/users/{counsellor}",
        f"/staff/admin/users/{counsellor}/password",
    )
    assert reset.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'class="code temporary-password" dir="ltr">([^<]+)<', page(reset))[1]
    assert len(temporary) >= 12
    # The person's open session ends with the reset.
    ended = person.get("/staff/appointments")
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/staff/login")
    assert not signed_in(person)

    assert "E-mail address or password is wrong." in page(password_step(person, COUNSELLOR))
    sign_in(person, COUNSELLOR, temporary)
    for path in ("/staff/", "/staff/appointments", "/staff/account"):
        forced = person.get(path)
        assert forced.status_code == 302 and forced.headers["Location"].endswith("/staff/password")
    form = page(person.get("/staff/password"))
    assert "choose your own password" in form

    def change(current: str, new: str, repeat: str | None = None) -> str:
        return page(
            post(
                person,
                "/staff/password",
                "/staff/password",
                current_password=current,
                new_password=new,
                repeat_password=new if repeat is None else repeat,
            )
        )

    assert "This is not your current password." in change("wrong", "a brand new password")
    assert "at least 12 characters" in change(temporary, "short")
    assert "must differ from the current one" in change(temporary, temporary)
    assert "not the same" in change(temporary, "a brand new password", "another one entirely")
    assert person.get("/staff/").status_code == 302
    saved = post(
        person,
        "/staff/password",
        "/staff/password",
        current_password=temporary,
        new_password="a brand new password",
        repeat_password="a brand new password",
    )
    assert saved.headers["Location"].endswith("/staff/")
    assert "Your new password is saved." in page(person.get("/staff/"))
    assert person.get("/staff/appointments").status_code == 200
    sign_out(person)
    sign_in(person, COUNSELLOR, "a brand new password")
    assert signed_in(person)
    events = actions(staff_app, counsellor)
    assert AuditAction.PASSWORD_RESET in events and AuditAction.PASSWORD_CHANGED in events


def test_admin_creates_a_lead_who_sets_up_everything_at_first_sign_in(staff_app: Flask) -> None:
    admin = new_client(staff_app)
    sign_in(admin, ADMIN, PASSWORD)
    form = page(admin.get("/staff/admin/users/new"))
    assert 'value="lead"' in form
    duplicate = post(
        admin,
        "/staff/admin/users/new",
        "/staff/admin/users/new",
        email=EDITOR.upper(),
        name="Twin",
        role="editor",
    )
    assert "exists already" in page(duplicate)
    invalid = post(
        admin,
        "/staff/admin/users/new",
        "/staff/admin/users/new",
        email="not an address",
        name="Nobody",
        role="lead",
    )
    assert "Please enter a valid e-mail address." in page(invalid)
    assert 'value="Nobody"' in page(invalid), "the form keeps what was typed"
    created = post(
        admin,
        "/staff/admin/users/new",
        "/staff/admin/users/new",
        email="New.Lead@Example.org",
        name="Nina Lead",
        role="lead",
    )
    text = page(created)
    temporary = re.search(r'class="code temporary-password" dir="ltr">([^<]+)<', text)[1]
    assert "set up two-factor authentication" in text
    with staff_app.app_context():
        lead = account("new.lead@example.org")
        assert lead.role == Role.LEAD and lead.must_change_password
    person = new_client(staff_app)
    assert (
        password_step(person, "new.lead@example.org", temporary)
        .headers["Location"]
        .endswith("/staff/login/enrol")
    )
    sign_in(person, "new.lead@example.org", temporary)
    assert person.get("/staff/").headers["Location"].endswith("/staff/password")


def test_admin_resets_two_factor_and_the_person_enrols_again(staff_app: Flask) -> None:
    counsellor = user_id(staff_app, COUNSELLOR)
    enrol_totp(staff_app, COUNSELLOR)
    admin = new_client(staff_app)
    sign_in(admin, ADMIN, PASSWORD)
    done = post(
        admin, f"/staff/admin/users/{counsellor}", f"/staff/admin/users/{counsellor}/two-factor"
    )
    assert "sets it up again at the next sign-in" in page(admin.get(done.headers["Location"]))
    with staff_app.app_context():
        user = account(COUNSELLOR)
        assert user.totp_secret is None and user.recovery_code_hashes == []
    client = new_client(staff_app)
    assert password_step(client, COUNSELLOR).headers["Location"].endswith("/staff/login/enrol")
    assert AuditAction.TOTP_RESET in actions(staff_app, counsellor)


def test_admin_deactivates_and_changes_roles_but_not_for_themselves(staff_app: Flask) -> None:
    editor, admin_id = user_id(staff_app, EDITOR), user_id(staff_app, ADMIN)
    person = new_client(staff_app)
    sign_in(person, EDITOR, PASSWORD)
    admin = new_client(staff_app)
    sign_in(admin, ADMIN, PASSWORD)
    url = f"/staff/admin/users/{editor}"
    saved = post(admin, url, url, name="Eda Editor", role="editor")  # "active" unticked
    assert saved.status_code == 302
    assert not signed_in(person), "a deactivated person is out at once"
    assert "E-mail address or password is wrong." in page(password_step(person, EDITOR))
    post(admin, url, url, name="Eda Editor", role="lead", active="y")
    with staff_app.app_context():
        assert account(EDITOR).role == Role.LEAD and account(EDITOR).active
        details = db.session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == AuditAction.USER_CHANGED, AuditEvent.subject_id == editor
            )
        ).all()
    assert details == ["deactivated", "role editor→lead, activated"]
    own = f"/staff/admin/users/{admin_id}"
    refused = post(admin, own, own, name="Ada Admin", role="editor", active="y")
    assert "Change your own account on your account page." in page(refused)
    with staff_app.app_context():
        assert account(ADMIN).role == Role.ADMIN


# --- the audit log ----------------------------------------------------------------------


def test_audit_log_is_for_admins_only(staff_app: Flask) -> None:
    anonymous = new_client(staff_app)
    response = anonymous.get("/staff/admin/audit")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    for email in (EDITOR, COUNSELLOR, LEAD):
        client = new_client(staff_app)
        sign_in(client, email, PASSWORD)
        assert client.get("/staff/admin/audit").status_code == 403
        assert client.get("/staff/admin/users").status_code == 403
        assert "Audit log" not in page(client.get("/staff/"))


def test_audit_log_shows_sign_ins_failures_and_locks_with_filters(staff_app: Flask) -> None:
    editor = user_id(staff_app, EDITOR)
    client = new_client(staff_app)
    password_step(client, "stranger@example.org", "guess")
    for _ in range(staff_app.config["LOGIN_LOCK_AFTER"]):
        password_step(client, EDITOR, "guess")
    admin = new_client(staff_app)
    sign_in(admin, ADMIN, PASSWORD)
    assert "Audit log" in page(admin.get("/staff/"))
    log = page(admin.get("/staff/admin/audit"))
    for label in ("Sign-in failed", "Account locked", "Signed in", "Audit log viewed"):
        assert label in log, label
    assert "unknown e-mail address" in log and "wrong password" in log
    assert "stranger" not in log and "guess" not in log
    assert f'href="/staff/admin/users/{editor}">#{editor}</a>' in log

    only_locks = page(admin.get("/staff/admin/audit?action=auth.locked"))
    assert "Account locked" in only_locks.split("<tbody>")[1]
    assert "Sign-in failed" not in only_locks.split("<tbody>")[1]
    about_editor = page(admin.get(f"/staff/admin/audit?person={editor}"))
    assert "unknown e-mail address" not in about_editor and "wrong password" in about_editor
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    future = page(admin.get(f"/staff/admin/audit?from={tomorrow}"))
    assert "No entries." in future
    broken = page(admin.get("/staff/admin/audit?from=31.12.2024"))
    assert "Please enter the date as YYYY-MM-DD" in broken and "Sign-in failed" in broken
    with staff_app.app_context():
        viewed = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == AuditAction.AUDIT_VIEWED)
        ).all()
    assert f"person={editor}; page 1" in viewed


def test_audit_log_pages(staff_app: Flask) -> None:
    with staff_app.app_context():
        admin_user = account(ADMIN)
        start = utcnow() - dt.timedelta(days=1)
        for number in range(60):
            db.session.add(
                AuditEvent(
                    at=start + dt.timedelta(seconds=number),
                    actor_id=admin_user.id,
                    action=AuditAction.INTAKE_VIEWED.value,
                    subject_type="intake",
                    subject_id=1000 + number,
                )
            )
        db.session.commit()
    admin = new_client(staff_app)
    sign_in(admin, ADMIN, PASSWORD)
    first = page(admin.get("/staff/admin/audit?action=intake.viewed"))
    assert "#1059" in first and "#1010" in first and "#1009" not in first
    assert "Page 1 of 2" in first
    older = re.search(r'href="([^"]+)" rel="next"', first)[1]
    assert "action=intake.viewed" in older
    second = page(admin.get(older))
    assert "#1009" in second and "#1000" in second and "#1010" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


# --- forms and commands -----------------------------------------------------------------


def test_new_forms_refuse_a_post_without_csrf_token(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)
    reset_schema(app)
    with app.app_context():
        create_user(ADMIN, "Ada Admin", Role.ADMIN, PASSWORD)
        create_user(EDITOR, "Eda Editor", Role.EDITOR, PASSWORD)
    editor = user_id(app, EDITOR)
    pending = new_client(app)
    password_step(pending, ADMIN)
    assert pending.post("/staff/login/enrol", data={"code": "123456"}).status_code == 400
    enrol_totp(app, ADMIN)
    password_step(pending, ADMIN)
    assert pending.post("/staff/login/code", data={"code": "123456"}).status_code == 400
    admin = new_client(app)
    sign_in(admin, ADMIN, PASSWORD)
    for path, data in (
        ("/staff/password", {"current_password": PASSWORD}),
        ("/staff/account/two-factor", {"code": "123456"}),
        ("/staff/account/recovery-codes", {"code": "123456"}),
        ("/staff/admin/users/new", {"email": "x@example.org", "name": "X", "role": "admin"}),
        (f"/staff/admin/users/{editor}", {"name": "X", "role": "admin", "active": "y"}),
        (f"/staff/admin/users/{editor}/password", {}),
        (f"/staff/admin/users/{editor}/unlock", {}),
        (f"/staff/admin/users/{editor}/two-factor", {}),
    ):
        assert admin.post(path, data=data).status_code == 400, path
    with app.app_context():
        assert account(EDITOR).role == Role.EDITOR and not account(EDITOR).must_change_password
        assert (
            db.session.scalar(select(StaffUser).where(StaffUser.email == "x@example.org")) is None
        )


def test_commands_reset_a_password_and_unlock(staff_app: Flask) -> None:
    with staff_app.app_context():
        account(ADMIN).locked_until = utcnow() + dt.timedelta(minutes=30)
        db.session.commit()
    enrol_totp(staff_app, ADMIN)
    runner = staff_app.test_cli_runner()
    unlocked = runner.invoke(main, ["user", "unlock", ADMIN])
    assert unlocked.exit_code == 0, unlocked.output
    with staff_app.app_context():
        assert account(ADMIN).locked_until is None
    missing = runner.invoke(main, ["user", "unlock", "nobody@example.org"])
    assert missing.exit_code != 0 and "no account for nobody@example.org" in missing.output
    reset = runner.invoke(main, ["user", "reset-password", ADMIN.upper(), "--reset-2fa"])
    assert reset.exit_code == 0, reset.output
    temporary = re.search(r"one-time password for \S+: (\S+)", reset.output)[1]
    client = new_client(staff_app)
    assert (
        password_step(client, ADMIN, temporary).headers["Location"].endswith("/staff/login/enrol")
    )
    sign_in(client, ADMIN, temporary)
    assert client.get("/staff/admin/users").headers["Location"].endswith("/staff/password")
    admin = user_id(staff_app, ADMIN)
    events = actions(staff_app, admin)
    for action in (
        AuditAction.ACCOUNT_UNLOCKED,
        AuditAction.PASSWORD_RESET,
        AuditAction.TOTP_RESET,
    ):
        assert action in events


def test_signing_in_and_out_starts_a_fresh_session(staff_app: Flask) -> None:
    client = new_client(staff_app)
    with client.session_transaction() as session:
        session["chat_sender"] = "a client's chat on a shared computer"
    sign_in(client, EDITOR, PASSWORD)
    with client.session_transaction() as session:
        assert "chat_sender" not in session
        session["chat_sender"] = "again"
    sign_out(client)
    with client.session_transaction() as session:
        assert "chat_sender" not in session and "_user_id" not in session


def test_a_session_without_the_credentials_fingerprint_is_ended(staff_app: Flask) -> None:
    client = new_client(staff_app)
    sign_in(client, EDITOR, PASSWORD)
    with client.session_transaction() as session:
        del session["staff_fingerprint"]  # e.g. signed in before two factors were required
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert not signed_in(client)


def test_a_misspelt_two_factor_role_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from portal.config import build_config

    monkeypatch.setenv("LOTSE_2FA_ROLES", "admin, Counsellor")
    with pytest.raises(ValueError, match="Counsellor"):
        build_config(tmp_path)
    monkeypatch.setenv("LOTSE_2FA_ROLES", "admin, lead")
    assert build_config(tmp_path)["TWO_FACTOR_ROLES"] == ("admin", "lead")
