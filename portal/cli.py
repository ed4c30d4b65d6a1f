"""The ``lotse`` command: database, content, demo data and staff accounts."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup
from sqlalchemy import select

from . import demo
from .constants import AuditAction, Role
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


@content.command("export")
@click.option(
    "--path",
    type=click.Path(file_okay=False),
    help="folder to write (default: content/, which is overwritten)",
)
def content_export(path: str | None) -> None:
    """Write the database's content back to content files that `content load` reads.

    Files are overwritten: load or commit edits made in the files first.
    """
    from .content.exporter import ExportRefused, export_content

    content_dir = Path(current_app.config["CONTENT_DIR"])
    root = _content_dir(path)
    try:
        result = export_content(root, content_dir=content_dir)
    except ExportRefused as refusal:
        raise click.ClickException(f"{refusal}; nothing was written") from None
    except ContentError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException("content not exported; no file was changed") from None
    from . import audit

    audit.record(
        AuditAction.CONTENT_EXPORTED,
        "content",
        detail=f"command line: {len(result.written)} files written",
    )
    db.session.commit()
    for written in result.written:
        click.echo(f"wrote {written}")
    for removed in result.removed:
        click.echo(f"removed {removed}")
    click.echo(
        f"exported to {root}: {len(result.written)} files written, "
        f"{len(result.unchanged)} unchanged, {len(result.removed)} removed"
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
    from .auth.credentials import find_account

    if find_account(email):
        raise click.ClickException(f"an account for {email} exists already")
    if len(password) < 12:
        raise click.ClickException("the password needs at least 12 characters")
    create_user(email, name, Role(role), password)
    click.echo(f"created {role} account {email}")


def _account(email: str) -> StaffUser:
    from .auth.credentials import find_account

    found = find_account(email)
    if found is None:
        raise click.ClickException(f"no account for {email}")
    return found


@user.command("reset-password")
@click.argument("email")
@click.option("--reset-2fa", is_flag=True, help="also forget the second factor (a lost phone)")
def user_reset_password(email: str, reset_2fa: bool) -> None:
    """Print a one-time password (the person must choose a new one) and unlock the account."""
    from . import audit
    from .auth.credentials import hash_password, temporary_password
    from .auth.signin import STAFF_USER, unlock
    from .auth.totp import reset_two_factor

    account = _account(email)
    password = temporary_password()
    account.password_hash = hash_password(password)
    account.must_change_password = True
    unlock(account)
    audit.record(AuditAction.PASSWORD_RESET, STAFF_USER, account.id, "command line")
    if reset_2fa:
        reset_two_factor(account)
        audit.record(AuditAction.TOTP_RESET, STAFF_USER, account.id, "command line")
    db.session.commit()
    click.echo(f"one-time password for {account.email}: {password}")
    click.echo("it must be changed at the next sign-in")


@user.command("unlock")
@click.argument("email")
def user_unlock(email: str) -> None:
    """Unlock an account locked after failed sign-ins."""
    from . import audit
    from .auth.signin import STAFF_USER, unlock

    account = _account(email)
    unlock(account)
    audit.record(AuditAction.ACCOUNT_UNLOCKED, STAFF_USER, account.id, "command line")
    db.session.commit()
    click.echo(f"unlocked {account.email}")


DEMO_USERS = (
    ("demo-admin@lotse.invalid", "Demo Admin", Role.ADMIN),
    ("demo-editor@lotse.invalid", "Demo Redaktion", Role.EDITOR),
    ("demo-lead@lotse.invalid", "Demo Leitung", Role.LEAD),
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
    """Background work: sending queued messages, erasing expired data, machine drafts."""


@jobs.command("run")
@click.option("--loop", is_flag=True, help="keep running (for the process manager)")
@click.option("--interval", default=60, show_default=True, help="seconds between runs with --loop")
def jobs_run(loop: bool, interval: int) -> None:
    """Send due notifications, hand over summaries, erase data whose purpose has ended,
    make requested machine-translation drafts (with --loop: checked every few seconds)."""
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
        _run_machine_drafts()
        if not loop:
            return
        db.session.remove()
        _wait_running_machine_drafts(interval)


# An editor watches the progress page of a machine draft: check for new ones this often
# between the main runs instead of letting them wait up to a whole interval.
MACHINE_DRAFT_POLL_SECONDS = 3


def _run_machine_drafts() -> None:
    from .editor.machine_drafts import run_queued_jobs

    if ran := run_queued_jobs():
        click.echo(f"machine-translation drafts: {ran} made or failed (see the editor pages)")


def _wait_running_machine_drafts(seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(MACHINE_DRAFT_POLL_SECONDS, left))
        _run_machine_drafts()
        db.session.remove()


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
