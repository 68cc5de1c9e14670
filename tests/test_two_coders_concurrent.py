"""Two coders in two processes code the same project file at the same moment.

Each process drives a :class:`~qualcode.tui.session.CodingSession`, the layer the coding
screen calls for every key press, as fast as it can: codings on whole units and spans,
removals, done marks, memos, undo and redo. Afterwards every action each process saw
succeed is in the file, the event log holds each action once, and nothing failed with
"database is locked".
"""

from __future__ import annotations

import multiprocessing
import random
import time
import traceback
from pathlib import Path
from typing import Any

from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store

UNITS = 40
WORK_SECONDS = 1.5
"""Each process codes for this long, so the two overlap even on a busy machine."""


def make_project(path: Path) -> None:
    """A project of UNITS short answers and a three-code codebook."""
    store = Store.create(path)
    store.import_sources(SourceRecord(f"U{i:03d}", f"Answer number {i}. It has two sentences.")
                         for i in range(UNITS))
    theme = store.add_code("Theme", kind=CodeKind.THEME)
    for key in "abc":
        store.add_code(f"Code {key}", parent_id=theme.id, shortcut=key)
    store.close()


def code_as(path: str, name: str, seed: int, barrier: Any, results: Any) -> None:
    """One coder's process: random actions through the session, reporting what it saw."""
    from qualcode.tui.session import CodingSession

    try:
        store = Store.open(path)
        session = CodingSession(store, store.coder(name))
        codes = [c.id for c in store.codebook() if c.codable]
        rng = random.Random(seed)
        logged = 0  # actions that must each have written exactly one event
        barrier.wait(timeout=60)
        deadline = time.monotonic() + WORK_SECONDS
        unit_id = session.start_unit()
        while time.monotonic() < deadline:
            session.open(unit_id)
            roll = rng.random()
            if roll < 0.4:
                session.toggle(rng.choice(codes))
                logged += 1
            elif roll < 0.6:
                session.toggle(rng.choice(codes), 0, rng.randint(1, 14))
                logged += 1
            elif roll < 0.7:
                session.set_memo("unit", session.view.unit.guid, f"{name} was here")
                logged += 1
            elif roll < 0.8:
                logged += session.undo()[0] is not None
            elif roll < 0.85:
                logged += session.redo()[0] is not None
            else:
                logged += session.mark_done()
                unit_id = session.next_not_done() or unit_id
        mine = sorted((c.source_id, c.code_id, c.start, c.end)
                      for c in store.codings(coder_id=session.coder.id))
        done = sorted(r.unit_id for r in store.reviews(coder_id=session.coder.id))
        store.close()
        results.put((name, "ok", logged, mine, done))
    except BaseException:  # report everything, a lock error above all
        results.put((name, "error", traceback.format_exc(), None, None))


def test_two_processes_code_one_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.qualcode"
    make_project(path)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [context.Process(target=code_as, args=(str(path), name, seed, barrier, results))
               for name, seed in (("alice", 1), ("bob", 2))]
    for worker in workers:
        worker.start()
    reports = {}
    for _ in workers:
        name, status, *rest = results.get(timeout=240)
        reports[name] = (status, *rest)
    for worker in workers:
        worker.join(timeout=60)
    for name, report in reports.items():
        assert report[0] == "ok", f"{name} failed:\n{report[1]}"
        assert "database is locked" not in str(report)

    with Store.open(path) as store:
        assert store.integrity_ok()
        for name, (_, logged, mine, done) in reports.items():
            coder = store.coder(name, create=False)
            # What each process saw at its end is exactly what the file holds now.
            stored = sorted((c.source_id, c.code_id, c.start, c.end)
                            for c in store.codings(coder_id=coder.id))
            assert stored == mine
            assert sorted(r.unit_id for r in store.reviews(coder_id=coder.id)) == done
            # Every action the process saw succeed is in the log, once.
            assert len(store.events(coder_id=coder.id)) == logged > 0
        # The two really worked at the same time: their actions interleave in the log.
        owners = [e.coder_id for e in store.events() if e.coder_id is not None]
        switches = sum(a != b for a, b in zip(owners, owners[1:], strict=False))
        assert switches >= 4, f"the processes did not overlap ({switches} switches)"
        # Blindness in the data too: each coder's codings carry their own coder id only.
        assert {c.coder_id for c in store.codings()} <= {c.id for c in store.coders()}
