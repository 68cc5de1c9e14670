"""Backups: a complete, checkable copy, taken while another process writes; pruning;
an automatic backup before migrations of an existing project only."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
from pathlib import Path

import pytest

from qualcode.errors import StoreError
from qualcode.model import SourceRecord
from qualcode.storage import Store, schema
from qualcode.storage.backup import (
    automatic_backup,
    backup,
    backups_folder,
    list_backups,
    prune_automatic,
)


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_backup_of_a_store_holds_every_committed_row(small_store: Store, tmp_path: Path) -> None:
    coder = small_store.coder("alice")
    source = small_store.source_by_external_id("r1")
    code = [c for c in small_store.codebook() if c.codable][0]
    small_store.add_coding(coder.id, source.id, code.id, 0, 3)
    target = backup(small_store, tmp_path / "copy.qualcode")
    assert _rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(target, "SELECT count(*) FROM codings") == [(1,)]
    assert _rows(target, "PRAGMA journal_mode") == [("delete",)]  # self-contained file
    assert not Path(str(target) + "-wal").exists()
    with Store.open(target) as copy:  # a backup is a project like any other
        assert [c.start for c in copy.codings()] == [0]
    assert not list(tmp_path.glob("*.part"))


def test_backup_by_path_defaults_to_the_backups_folder(small_store: Store) -> None:
    path = small_store.path
    target = backup(path)
    assert target.parent == backups_folder(path) == path.with_name("study.qualcode.backups")
    assert target.name.endswith("-manual.qualcode")
    assert list_backups(path) == [target]


def test_backup_refuses_to_overwrite(small_store: Store, tmp_path: Path) -> None:
    existing = tmp_path / "there.qualcode"
    existing.write_bytes(b"keep me")
    with pytest.raises(StoreError, match="already exists"):
        backup(small_store, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(StoreError, match="does not exist"):
        backup(small_store, tmp_path / "missing" / "x.qualcode")


def test_backup_of_something_else_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(StoreError, match="not a qualcode project"):
        backup(other)


def test_automatic_backups_are_pruned_and_manual_ones_kept(small_store: Store) -> None:
    path = small_store.path
    manual = backup(path)
    made = [automatic_backup(path, "before merge!", keep=3) for _ in range(5)]
    assert all("-auto-before-merge" in p.name for p in made)
    kept = list_backups(path)
    assert manual in kept
    assert [p for p in kept if p != manual] == made[-3:]
    assert prune_automatic(path, keep=1) == made[-3:-1]


def _writer(path: str, stop: float) -> None:
    store = Store.open(path)
    coder = store.coder("writer")
    code = [c for c in store.codebook() if c.codable][0]
    sources = [s.id for s in store.iter_sources()]
    i = 0
    while time.monotonic() < stop:
        store.add_coding(coder.id, sources[i % len(sources)], code.id)
        i += 1
    store.close()


def test_backup_while_another_process_writes(small_store: Store, tmp_path: Path) -> None:
    path = small_store.path
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_writer, args=(str(path), time.monotonic() + 3.0))
    proc.start()
    try:
        copies = []
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline or len(copies) < 3:
            copies.append(backup(path, tmp_path / f"b{len(copies)}.qualcode"))
    finally:
        proc.join(30)
    assert proc.exitcode == 0
    counts = []
    for copy in copies:
        assert _rows(copy, "PRAGMA integrity_check") == [("ok",)]
        # A snapshot: each coding.add event and its coding are both there or both absent.
        (codings,), = _rows(copy, "SELECT count(*) FROM codings")
        (events,), = _rows(copy, "SELECT count(*) FROM events WHERE action = 'coding.add'")
        assert codings == events
        counts.append(codings)
    assert counts == sorted(counts)


def test_migration_of_an_existing_project_backs_it_up_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.qualcode"
    with Store.create(path) as store:
        store.import_sources([SourceRecord("a", "some text")])
    assert list_backups(path) == []
    with Store.open(path):  # nothing pending: no backup
        pass
    assert list_backups(path) == []

    def m999_test_only(db) -> None:
        db.execute("CREATE TABLE robustness_probe (x INTEGER)")

    fake = schema.Migrations(schema.MIGRATION_SET)
    fake._migrations = [*schema.migrations._migrations,
                        schema.Migrations._Migration("m999_test_only", m999_test_only)]
    monkeypatch.setattr(schema, "migrations", fake)
    with Store.open(path):
        pass
    made = list_backups(path)
    assert len(made) == 1 and "-auto-before-migration" in made[0].name
    # The backup is the project as it was before the migration.
    assert _rows(made[0], "SELECT name FROM sqlite_master WHERE name = 'robustness_probe'") == []
    assert _rows(path, "SELECT name FROM sqlite_master WHERE name = 'robustness_probe'") != []
    with Store.open(path):  # applied now: no further backup
        pass
    assert len(list_backups(path)) == 1
    # A brand-new project with pending migrations has nothing to back up.
    with Store.create(tmp_path / "new.qualcode"):
        pass
    assert list_backups(tmp_path / "new.qualcode") == []


# -- partial files left by a killed backup -------------------------------------------------
def _killed_backup(path: Path) -> list[Path]:
    """Run a backup in a child process that dies just before renaming its copy into place."""
    import subprocess
    import sys

    code = ("import os, sys\nfrom qualcode.storage import backup as b\n"
            "b.os.fsync = lambda fd: os._exit(9)\nb.backup(sys.argv[1])\n")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True)
    assert done.returncode == 9, done.stderr
    return sorted(backups_folder(path).glob(".*.part"))


def _age(paths: list[Path], seconds: float = 120.0) -> None:
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then))


def test_a_killed_backup_leaves_a_part_that_check_names_and_backup_removes(
        small_store: Store) -> None:
    from click.testing import CliRunner

    from qualcode.cli import main
    from qualcode.storage.check import check_project

    path = small_store.path
    parts = _killed_backup(path)
    assert len(parts) == 1 and parts[0].read_bytes().startswith(b"SQLite format 3\0")
    journal = parts[0].with_name(parts[0].name + "-journal")
    journal.write_bytes(b"\xd9\xd5\x05\xf9 left by the same kill")
    _age([parts[0], journal])
    assert list_backups(path) == []  # never taken for a backup
    findings = check_project(path)
    assert [(f.check, f.severity, f.count) for f in findings] == [("backups", "warning", 2)]
    assert parts[0].name in findings[0].message
    result = CliRunner().invoke(main, ["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Removed {parts[0]}, left by a backup that was interrupted." in result.output
    assert not parts[0].exists() and not journal.exists()
    assert len(list_backups(path)) == 1 and check_project(path) == []
    assert sorted(backups_folder(path).iterdir()) == list_backups(path)


def test_a_part_in_use_or_not_ours_is_left_alone(small_store: Store) -> None:
    fcntl = pytest.importorskip("fcntl")
    path = small_store.path
    backups_folder(path).mkdir()
    busy = backups_folder(path) / ".x.qualcode.abcd1234.part"
    busy.write_bytes(b"SQLite format 3\0 being written")
    foreign = backups_folder(path) / ".video.mp4.zyxw9876.part"  # a download, say
    foreign.write_bytes(b"not a database")
    fresh = backups_folder(path) / ".y.qualcode.fresh123.part"  # just made, not locked yet
    fresh.write_bytes(b"")
    _age([busy, foreign])
    with open(busy, "rb") as handle:  # as a backup running in another process holds it
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        made = automatic_backup(path, "before-merge")
    assert busy.exists() and foreign.exists() and fresh.exists() and made.exists()
    _age([fresh])
    backup(path)
    assert not busy.exists() and foreign.exists() and not fresh.exists()


def test_backup_on_a_file_system_that_refuses_locks(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Some network mounts refuse flock (ENOLCK): the backup is made without the lock,
    complete, and leaves no .part behind (it used to stop with a raw OSError)."""
    import errno

    from helpers.robust_harness import make_project
    from qualcode.storage import backup as backup_module

    if backup_module.fcntl is None:
        pytest.skip("no flock on this platform")

    def refuse(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    project = make_project(tmp_path / "study.qualcode")
    monkeypatch.setattr(backup_module.fcntl, "flock", refuse)
    target = backup_module.backup(project, tmp_path / "copy.qualcode")
    assert _rows(target, "SELECT external_id FROM sources ORDER BY id") == [("r1",), ("r2",),
                                                                           ("r3",)]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []
