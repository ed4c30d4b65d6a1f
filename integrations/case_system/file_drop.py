"""File drop: JSON (and the German HTML) written atomically into a shared directory,
for case systems that import from a share.

Each file appears complete or not at all (written to a temporary name in the same
directory, flushed, then renamed), so an importer never reads half a summary.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .base import DeliveryFailed, Handover

SUBMITTED = "intake.submitted"
WITHDRAWN = "intake.withdrawn"


def write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o640)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FileDropConnector:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def deliver(self, handover: Handover) -> str | None:
        if not self.directory.is_dir():
            raise DeliveryFailed("drop directory missing")
        stem = handover.message_id
        body = json.dumps(handover.payload, ensure_ascii=False, indent=2).encode("utf-8")
        try:
            if handover.html is not None:
                write_atomically(self.directory / f"{stem}.html", handover.html.encode("utf-8"))
            write_atomically(self.directory / f"{stem}.json", body)
            if handover.event == WITHDRAWN and handover.earlier_ref:
                self._remove_unimported(handover.earlier_ref)
        except OSError as error:
            raise DeliveryFailed(f"{type(error).__name__} errno {error.errno}") from None
        return stem

    def _remove_unimported(self, stem: str) -> None:
        """A withdrawn summary the case system has not picked up yet is simply removed."""
        for suffix in (".json", ".html"):
            (self.directory / f"{stem}{suffix}").unlink(missing_ok=True)
