"""The machine a benchmark ran on (standard library only: usable from both environments)."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path


def _first(pattern: str, path: str) -> str:
    file = Path(path)
    if not file.exists():
        return ""
    match = re.search(pattern, file.read_text())
    return match.group(1).strip() if match else ""


def machine() -> dict[str, object]:
    mem_kb = _first(r"MemTotal:\s*(\d+)", "/proc/meminfo")
    return {
        "host": platform.node(),
        "cpu": _first(r"model name\s*:\s*(.+)", "/proc/cpuinfo"),
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem_kb or 0) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }
