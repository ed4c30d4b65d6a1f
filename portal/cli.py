"""The ``lotse`` command: database, content, demo data and staff accounts."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from . import demo
from .constants import Role
from .content import ContentError, load_content, read_content
from .extensions import db
from .models import StaffUser
from .mt_cli import mt


def _create_app():  # type: ignore[no-untyped-def]
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Lotse portal administration."""


main.add_command(mt)


@main.group()
def content() -> None:
    """Orientation content and the service directory in content/."""


def _content_dir(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.config["CONTENT_DIR"])


@content.command("check")
@click.option("--path", type=click.Path(file_okay=False), help="content folder (default: content/)")
def content_check(path: str | None) -> None:
    """Validate every content file without touching the database."""
    try:
        parsed = read_content(_content_dir(path))
    except ContentError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) found") from None
    click.echo(
        f"ok: {len(parsed.topics)} topics, {len(parsed.services)} services, "
        f"{len(parsed.offices)} offices, {len(parsed.areas)} areas, {len(parsed.sites)} sites"
    )


@content.command("load")
@click.option("--path", type=click.Path(file_okay=False), help="content folder (default: content/)")
def content_load(path: str | None) -> None:
    """Validate, then load content in one transaction (nothing changes on error)."""
    try:
        summary = load_content(_content_dir(path))
    except ContentError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException("content not loaded; the database is unchanged") from None
    click.echo(
        f"loaded: {summary.topics} topics ({summary.translations} texts), "
        f"{summary.services} services, {summary.offices} offices, {summary.areas} areas, "
        f"{summary.sites} sites"
    )


def create_user(email: str, name: str, role: Role, password: str, demo: bool = False) -> StaffUser:
    from .auth import hash_password

    user = StaffUser(
        email=email.strip().lower(),
        name=name,
        role=role,
        password_hash=hash_password(password),
        demo=demo,
    )
    db.session.add(user)
    db.session.commit()
    return user


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.password_option(help="asked for when not given")
def user_create(email: str, name: str, role: str, password: str) -> None:
    """Create a staff account."""
    exists = db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.lower())
    )
    if exists:
        raise click.ClickException(f"an account for {email} exists already")
    if len(password) < 12:
        raise click.ClickException("the password needs at least 12 characters")
    create_user(email, name, Role(role), password)
    click.echo(f"created {role} account {email}")


DEMO_USERS = (
    ("demo-admin@lotse.invalid", "Demo Admin", Role.ADMIN),
    ("demo-editor@lotse.invalid", "Demo Redaktion", Role.EDITOR),
    *((email, name, Role.COUNSELLOR) for email, name, _langs, _offices in demo.COUNSELLORS),
)


@main.command("demo-data")
def demo_data() -> None:
    """Create demo staff, availability and appointments (all marked as demo)."""
    credentials_file = Path(current_app.instance_path) / "demo-credentials.txt"
    created = []
    for email, name, role in DEMO_USERS:
        if db.session.scalar(select(StaffUser).where(StaffUser.email == email)):
            continue
        password = secrets.token_urlsafe(12)
        create_user(email, name, role, password, demo=True)
        created.append(f"{role.value:<11} {email}  {password}")
    if created:
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        with credentials_file.open("a", encoding="utf-8") as out:
            out.write("\n".join(created) + "\n")
        credentials_file.chmod(0o600)
    click.echo(f"demo staff accounts (DEMO DATA) are listed in {credentials_file}")
    rules = demo.assign_counsellors()
    booked = demo.book_appointments()
    intakes = demo.add_intakes()
    click.echo(
        f"demo availability: {rules} weekly windows added; demo appointments: {booked} booked; "
        f"demo pre-intakes: {intakes} sent"
    )


@main.group()
def jobs() -> None:
    """Background work: sending queued messages, erasing expired data."""


@jobs.command("run")
@click.option("--loop", is_flag=True, help="keep running (for the process manager)")
@click.option("--interval", default=60, show_default=True, help="seconds between runs with --loop")
def jobs_run(loop: bool, interval: int) -> None:
    """Send due notifications, hand over summaries, erase data whose purpose has ended."""
    from .handover import outbox
    from .intake.service import prepare_submitted
    from .notifications.delivery import deliver_due

    while True:
        prepared = prepare_submitted()
        handed = outbox.deliver_due()
        sent = deliver_due()
        click.echo(
            f"summaries: {prepared} prepared; hand-over: {handed.delivered} delivered, "
            f"{handed.retrying} to retry, {handed.dead} dead; "
            f"messages: {sent.sent} sent, {sent.retrying} to retry, {sent.failed} failed, "
            f"{sent.undeliverable} undeliverable (demo addresses), "
            f"{sent.waiting_for_configuration} waiting for LOTSE_SMTP_HOST"
        )
        _purge()
        if not loop:
            return
        db.session.remove()
        time.sleep(interval)


def _purge() -> None:
    from .chat.retention import purge_chat_texts
    from .intake.service import purge as purge_intakes
    from .notifications.delivery import purge_expired

    contacts = purge_expired()
    intakes = purge_intakes()
    conversations, messages = purge_chat_texts(
        current_app.config["CHAT_TRACKER_DB"], current_app.config["CHAT_RETENTION_HOURS"]
    )
    click.echo(
        f"erased: contact details of {contacts.appointments_erased} finished appointments, "
        f"answers of {intakes.intakes_erased} pre-intakes "
        f"({intakes.deliveries_emptied} hand-over copies), "
        f"{conversations} chat conversations and the texts of {messages} older chat messages"
    )


@main.command("purge")
def purge() -> None:
    """Erase personal data whose retention period is over (counts are kept)."""
    _purge()


@main.group()
def handover() -> None:
    """Hand-over of pre-intake summaries to case systems."""


@handover.command("status")
def handover_status() -> None:
    """Deliveries per receiver, event and status."""
    from .handover import outbox

    counts = outbox.status_counts()
    if not counts:
        click.echo("no hand-overs yet")
    for (target, event, status), count in sorted(counts.items()):
        click.echo(f"{target:<24} {event:<24} {status:<10} {count}")


@handover.command("retry")
@click.argument("delivery_ids", nargs=-1, type=int)
def handover_retry(delivery_ids: tuple[int, ...]) -> None:
    """Queue dead deliveries again (all of them, or the ids given)."""
    from .handover import outbox

    revived = outbox.retry(list(delivery_ids) or None)
    click.echo(f"{revived} deliveries queued again; `lotse jobs run` sends them")
