"""Store fixtures on both engines: a project file, and a project schema on a real server.

Test modules that check the store itself override the ``store`` fixture with
:func:`engine_store` (params :data:`ENGINES`), so each of their tests runs on SQLite and
on PostgreSQL. The server is the session's throwaway one (``pg_server_url`` in
tests/conftest.py); its tests skip, with the reason, only when no server can be started.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qualcode.storage import Store

ENGINES = ["sqlite", "postgresql"]
_names = itertools.count(1)


def engine_store(request: Any, tmp_path: Path,
                 build: Callable[[Any], Store] = Store.create) -> Iterator[Store]:
    """Yield a project ``build`` makes on the engine of ``request.param`` (default: empty).

    Closed after the test; a server project's schema is dropped.
    """
    if request.param == "sqlite":
        project = build(tmp_path / "study.qualcode")
        yield project
        project.close()
        return
    base = request.getfixturevalue("pg_server_url")
    name = f"t{os.getpid()}_{next(_names)}"
    project = build(f"{base}&project={name}" if "?" in base else f"{base}?project={name}")
    yield project
    project.close()
    drop_project(base, name)


def engine_location(request: Any, tmp_path: Path, filename: str = "p.qualcode"
                    ) -> Iterator[Path]:
    """Yield where an empty project was created: a file, or a server project's ServerPath.

    For CLI tests: ``str()`` of either is what a user types as PROJECT.
    """
    from qualcode.storage.backends.urls import ServerPath

    if request.param == "sqlite":
        Store.create(tmp_path / filename).close()
        yield tmp_path / filename
        return
    base = request.getfixturevalue("pg_server_url")
    name = f"t{os.getpid()}_{next(_names)}"
    url = f"{base}&project={name}" if "?" in base else f"{base}?project={name}"
    Store.create(url).close()
    yield ServerPath(url)
    drop_project(base, name)


def drop_project(base_url: str, name: str) -> None:
    """Remove a test project's schema from the server."""
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's versioned folder."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                      else 0)
    return versions[-1].parent if versions else None


class ThrowawayServer:
    """A PostgreSQL server in a temp folder on a Unix socket, run as the ``postgres`` user.

    ``initdb`` refuses root, so as root the server runs as the machine's ``postgres``
    user; the folder is made theirs. ``stop`` ends the server and removes the folder.
    """

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="qualcode-pg-"))
        self.data = self.folder / "data"
        self.user: str | None = None
        self.bin: Path | None = None

    def unavailable(self) -> str | None:
        """Why no server can be started here, or None."""
        self.bin = _server_binaries()
        if self.bin is None:
            return ("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
                    "/usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)")
        try:
            import psycopg  # noqa: F401
        except ImportError:
            return "psycopg is not installed (pip install -e '.[test]')"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to run initdb as"
            self.user = "postgres"
        return None

    def _run(self, program: str, *arguments: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        found = str(self.bin / program) if self.bin else program
        done = subprocess.run([*prefix, found, *arguments], capture_output=True, timeout=120)
        if done.returncode != 0:  # the skip reason then says what the server said
            said = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
            raise subprocess.CalledProcessError(done.returncode, f"{program}: "
                                                f"{said[-1] if said else 'no output'}")

    def start(self) -> str:
        """Start the server; return a libpq URL of its ``qualcode_test`` database."""
        if self.user:
            shutil.chown(self.folder, self.user)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"),
                  "-o", f"-k {self.folder} -c listen_addresses='' -F", "start")
        url = f"postgresql://postgres@/postgres?host={self.folder}"
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE qualcode_test")
        return f"postgresql://postgres@/qualcode_test?host={self.folder}"

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        if self.data.exists():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except subprocess.CalledProcessError:
                pass  # never started
        shutil.rmtree(self.folder, ignore_errors=True)


def server_url_fixture() -> Iterator[str]:
    """The body of the session fixture: start a server, yield its URL, stop it."""
    server = ThrowawayServer()
    reason = server.unavailable()
    if reason:
        shutil.rmtree(server.folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    try:
        url = server.start()
    except (subprocess.SubprocessError, OSError) as error:
        server.stop()
        pytest.skip(f"PostgreSQL tests skipped: the throwaway server did not start ({error})")
    try:
        yield url
    finally:
        server.stop()
