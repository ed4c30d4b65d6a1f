"""Who may open which staff page: every /staff route × anonymous, editor, counsellor, lead,
admin → the expected status; every staff form refuses a POST without a CSRF token.

The routes come from the app's URL map, so a new staff route fails here until it is given
its roles (``ALLOWED``) and, if it takes parameters, a sample value (``sample_values``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_login import FlaskLoginClient
from sqlalchemy import select
from werkzeug.routing import Rule

from portal.auth.signin import FINGERPRINT_KEY, fingerprint
from portal.cli import create_user, main
from portal.constants import JobKind, RecordType, Role
from portal.editor import revisions
from portal.extensions import db
from portal.models import (
    Absence,
    AvailabilityRule,
    BackgroundJob,
    Intake,
    StaffUser,
)

from .conftest import make_app, reset_schema

PASSWORD = "correct horse battery staple"
ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, Role.EDITOR, Role.COUNSELLOR, Role.LEAD, Role.ADMIN)
EVERYONE = frozenset({Role.EDITOR, Role.COUNSELLOR, Role.LEAD, Role.ADMIN})

# Roles allowed per blueprint, with exceptions per endpoint.
ALLOWED_BY_BLUEPRINT: dict[str, frozenset[str]] = {
    "counsellor": frozenset({Role.COUNSELLOR, Role.ADMIN}),
    "editor": frozenset({Role.EDITOR, Role.ADMIN}),
    "figures": frozenset({Role.LEAD, Role.ADMIN}),
    "admin": frozenset({Role.ADMIN}),
    "auth": EVERYONE,
}
ALLOWED_BY_ENDPOINT: dict[str, frozenset[str]] = {
    "counsellor.handover_status": frozenset({Role.ADMIN}),
    "counsellor.handover_retry": frozenset({Role.ADMIN}),
}
# A counsellor's own absences and availability: an admin sees another person's as missing.
OWN_RECORDS = frozenset({"counsellor.delete_absence", "counsellor.delete_rule"})
# Pages reached before or during sign-in: open to anyone, not part of the matrix.
PUBLIC_ENDPOINTS = frozenset(
    {"auth.login", "auth.login_code", "auth.login_enrol", "auth.login_recovery_codes"}
)


def staff_rules(app: Flask) -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/staff") and rule.endpoint not in PUBLIC_ENDPOINTS
        ),
        key=lambda rule: rule.rule,
    )


def allowed_roles(endpoint: str) -> frozenset[str]:
    if endpoint in ALLOWED_BY_ENDPOINT:
        return ALLOWED_BY_ENDPOINT[endpoint]
    return ALLOWED_BY_BLUEPRINT[endpoint.split(".")[0]]


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    path = tmp_path_factory.mktemp("access") / "lotse.db"
    app = make_app(
        f"sqlite:///{path}", ARGOS_PACKAGES_DIR=str(path.parent / "argos"), WTF_CSRF_ENABLED=False
    )
    app.test_client_class = FlaskLoginClient
    reset_schema(app)
    runner = app.test_cli_runner()
    for args in (["content", "load"], ["demo-data"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        for role in (Role.EDITOR, Role.LEAD, Role.ADMIN):
            create_user(f"{role.value}@access.test", role.value.title(), role, PASSWORD)
    yield app


def sample_values(app: Flask) -> dict[str, object]:
    """A real value for every route parameter, taken from the demo data."""
    with app.app_context():
        intake = db.session.scalars(select(Intake)).first()
        assert intake is not None, "the demo data holds pre-intakes"
        appointment = intake.appointment
        counsellor = appointment.counsellor
        absence = Absence(
            counsellor_id=counsellor.id,
            starts_at=dt.datetime(2031, 1, 6, 8, tzinfo=dt.UTC),
            ends_at=dt.datetime(2031, 1, 7, 8, tzinfo=dt.UTC),
        )
        rule = db.session.scalars(
            select(AvailabilityRule).where(AvailabilityRule.counsellor_id == counsellor.id)
        ).first()
        assert rule is not None
        editor = db.session.scalar(select(StaffUser).where(StaffUser.role == Role.EDITOR))
        key = "health:ar"
        base = revisions.newest_number(RecordType.TOPIC_TRANSLATION, key)
        data = revisions.current_data(RecordType.TOPIC_TRANSLATION, key)
        assert data is not None
        draft = revisions.save(RecordType.TOPIC_TRANSLATION, key, data, base=base, author=editor)
        job = BackgroundJob(kind=JobKind.MACHINE_TRANSLATION, params={"topic": "health"})
        db.session.add_all([absence, job])
        db.session.commit()
        return {
            "appointment_id": appointment.id,
            "intake_id": intake.id,
            "absence_id": absence.id,
            "rule_id": rule.id,
            "counsellor_email": counsellor.email,
            "user_id": counsellor.id,
            "job_id": job.id,
            "record_type": RecordType.TOPIC_TRANSLATION.value,
            "key": key,
            "number": draft.number,
            "slug": "health",
            "lang": "ar",
            "service": "mbe",
            "office": appointment.office.slug,
            "purpose": "share-summary",
        }


@pytest.fixture(scope="module")
def samples(staff_app: Flask) -> dict[str, object]:
    return sample_values(staff_app)


def user_for(app: Flask, role: str, samples: dict[str, object]) -> StaffUser | None:
    if role == ANONYMOUS:
        return None
    email = samples["counsellor_email"] if role == Role.COUNSELLOR else f"{role}@access.test"
    with app.app_context():
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        assert user is not None
        db.session.expunge(user)
        return user


def signed_in(app: Flask, user: StaffUser | None) -> FlaskLoginClient:
    """A client whose session holds ``user`` as after a full sign-in (both factors)."""
    client = app.test_client(user=user)
    if user is not None:
        with app.test_request_context(), client.session_transaction() as session:
            session[FINGERPRINT_KEY] = fingerprint(user)
    return client


def build_path(rule: Rule, samples: dict[str, object]) -> str:
    missing = set(rule.arguments) - set(samples)
    assert not missing, f"{rule.endpoint}: add a sample value for {sorted(missing)}"
    return rule.build({name: samples[name] for name in rule.arguments})[1]


def test_every_staff_route_has_roles(staff_app: Flask) -> None:
    for rule in staff_rules(staff_app):
        assert allowed_roles(rule.endpoint), rule.endpoint


@pytest.mark.parametrize("role", ROLES)
def test_role_view_matrix(staff_app: Flask, samples: dict[str, object], role: str) -> None:
    unexpected = []
    for rule in staff_rules(staff_app):
        path = build_path(rule, samples)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            client = signed_in(staff_app, user_for(staff_app, role, samples))
            response = client.open(path, method=method)
            status = response.status_code
            if role == ANONYMOUS:
                ok = status == 302 and "/staff/login" in response.headers["Location"]
            elif role == Role.ADMIN and rule.endpoint in OWN_RECORDS:
                ok = status == 404
            elif role in allowed_roles(rule.endpoint):
                ok = status not in (401, 403, 404, 500) and (
                    method != "GET" or status in (200, 302, 303)
                )
            else:
                ok = status == 403
            if not ok:
                unexpected.append(f"{method} {path} ({rule.endpoint}) → {status}")
    assert not unexpected, f"{role}:\n" + "\n".join(unexpected)


def test_staff_forms_refuse_a_post_without_csrf_token(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)
    app.test_client_class = FlaskLoginClient
    reset_schema(app)
    with app.app_context():
        admin = create_user("csrf-admin@access.test", "Admin", Role.ADMIN, PASSWORD)
        db.session.refresh(admin)  # load the attributes the commit expired, then detach
        db.session.expunge(admin)
    posts = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff") and "POST" in rule.methods
    ]
    assert len(posts) > 10
    values = {
        "appointment_id": 1,
        "intake_id": 1,
        "absence_id": 1,
        "rule_id": 1,
        "user_id": admin.id,
        "job_id": 1,
        "record_type": RecordType.TOPIC_TRANSLATION.value,
        "key": "health:ar",
        "number": 1,
        "slug": "health",
        "lang": "ar",
        "service": "mbe",
        "office": "mbe-herzberg",
        "purpose": "share-summary",
    }
    for rule in posts:
        client = signed_in(app, None if rule.endpoint in PUBLIC_ENDPOINTS else admin)
        response = client.post(build_path(rule, values), data={"anything": "x"})
        assert response.status_code == 400, f"{rule.rule} accepted a POST without CSRF token"


def test_only_staff_pages_load_the_staff_stylesheet(staff_app: Flask) -> None:
    client = staff_app.test_client()
    assert "/static/staff.css" in client.get("/staff/login").text
    for path in ("/de/", "/ar/topics/health", "/fa/book", "/uk/chat"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "/static/lotse.css" in response.text and "staff.css" not in response.text, path


@pytest.mark.parametrize(
    "path",
    [
        "/staff/figures/?from=9999-12&to=9999-12",
        "/staff/figures/?from=0001-01&to=0001-01",
        "/staff/figures/?from=2025-13&to=2025-14",
        "/staff/admin/audit?page=²&person=²",
        "/staff/admin/audit?to=9999-12-31&from=0001-01-01",
        "/staff/admin/audit?page=99999999999999999999",
    ],
)
def test_odd_filters_get_a_page_not_a_crash(
    staff_app: Flask, samples: dict[str, object], path: str
) -> None:
    client = signed_in(staff_app, user_for(staff_app, Role.ADMIN, samples))
    response = client.get(path)
    assert response.status_code in (200, 400), response.status_code
    assert "<form" in response.text  # the filter form comes back to correct the input
