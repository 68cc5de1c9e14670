"""Two and four coders in separate processes code one project file at the same time.

Every process drives :class:`~qualcode.tui.session.CodingSession` (what the coding
screen calls on each key press) with random actions: whole-unit and span codings,
removals, done and not-done marks, memos, undo and redo. Afterwards, for every coder:
no action raised (no "database is locked"), the return values matched the coder's own
model, the coder's events in the log are exactly the acknowledged actions in order,
and the live codings, done marks and memos are what the model says. The file passes
``qualcode check``. The long version (thousands of actions each) is marked slow.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from helpers.robust_workers import code_as
from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store
from qualcode.storage.check import check_project

UNITS = 60


def make_shared_project(path: Path) -> None:
    """UNITS answers long enough for spans, and a five-code codebook."""
    with Store.create(path) as store:
        store.import_sources(SourceRecord(f"U{i:03d}", f"Answer {i}: the sessions helped me "
                                          f"listen, though they ran long ({i}).")
                             for i in range(UNITS))
        theme = store.add_code("Theme", kind=CodeKind.THEME)
        for key in "abcef":
            store.add_code(f"Code {key}", parent_id=theme.id, shortcut=key)


def run_coders(path: Path, coders: int, actions: int) -> list[tuple]:
    """Start ``coders`` processes together; return their reports."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(coders)
    results = ctx.Queue()
    procs = [ctx.Process(target=code_as, args=(str(path), f"coder{n}", 1000 + n, actions,
                                               barrier, results)) for n in range(coders)]
    for proc in procs:
        proc.start()
    reports = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(60)
    return reports


def verify(path: Path, reports: list[tuple]) -> None:
    """Compare each coder's acknowledged actions and model with the file."""
    for name, status, acked, *rest in reports:
        assert status == "ok", f"{name} failed after {len(acked)} actions:\n{rest[0]}"
    with Store.open(path) as store:
        assert store.integrity_ok()
        for name, _, acked, codings, done, memos, mismatches, _ in reports:
            assert mismatches == [], f"{name}: {mismatches[:5]}"
            coder = store.coder(name, create=False)
            logged = [e.action for e in store.events(coder_id=coder.id)]
            assert logged == acked, f"{name}: the log differs from the acknowledged actions"
            live = sorted((c.source_id, c.code_id, c.start, c.end)
                          for c in store.codings(coder_id=coder.id, layer=Layer.CODER))
            assert live == [tuple(k) for k in codings], f"{name}: codings differ"
            assert sorted(r.unit_id for r in store.reviews(coder_id=coder.id)) == done
            units = {u.guid for u in store.units()}
            found = {guid: m.text for guid in units for m in store.memos("unit", guid)
                     if m.coder_id == coder.id}
            assert found == memos, f"{name}: memos differ"
    assert check_project(path) == []


@pytest.mark.parametrize(("coders", "actions"), [(2, 250), (4, 120)])
def test_coders_at_once(tmp_path: Path, coders: int, actions: int) -> None:
    path = tmp_path / "shared.qualcode"
    make_shared_project(path)
    verify(path, run_coders(path, coders, actions))


@pytest.mark.slow
@pytest.mark.parametrize(("coders", "actions"), [(2, 3000), (4, 2000)])
def test_coders_at_once_long(tmp_path: Path, coders: int, actions: int) -> None:
    path = tmp_path / "shared.qualcode"
    make_shared_project(path)
    verify(path, run_coders(path, coders, actions))


def test_two_coders_opening_a_project_that_needs_a_migration_at_once(tmp_path: Path) -> None:
    """Both coders start the new version together: one migrates, the other waits; no error.

    Each process opens the project with the same slow extra migration registered (the
    crash trials' probe, ``crash_child.py migrate``); afterwards the migration is recorded
    once and its rows are there once, not twice.
    """
    import sqlite3
    import subprocess
    import sys

    from helpers.robust_harness import make_project

    path = make_project(tmp_path / "study.qualcode")
    child = Path(__file__).with_name("crash_child.py")
    rows = 1500
    procs = [subprocess.Popen([sys.executable, str(child), "migrate", str(path), str(rows)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [proc.communicate(timeout=300) + (proc.returncode,) for proc in procs]
    for out, err, code in results:
        assert code == 0 and "MIGRATED" in out, err[-2000:]
    # Read with SQLite alone: this process does not know the probe migration, so to it
    # the project now comes from a newer qualcode, which Store.open refuses.
    conn = sqlite3.connect(path)
    try:
        recorded = conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE name = "
                                "'m999_robustness_probe'").fetchone()[0]
        probe_rows = conn.execute("SELECT count(*) FROM robustness_probe").fetchone()[0]
    finally:
        conn.close()
    assert (recorded, probe_rows) == (1, rows)
    assert not [p for p in check_project(path) if p.severity == "error"]
