"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder.

initdb refuses to run as root, so as root the server runs as the 'postgres' system user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def find_binary(name: str) -> str | None:
    for folder in PG_BIN_CANDIDATES:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def available() -> bool:
    return find_binary("initdb") is not None and find_binary("pg_ctl") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def running_server() -> Iterator[str]:
    """Start a server on a free loopback port; yield its SQLAlchemy URL; stop and delete it."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    assert initdb and pg_ctl, "PostgreSQL server binaries not found"
    root = Path(tempfile.mkdtemp(prefix="lotse-pg-"))
    data, socket_dir = root / "data", root / "sock"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (root, socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = _free_port()
    run = lambda cmd: subprocess.run(_as_server_user(cmd), check=True, capture_output=True)  # noqa: E731
    try:
        run([initdb, "-D", str(data), "-U", "lotse", "--auth=trust", "-E", "UTF8", "--no-locale"])
        run(
            [
                pg_ctl,
                "-D",
                str(data),
                "-w",
                "-l",
                str(root / "server.log"),
                "start",
                "-o",
                f"-p {port} -k {socket_dir} -h 127.0.0.1 -c fsync=off -c full_page_writes=off",
            ]
        )
        subprocess.run(
            _as_server_user(
                [
                    str(Path(initdb).parent / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "lotse",
                    "lotse_test",
                ]
            ),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://lotse@127.0.0.1:{port}/lotse_test"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
