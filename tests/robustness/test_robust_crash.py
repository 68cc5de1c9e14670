"""kill -9 at random moments: coding, importing a large CSV, merging, migrating.

After every kill: SQLite's integrity check passes, ``qualcode check`` finds nothing,
every action the child acknowledged (it prints ``ACK`` only after the commit) is in the
file, at most one committed action is unacknowledged (killed between commit and print),
an import is all rows or none, a migration is applied whole or not at all, and no
half-written backup is visible. A few trials run by default, many under ``-m slow``.
A new long-running operation gets the same treatment with one entry in
:data:`CRASH_OPERATIONS`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.robust_harness import make_project
from qualcode.storage.backup import backup, list_backups
from qualcode.storage.check import check_project, has_errors

CHILD = Path(__file__).with_name("crash_child.py")
PYTHON = sys.executable


def _spawn(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_after(proc: subprocess.Popen, seconds: float) -> tuple[str, str, bool]:
    """SIGKILL ``proc`` after ``seconds`` (if still running); return stdout, stderr, killed."""
    try:
        proc.wait(timeout=seconds)
        killed = False
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        killed = True
    out, err = proc.communicate(timeout=60)
    return out, err, killed


def _restart_from_pristine(path: Path) -> None:
    """Put back the project as it was before the first trial (kept as pristine.qualcode)."""
    pristine = path.with_name("pristine.qualcode")
    if not pristine.exists():
        backup(path, pristine)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.copy(pristine, path)


def _integrity(path: Path) -> None:
    conn = sqlite3.connect(path)  # opening replays (or drops) the -wal, as a coder would
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    findings = check_project(path)
    assert not has_errors(findings), findings


def _no_partial_backups(path: Path) -> None:
    for copy in list_backups(path):
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", copy
        finally:
            conn.close()


# -- coding --------------------------------------------------------------------------------
def crash_while_coding(path: Path, rng: random.Random) -> None:
    """One trial: a child codes, is killed, every acknowledged action must be there."""
    seed = rng.randrange(10_000)
    proc = _spawn([PYTHON, str(CHILD), "code", str(path), str(seed)])
    out, err, killed = _kill_after(proc, rng.uniform(1.0, 3.0))
    assert killed, f"the coding child stopped by itself: {err[-2000:]}"
    acks = [json.loads(line[4:]) for line in out.splitlines() if line.startswith("ACK ")]
    _integrity(path)
    if not acks:
        return
    conn = sqlite3.connect(path)
    try:
        coder = acks[0]["coder"]
        for item in acks:
            row = conn.execute("SELECT action FROM events WHERE id = ?", [item["event"]]).fetchone()
            assert row == (item["action"],), f"acknowledged {item} missing"
        last = acks[-1]
        later = conn.execute("SELECT count(*) FROM events WHERE coder_id = ? AND id > ?",
                             [coder, last["event"]]).fetchone()[0]
        assert later <= 1, f"{later} events after the last acknowledged one"
        if later == 0:  # nothing committed after the last ACK: the state is the model's
            live = conn.execute("SELECT count(*) FROM codings WHERE coder_id = ? AND "
                                "deleted_at IS NULL", [coder]).fetchone()[0]
            done = conn.execute("SELECT count(*) FROM reviews WHERE coder_id = ?",
                                [coder]).fetchone()[0]
            assert (live, done) == (last["live"], last["done"])
    finally:
        conn.close()


# -- import --------------------------------------------------------------------------------
def big_csv(folder: Path, rows: int) -> Path:
    """A corpus CSV of ``rows`` answers (written once per test)."""
    path = folder / f"big{rows}.csv"
    if not path.exists():
        with path.open("w", encoding="utf-8") as handle:
            handle.write("id,study,text\n")
            for n in range(rows):
                handle.write(f"N{n:07d},S{n % 40:02d},Answer {n}: the group helped me "
                             "listen to patients and to myself.\n")
    return path


def crash_while_importing(path: Path, rng: random.Random, rows: int) -> None:
    """One trial: `qualcode import` of a big CSV, killed; all rows or none."""
    csv_path = big_csv(path.parent, rows)
    _restart_from_pristine(path)
    proc = _spawn([PYTHON, "-m", "qualcode", "import", str(path), str(csv_path)])
    out, err, killed = _kill_after(proc, rng.uniform(0.5, 7.0))
    _integrity(path)
    conn = sqlite3.connect(path)
    try:
        imported = conn.execute("SELECT count(*) FROM sources WHERE external_id LIKE 'N%'"
                                ).fetchone()[0]
        units = conn.execute("SELECT count(*) FROM units u JOIN sources s ON s.id = u.source_id "
                             "WHERE s.external_id LIKE 'N%'").fetchone()[0]
    finally:
        conn.close()
    assert imported in (0, rows), f"half an import: {imported} of {rows} rows"
    assert units == imported
    if not killed:
        assert proc.returncode == 0 and imported == rows, err[-2000:]


# -- migration -----------------------------------------------------------------------------
def crash_while_migrating(path: Path, rng: random.Random, rows: int = 3000) -> None:
    """One trial: open with a slow pending migration, killed; applied whole or not at all."""
    proc = _spawn([PYTHON, str(CHILD), "migrate", str(path), str(rows)])
    out, err, killed = _kill_after(proc, rng.uniform(0.3, 2.5))
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        recorded = conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE name = "
                                "'m999_robustness_probe'").fetchone()[0]
        table = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                             "'robustness_probe'").fetchone()[0]
        count = conn.execute("SELECT count(*) FROM robustness_probe").fetchone()[0] if table else 0
    finally:
        conn.close()
    assert (recorded, table, count) in ((0, 0, 0), (1, 1, rows)), (recorded, table, count)
    if not killed:
        assert "MIGRATED" in out, err[-2000:]
    _no_partial_backups(path)
    if recorded:  # start the next trial from an unmigrated project again
        conn = sqlite3.connect(path)
        conn.execute("DROP TABLE robustness_probe")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm999_robustness_probe'")
        conn.commit()
        conn.close()


# -- merge ---------------------------------------------------------------------------------
def crash_while_merging(path: Path, rng: random.Random, rows: int = 3_000) -> None:
    """One trial: `qualcode merge` of a copy that gained many sources, killed; all or none."""
    from qualcode.interchange.corpus_import import import_corpus
    from qualcode.storage import Store

    other = path.with_name("other.qualcode")
    if not other.exists():  # another coder's copy of the project that gained many sources
        backup(path, other)
        with Store.open(other) as store:
            import_corpus(store, big_csv(path.parent, rows))
    _restart_from_pristine(path)
    proc = _spawn([PYTHON, "-m", "qualcode", "merge", str(path), str(other)])
    out, err, killed = _kill_after(proc, rng.uniform(0.5, 5.0))
    _integrity(path)
    conn = sqlite3.connect(path)
    try:
        merged = conn.execute("SELECT count(*) FROM sources WHERE external_id LIKE 'N%'"
                              ).fetchone()[0]
    finally:
        conn.close()
    assert merged in (0, rows), f"half a merge: {merged} of {rows} sources"
    if not killed:
        assert proc.returncode == 0 and merged == rows, err[-2000:]
    _no_partial_backups(path)


# name -> (trial function taking (project, rng), default trials, slow trials)
CRASH_OPERATIONS: dict[str, tuple[Callable[[Path, random.Random], None], int, int]] = {
    "coding": (crash_while_coding, 2, 40),
    "import": (lambda p, r: crash_while_importing(p, r, 60_000), 2, 10),
    "migration": (crash_while_migrating, 2, 25),
    "merge": (crash_while_merging, 2, 15),
}


@pytest.mark.parametrize("operation", sorted(CRASH_OPERATIONS))
def test_kill_9(tmp_path: Path, operation: str) -> None:
    trial, default, _ = CRASH_OPERATIONS[operation]
    path = make_project(tmp_path / "crash.qualcode", units=20)
    rng = random.Random(operation)
    for _ in range(default):
        trial(path, rng)


@pytest.mark.slow
@pytest.mark.parametrize("operation", sorted(CRASH_OPERATIONS))
def test_kill_9_many(tmp_path: Path, operation: str) -> None:
    trial, _, many = CRASH_OPERATIONS[operation]
    path = make_project(tmp_path / "crash.qualcode", units=20)
    # A new seed each run, printed (pytest shows it on failure); QUALCODE_CRASH_SEED replays one.
    seed = int(os.environ.get("QUALCODE_CRASH_SEED", time.time_ns()))
    print(f"test_kill_9_many seed: {seed} (QUALCODE_CRASH_SEED={seed} to replay)")
    rng = random.Random(f"{operation}-slow-{seed}")
    for _ in range(many):
        trial(path, rng)
