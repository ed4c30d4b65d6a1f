"""Signing staff in from tests the way a person does: the password, then the second factor
where the account has one or its role needs one (set up on the way, as at a first sign-in)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import StaffUser, utcnow

LOGIN = "/staff/login"
CODE_STEP = "/staff/login/code"
ENROL_STEP = "/staff/login/enrol"


def csrf_field(html: str) -> dict[str, str]:
    """The form's CSRF token as POST data; nothing when the app runs without CSRF."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    return {"csrf_token": match[1]} if match else {}


def account(email: str) -> StaffUser:
    user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.lower()))
    assert user is not None, f"no account {email}"
    return user


def unused_code(app: Flask, email: str) -> str:
    """A valid TOTP code of the account that was not accepted before.

    Tries the current time step, then the next one (both accepted within the allowed drift).
    A test that signs one person in more than twice within 30 seconds rewinds the stored last
    step, as waiting for the next step would make the suite slow.
    """
    with app.app_context():
        user = account(email)
        assert user.totp_secret, f"{email} has no TOTP secret"
        totp = pyotp.TOTP(user.totp_secret)
        step = int(time.time()) // totp.interval
        last = user.totp_last_step
        for candidate in (step, step + 1):
            if last is None or candidate > last:
                return totp.generate_otp(candidate)
        user.totp_last_step = step - 1
        db.session.commit()
        return totp.generate_otp(step)


def enrol_totp(app: Flask, email: str) -> str:
    """Give the account an enabled TOTP secret directly; returns the secret (for pyotp)."""
    with app.app_context():
        user = account(email)
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = utcnow()
        user.totp_last_step = None
        db.session.commit()
        return str(user.totp_secret)


def secret_on_page(html: str) -> str:
    """The key an enrolment page shows for typing into an app by hand (for pyotp)."""
    match = re.search(r'class="totp-secret"[^>]*>([^<]+)<', html)
    assert match, "the enrolment page shows the key"
    return match[1].replace(" ", "")


def _path(location: str) -> str:
    return urlsplit(location).path


def _second_factor(client: FlaskClient, step: str, email: str) -> None:
    page = client.get(step)
    assert page.status_code == 200, f"{step} → {page.status_code}"
    html = page.get_data(as_text=True)
    if step == ENROL_STEP:  # the key being set up is only on the page until it is confirmed
        code = pyotp.TOTP(secret_on_page(html)).now()
    else:
        code = unused_code(client.application, email)
    data = {**csrf_field(html), "code": code}
    response = client.post(step, data=data)
    if step == ENROL_STEP:
        assert response.status_code == 200, "the code was refused at enrolment"
        assert 'class="recovery-codes"' in response.get_data(as_text=True)
    else:
        assert response.status_code == 302, "the code was refused"
        assert _path(response.headers["Location"]) != LOGIN, "the code was refused"


def sign_in(client: FlaskClient, email: str, password: str) -> None:
    """Sign in with the password and, where needed, a TOTP code (enrolling first if the
    role requires two factors and none is set up). Fails the test if any step is refused."""
    data = {
        **csrf_field(client.get(LOGIN).get_data(as_text=True)),
        "email": email,
        "password": password,
    }
    response = client.post(LOGIN, data=data)
    assert response.status_code == 302, f"sign-in of {email} refused"
    step = _path(response.headers["Location"])
    if step in (CODE_STEP, ENROL_STEP):
        _second_factor(client, step, email)
