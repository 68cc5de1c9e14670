"""A backup killed at any point leaves nothing that the next backup or `qualcode check`
does not name and remove; backups keep the project file's permission bits.

Each case runs a real backup in a child process and kills it (SIGKILL, or SIGXFSZ from a
file-size limit, which stops it in the middle of a write) at one point of the copy:
right after its temporary file is created, after it is locked, at the first byte
written, inside the header, mid-page, after the copy before its journal mode is reset,
before the rename, and after the rename. No file is aged by hand: the clean-up must
work at once.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.robust_harness import make_project, run_cli
from qualcode.storage.backup import backup, backups_folder, list_backups, stale_parts
from qualcode.storage.check import check_project

fcntl = pytest.importorskip("fcntl")

# The child: arm one kill point, then back the project up into its backups folder.
CHILD = r'''
import os, resource, signal, sqlite3, sys
from qualcode.storage import backup as b

point, project = sys.argv[1], sys.argv[2]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def after(function):
    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        die()
        return result
    return wrapped

if point == "created":
    b.tempfile.mkstemp = after(b.tempfile.mkstemp)
elif point == "locked":
    b._lock = after(b._lock)
elif point.startswith("bytes:"):
    # Python ignores SIGXFSZ; by default it ends the process at the write that crosses
    # the limit, which is a kill in the middle of SQLite writing the copy.
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    # Set once the project is open (SQLite sizes its -shm then) and the copy created.
    limit, new_part = int(point.split(":")[1]), b._new_part
    def limited(*args):
        made = new_part(*args)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return made
    b._new_part = limited
elif point == "copied":
    class Source:
        def __init__(self, conn):
            self.conn = conn
        def backup(self, target, **kwargs):
            self.conn.backup(target, **kwargs)
            die()
    connect = b.project_connection
    b.project_connection = lambda obj: (Source(connect(obj)[0]), *connect(obj)[1:])
elif point == "synced":
    b.os.fsync = after(b.os.fsync)
elif point == "renamed":
    b.os.replace = after(b.os.replace)
b.backup(project)
'''

POINTS = ["created", "locked", "bytes:0", "bytes:10", "bytes:5000", "bytes:70000",
          "copied", "synced", "renamed"]


def _kill_backup(project: Path, point: str) -> int:
    done = subprocess.run([sys.executable, "-c", CHILD, point, str(project)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode < 0, f"{point}: the child was not killed: {done.stderr[-500:]}"
    assert "Traceback" not in done.stderr
    return -done.returncode


def _leftovers(project: Path) -> list[Path]:
    """Everything in the backups folder that is not a complete backup."""
    folder = backups_folder(project)
    if not folder.is_dir():
        return []
    complete = set(list_backups(project))
    return sorted(p for p in folder.iterdir() if p not in complete)


def _is_sound(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


@pytest.mark.parametrize("point", POINTS)
def test_a_backup_killed_at_any_point_is_named_by_check_and_removed_by_the_next_backup(
        tmp_path: Path, point: str) -> None:
    project = make_project(tmp_path / "study.qualcode", units=2000)
    assert project.stat().st_size > 70000  # so the byte limits fall inside the copy
    signal_number = _kill_backup(project, point)
    assert signal_number in (signal.SIGKILL, signal.SIGXFSZ)
    left = _leftovers(project)
    if point != "renamed":
        assert left, f"{point}: the kill left no partial file; the kill point is wrong"
    # Whatever a killed backup left is never taken for a backup...
    for backup_file in list_backups(project):
        assert _is_sound(backup_file)
    # ... check names each file (as a warning: the project itself is sound) ...
    findings = [f for f in check_project(project) if f.check == "backups"]
    if left:
        assert len(findings) == 1 and findings[0].severity == "warning"
        assert findings[0].count == len(left)
        assert all(p.name in findings[0].message for p in left[:3])
        assert "qualcode backup" in findings[0].message
    else:
        assert findings == []
    # ... and the next backup removes them, whatever they hold (empty, a torn header).
    run = run_cli(["backup", str(project)])
    assert run.exit_code == 0, run.stderr
    for path in left:
        assert f"Removed {path}" in run.stdout
    assert _leftovers(project) == []
    assert [f for f in check_project(project) if f.check == "backups"] == []


def test_sqlite_files_beside_a_killed_part_are_removed_with_it(tmp_path: Path) -> None:
    """A kill while SQLite switches the copy out of WAL mode leaves -wal and -shm."""
    project = make_project(tmp_path / "study.qualcode")
    _kill_backup(project, "copied")
    (part,) = _leftovers(project)
    for suffix in ("-wal", "-shm", "-journal"):
        part.with_name(part.name + suffix).write_bytes(b"\0" * 100)
    orphan = part.with_name(".qualcode-backup.old.qualcode.zzzz9999.part-shm")  # its .part gone
    orphan.write_bytes(b"\0" * 100)
    assert len(stale_parts(backups_folder(project))) == 5
    run = run_cli(["backup", str(project)])
    assert run.exit_code == 0, run.stderr
    assert _leftovers(project) == [] and not orphan.exists()


def test_a_part_in_use_is_left_alone_and_others_files_are_not_taken(tmp_path: Path) -> None:
    project = make_project(tmp_path / "study.qualcode")
    folder = backups_folder(project)
    folder.mkdir()
    busy = folder / ".qualcode-backup.x.qualcode.abcd1234.part"
    busy.write_bytes(b"")  # a backup in another process, before its first byte
    busy_journal = busy.with_name(busy.name + "-journal")
    busy_journal.write_bytes(b"")
    download = folder / "video.mp4.part"  # someone else's partial file
    download.write_bytes(b"not ours")
    link = folder / ".qualcode-backup.y.qualcode.efgh5678.part"
    link.symlink_to(project)  # never followed to the project
    with open(busy, "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        assert stale_parts(folder) == []
        made = backup(project)
        assert busy.exists() and busy_journal.exists()
    assert download.exists() and link.is_symlink() and _is_sound(project) and made.exists()
    backup(project)
    assert not busy.exists() and not busy_journal.exists() and download.exists()


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o644, 0o440])
def test_a_backup_keeps_the_project_file_permissions(tmp_path: Path, mode: int) -> None:
    project = make_project(tmp_path / "study.qualcode")
    os.chmod(project, mode)
    try:
        by_cli = run_cli(["backup", str(project), "-o", str(tmp_path / "cli.qualcode")])
        assert by_cli.exit_code == 0, by_cli.stderr
        made = [tmp_path / "cli.qualcode", backup(project)]
        if mode & stat.S_IWUSR:  # an automatic backup comes with a change
            from qualcode.storage import Store

            with Store.open(project) as store:
                made.append(backup(store, tmp_path / "from-store.qualcode"))
        for path in made:
            assert stat.S_IMODE(path.stat().st_mode) == mode, path
            assert _is_sound(path)
        assert _leftovers(project) == []
    finally:
        os.chmod(project, 0o600)
