"""The counsellor's workspace: appointments per office, outcomes, availability, absences."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, g, request
from flask_login import current_user, login_required

from ..constants import Role
from ..i18n import preferred_language

bp = Blueprint("counsellor", __name__, url_prefix="/staff")
View = TypeVar("View", bound=Callable[..., Any])


@bp.before_request
def staff_language() -> None:
    g.lang = preferred_language(request)


def counsellor_required(view: View) -> View:
    """Signed in as a counsellor (or an admin, who sees every office)."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.role not in (Role.COUNSELLOR, Role.ADMIN):
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


from . import inbox, views  # noqa: E402,F401  (registers the routes)
