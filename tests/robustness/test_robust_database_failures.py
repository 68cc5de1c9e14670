"""Database failures are one clear line, never a traceback, and nothing is half-written.

Each class is tried with several members: a project on read-only media (a read-only bind
mount where the machine allows one) and a read-only file (as an unprivileged user), a
project another process keeps locked past the busy timeout, a disk that fills up mid-write
(a file-size limit in the child, and SQLite's max_page_count), a damaged file (truncated,
pages overwritten, header mangled) and a project written by a newer qualcode.
"""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.robust_harness import make_project
from qualcode.model import SourceRecord
from qualcode.storage import Store
from qualcode.storage.connection import open_readonly
from qualcode.storage.failures import explain

pytestmark = pytest.mark.timeout(300)
QUALCODE = [sys.executable, "-m", "qualcode"]
READING = [["status"], ["check"], ["log"], ["agreement", "--coders", "alice", "bob"],
           ["export", "themes", "--layer", "alice", "--study-field", "study"],
           ["codings", "export"], ["codebook", "show"]]
WRITING = [["codebook", "add", "{p}", "Brand new code"],
           ["import", "{p}", "{corpus}"],
           ["codings", "import", "{p}", "{codings}", "--coder", "carol"],
           ["undo", "{p}", "--coder", "alice"]]


def fingerprint(path: Path) -> tuple:
    """Row counts and content of the tables a command could change, read through SQLite."""
    conn = open_readonly(path)  # immutable on read-only media, where no -shm can be made
    try:
        return tuple(tuple(conn.execute(f"SELECT * FROM {table} ORDER BY rowid"))
                     for table in ("project", "sources", "codes", "codings", "coders", "events",
                                   "reviews", "memos"))
    finally:
        conn.close()


def coded(path: Path) -> Path:
    """A small project two coders have coded."""
    make_project(path, units=4)
    with Store.open(path) as store:
        listening = store.codebook().find("Listening")[0].id
        for name in ("alice", "bob"):
            coder = store.coder(name)
            for source in store.iter_sources():
                store.add_coding(coder.id, source.id, listening)
                store.mark_done(store.whole_unit(source.id).id, coder.id)
    return path


def inputs(folder: Path) -> dict[str, str]:
    corpus = folder / "more.csv"
    corpus.write_text("id,text\nx1,One more answer.\nx2,And another.\n", encoding="utf-8")
    codings = folder / "codings.csv"
    codings.write_text("source_id,code\nr1,Listening\n", encoding="utf-8")
    return {"corpus": str(corpus), "codings": str(codings)}


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(QUALCODE + args, capture_output=True, text=True, timeout=240,
                          **kwargs)


def assert_one_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


# -- read-only ---------------------------------------------------------------------------------
@pytest.fixture
def readonly_mount() -> Iterator[Path]:
    """A coded project seen through a read-only bind mount (root only, where mounts work)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only bind mount needs root and mount(8)")
    base = Path(tempfile.mkdtemp(prefix="qualcode-ro-"))
    source, view = base / "rw", base / "ro"
    source.mkdir()
    view.mkdir()
    coded(source / "p.qualcode")
    mounted = subprocess.run(["mount", "--bind", str(source), str(view)], capture_output=True)
    if mounted.returncode != 0:
        shutil.rmtree(base)
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.decode().strip()}")
    try:
        remount = subprocess.run(["mount", "-o", "remount,ro,bind", str(view)],
                                 capture_output=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {remount.stderr.decode().strip()}")
        yield view / "p.qualcode"
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_reading_commands_work_on_read_only_media(readonly_mount: Path, tmp_path: Path) -> None:
    before = fingerprint(readonly_mount)
    for command in READING:
        args = [command[0], *command[1:2], str(readonly_mount), *command[2:]] \
            if command[0] in ("export", "codings", "codebook") else \
            [command[0], str(readonly_mount), *command[1:]]
        if command[0] in ("export", "codings"):
            args += ["-o", str(tmp_path / f"{command[1]}.csv")]
        result = run(args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
    check = run(["check", str(readonly_mount)])
    assert check.returncode == 0 and ": ok" in check.stdout, check.stdout + check.stderr
    assert fingerprint(readonly_mount) == before
    assert sorted(p.name for p in readonly_mount.parent.iterdir()) == ["p.qualcode"]


def test_writing_commands_on_read_only_media_say_so(readonly_mount: Path, tmp_path: Path) -> None:
    before = fingerprint(readonly_mount)
    files = inputs(tmp_path)
    for command in WRITING:
        args = [word.format(p=readonly_mount, **files) for word in command]
        assert_one_line(run(args), "read-only", "qualcode backup")
    assert fingerprint(readonly_mount) == before


AS_ORDINARY_USER = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                    "--inh-caps=-dac_override,-dac_read_search", "--"]
"""Root without the capabilities that let it ignore file permissions (util-linux setpriv)."""


def test_a_read_only_file_is_read_and_not_written(tmp_path: Path) -> None:
    """chmod 444 on the project, 555 on its folder: read, never written."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root ignores file permissions and setpriv (util-linux) is missing")
        prefix = AS_ORDINARY_USER
    folder = tmp_path / "project"
    folder.mkdir()
    path = coded(folder / "p.qualcode")
    files = inputs(tmp_path)
    before = fingerprint(path)
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)  # nor can its -wal and -shm be made
    try:
        for command in (["status", str(path)], ["check", str(path)],
                        ["agreement", str(path), "--coders", "alice", "bob"]):
            result = subprocess.run(prefix + QUALCODE + command, capture_output=True,
                                    text=True, timeout=240)
            assert result.returncode == 0, (command, result.stderr)
        for command in WRITING[:3]:
            args = [word.format(p=path, **files) for word in command]
            result = subprocess.run(prefix + QUALCODE + args, capture_output=True, text=True,
                                    timeout=240)
            assert_one_line(result, "read-only")
    finally:
        os.chmod(folder, 0o755)
        os.chmod(path, 0o644)
    assert fingerprint(path) == before


# -- locked ------------------------------------------------------------------------------------
HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO project(key, value) VALUES ('held', 'yes')")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def test_a_project_locked_past_the_timeout_is_one_line_naming_the_holder(tmp_path: Path) -> None:
    path = coded(tmp_path / "p.qualcode")
    files = inputs(tmp_path)
    before = fingerprint(path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "60"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        env = {**os.environ, "QUALCODE_BUSY_TIMEOUT_MS": "300"}
        for command in WRITING[:3]:
            args = [word.format(p=path, **files) for word in command]
            assert_one_line(run(args, env=env), "locked", f"process {holder.pid}",
                            "try again")
    finally:
        holder.kill()
        holder.wait()
    assert fingerprint(path) == before


# -- disk full ---------------------------------------------------------------------------------
def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_disk_full_mid_import_writes_nothing(tmp_path: Path) -> None:
    """A file-size limit in the child: SQLite's write fails part-way through the import."""
    path = coded(tmp_path / "p.qualcode")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = path.stat().st_size
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("id,text\n")
        for n in range(20_000):
            handle.write(f"b{n},An answer long enough to fill pages quickly (number {n}).\n")
    before = fingerprint(path)
    for limit in (size + 8192, size + 200_000, size + 1_000_000):
        result = run(["import", str(path), str(big)], preexec_fn=_limit_file_size(limit))
        assert_one_line(result, "full", "nothing was half-written")
        assert fingerprint(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_max_page_count_full_is_explained_and_rolled_back(tmp_path: Path) -> None:
    path = coded(tmp_path / "p.qualcode")
    with Store.open(path) as store:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages + 2}")
        before = store.source_count()
        with pytest.raises(sqlite3.OperationalError) as raised:
            store.import_sources(SourceRecord(f"f{n}", "words " * 200) for n in range(500))
        message = str(explain(raised.value, path))
        assert store.source_count() == before
    assert "full" in message and str(path) in message and "\n" not in message


# -- damaged files -----------------------------------------------------------------------------
def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _overwrite_pages(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.seek(4096 * 2)
        handle.write(b"\xde\xad" * 4096)


def _mangle_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.seek(16)
        handle.write(b"\x00\x07")  # page size 7: impossible


@pytest.mark.parametrize("damage", [_truncate, _overwrite_pages, _mangle_header])
def test_a_damaged_project_is_one_line_saying_restore_from_a_backup(tmp_path: Path,
                                                                     damage) -> None:
    path = coded(tmp_path / "p.qualcode")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")  # the whole project in the one file
    conn.close()
    damage(path)  # no connection is open in this process
    for command in (["status", str(path)], ["agreement", str(path), "--coders", "alice", "bob"],
                    ["codebook", "add", str(path), "New"]):
        result = run(command)
        assert_one_line(result, str(path))
        assert any(word in result.stderr for word in ("not a sound qualcode project",
                                                      "not a qualcode project")), result.stderr
    check = run(["check", str(path)])
    assert check.returncode != 0 and "Traceback" not in check.stderr + check.stdout


def test_a_project_of_a_newer_qualcode_is_refused_before_anything_is_written(
        tmp_path: Path) -> None:
    path = coded(tmp_path / "p.qualcode")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                 "VALUES ('qualcode', 'm099_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    from qualcode.storage.schema import schema_version

    for command in (["status", str(path)], ["codebook", "add", str(path), "New"]):
        result = run(command)
        assert_one_line(result, "newer qualcode", f"schema version {schema_version() + 1}",
                        f"reads up to {schema_version()}")
    assert fingerprint(path) == before
    assert not (tmp_path / "p.qualcode.backups").exists()


# -- the coding screen -------------------------------------------------------------------------
def test_the_coding_screen_says_a_locked_project_in_one_line_and_keeps_going(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key press while another process holds the lock: a notice, no crash, nothing saved."""
    import asyncio

    from qualcode.storage import connection
    from qualcode.tui.app import make_app

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 200)
    path = coded(tmp_path / "p.qualcode")
    store = Store.open(path)
    carol = store.coder("carol")
    app = make_app(store, "carol", suggest="off")
    notices: list[str] = []
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "60"],
                              stdout=subprocess.PIPE, text=True)

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert holder.stdout.readline().strip() == "holding"
            for key in ("l", "d", "u"):
                await pilot.press(key)
                await pilot.pause()
            notices.extend(str(n.message) for n in app._notifications)
            holder.kill()
            holder.wait()
            await pilot.press("l")  # the lock is gone: this one is saved
            await pilot.pause()

    try:
        asyncio.run(drive())
    finally:
        holder.kill()
        holder.wait()
    locked = [n for n in notices if "locked" in n]
    assert len(locked) >= 2 and all("\n" not in n and str(path) in n for n in locked), notices
    assert len(store.codings(coder_id=carol.id)) == 1
    store.close()
