"""Access logs without secrets: manage tokens in paths are replaced before logging."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_TOKEN_IN_PATH = re.compile(r"(/appointments/|/bookings/)[^/?]+")


def redact_path(path: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[token]", path)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_path(atoms[key])
        atoms["q"] = ""  # query strings stay out of the log
        return atoms
