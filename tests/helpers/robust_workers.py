"""A coder process for the concurrency tests: random actions through CodingSession.

Each process keeps its own model of what its actions must have left in the file (live
codings, done marks, memos, and a linear undo/redo stack), built only from what it
asked for and what the session acknowledged, never read back from the database. The
test then compares every process's model and acknowledged event list with the file.
"""

from __future__ import annotations

import random
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

Key = tuple[int, int, int, int]  # source_id, code_id, start, end


@dataclass
class CoderModel:
    """What one coder's acknowledged actions must have left in the file."""

    codings: set[Key] = field(default_factory=set)
    done: set[int] = field(default_factory=set)
    memos: dict[str, str] = field(default_factory=dict)
    stack: list[tuple[Any, ...]] = field(default_factory=list)
    redoable: list[tuple[Any, ...]] = field(default_factory=list)

    def apply(self, step: tuple[Any, ...], *, backwards: bool = False) -> None:
        """Apply an action record (or revert it)."""
        action = step[0]
        if action in ("coding.add", "coding.remove"):
            present = (action == "coding.add") != backwards
            (self.codings.add if present else self.codings.discard)(step[1])
        elif action in ("review.done", "review.undone"):
            present = (action == "review.done") != backwards
            (self.done.add if present else self.done.discard)(step[1])
        elif action == "memo.set":
            _, guid, before, after = step
            value = before if backwards else after
            if value:
                self.memos[guid] = value
            else:
                self.memos.pop(guid, None)

    def did(self, step: tuple[Any, ...]) -> None:
        """Record a new action: applied, pushed on the undo stack, redo cleared."""
        self.apply(step)
        self.stack.append(step)
        self.redoable.clear()


def code_as(path: str, name: str, seed: int, actions: int, barrier: Any, results: Any) -> None:
    """Run ``actions`` random actions as coder ``name``; put (name, status, ...) on results."""
    from qualcode.storage import Store
    from qualcode.tui.session import CodingSession

    acked: list[str] = []
    mismatches: list[str] = []
    try:
        store = Store.open(path)
        session = CodingSession(store, store.coder(name))
        codes = [c.id for c in store.codebook() if c.codable]
        units = [u.id for u in store.units()]
        rng = random.Random(seed)
        model = CoderModel()
        barrier.wait(timeout=120)
        started = time.monotonic()
        for i in range(actions):
            view = session.open(rng.choice(units))
            unit, roll = view.unit, rng.random()
            if roll < 0.5:
                code = rng.choice(codes)
                if roll < 0.35:
                    outcome, _ = session.toggle(code)
                    key = (unit.source_id, code, unit.start, unit.end)
                else:
                    start = rng.randint(1, len(view.text) - 2)
                    end = rng.randint(start + 1, len(view.text) - 1)
                    outcome, _ = session.toggle(code, start, end)
                    key = (unit.source_id, code, unit.start + start, unit.start + end)
                expected = "removed" if key in model.codings else "added"
                if outcome != expected:
                    mismatches.append(f"toggle {key}: {outcome}, model says {expected}")
                model.did(("coding.add" if outcome == "added" else "coding.remove", key))
                acked.append(f"coding.{'add' if outcome == 'added' else 'remove'}")
            elif roll < 0.58 and view.codings:
                coding = rng.choice(view.codings)
                session.remove(coding.id)
                model.did(("coding.remove", (coding.source_id, coding.code_id, coding.start,
                                             coding.end)))
                acked.append("coding.remove")
            elif roll < 0.7:
                changed = session.mark_done()
                if changed == (unit.id in model.done):
                    mismatches.append(f"mark_done {unit.id}: {changed}")
                if changed:
                    model.did(("review.done", unit.id))
                    acked.append("review.done")
            elif roll < 0.75:
                changed = session.mark_not_done()
                if changed != (unit.id in model.done):
                    mismatches.append(f"mark_not_done {unit.id}: {changed}")
                if changed:
                    model.did(("review.undone", unit.id))
                    acked.append("review.undone")
            elif roll < 0.85:
                text = f"{name} memo {i}"
                model.did(("memo.set", unit.guid, model.memos.get(unit.guid), text))
                session.set_memo("unit", unit.guid, text)
                acked.append("memo.set")
            else:
                redo = roll >= 0.95
                event, _ = session.redo() if redo else session.undo()
                source, target = ((model.redoable, model.stack) if redo
                                  else (model.stack, model.redoable))
                if not source:
                    if event is not None:
                        mismatches.append(f"{'redo' if redo else 'undo'} of nothing gave {event}")
                    continue
                step = source.pop()
                if event is None or event.action != step[0]:
                    mismatches.append(f"{'redo' if redo else 'undo'}: {event} for {step}")
                model.apply(step, backwards=not redo)
                target.append(step)
                acked.append("redo" if redo else "undo")
        elapsed = time.monotonic() - started
        store.close()
        results.put((name, "ok", acked, sorted(model.codings), sorted(model.done),
                     model.memos, mismatches, elapsed))
    except BaseException:  # a "database is locked" above all: report it, never hide it
        results.put((name, "error", acked, traceback.format_exc(), None, None, mismatches, 0.0))
