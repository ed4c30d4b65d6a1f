"""Who may open which staff page: one decorator, roles as constants."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from ..constants import Role

View = TypeVar("View", bound=Callable[..., Any])

EDITORS = (Role.EDITOR, Role.ADMIN)
FIGURE_READERS = (Role.LEAD, Role.ADMIN)
ADMINS = (Role.ADMIN,)


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Signed in (both factors where required) with one of ``roles``; else 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
