"""A child process the crash tests kill with SIGKILL at a random moment.

``python crash_child.py code PROJECT SEED``: codes for ever through the storage
functions the coding screen calls, printing ``ACK {json}`` only after each action's
transaction committed: the event id, its action, and the live codings and done marks
the child's own model expects at that point.

``python crash_child.py migrate PROJECT ROWS``: opens PROJECT with an extra, slow test
migration registered (it inserts ROWS rows, pausing now and then), so the kill lands
inside the backup taken before migrating or inside the migration; prints ``MIGRATED``.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from qualcode.storage import Store

PROBE_TABLE = "robustness_probe"
PROBE_MIGRATION = "m999_robustness_probe"


def ack(**fields: object) -> None:
    """Tell the parent an action is committed (after the commit, never before)."""
    sys.stdout.write("ACK " + json.dumps(fields) + "\n")
    sys.stdout.flush()


def code(path: Path, seed: int) -> None:
    """Random actions until killed; each acknowledged with the model's expected state."""
    rng = random.Random(seed)
    store = Store.open(path)
    coder = store.coder(f"crash{seed}")
    codes = [c.id for c in store.codebook() if c.codable]
    sources = [(s.id, len(s.text)) for s in store.iter_sources()]
    units = {s.id: store.whole_unit(s.id).id for s in store.iter_sources()}
    live: set[int] = set()
    done: set[int] = set()
    while True:
        roll = rng.random()
        source_id, length = rng.choice(sources)
        if roll < 0.45:
            start = rng.randint(0, length - 1) if roll < 0.2 else None
            end = rng.randint(start + 1, length) if start is not None else None
            live.add(store.add_coding(coder.id, source_id, rng.choice(codes), start, end).id)
        elif roll < 0.6 and live:
            coding_id = rng.choice(sorted(live))
            store.remove_coding(coding_id)
            live.discard(coding_id)
        elif roll < 0.75:
            if not store.mark_done(units[source_id], coder.id):
                continue
            done.add(units[source_id])
        elif roll < 0.85:
            store.set_memo("source", store.source(source_id).guid, f"memo {rng.random()}",
                           coder_id=coder.id)
        else:
            event = store.undo(coder.id)
            if event is None:
                continue
            if event.action == "coding.add":
                live.discard(event.payload["coding_id"])
            elif event.action == "coding.remove":
                live.add(event.payload["coding_id"])
            elif event.action == "review.done":
                done.discard(event.payload["unit_id"])
        event_id, action = store.db.execute(
            "SELECT id, action FROM events WHERE coder_id = ? ORDER BY id DESC LIMIT 1",
            [coder.id]).fetchone()
        ack(event=event_id, action=action, coder=coder.id, live=len(live), done=len(done))


def migrate(path: Path, rows: int) -> None:
    """Open the project with a slow extra migration registered."""
    from qualcode.storage import schema

    def probe(db) -> None:
        db.execute(f"CREATE TABLE {PROBE_TABLE} (n INTEGER NOT NULL)")
        for n in range(rows):
            db.execute(f"INSERT INTO {PROBE_TABLE}(n) VALUES (?)", [n])
            if n % 200 == 0:
                time.sleep(0.01)  # a slow migration: the kill has time to land inside it

    extended = schema.Migrations(schema.MIGRATION_SET)
    extended._migrations = [*schema.migrations._migrations,
                            schema.Migrations._Migration(PROBE_MIGRATION, probe)]
    schema.migrations = extended
    with Store.open(path):
        pass
    print("MIGRATED", flush=True)


if __name__ == "__main__":
    mode, project, number = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    if mode == "code":
        code(project, number)
    elif mode == "migrate":
        migrate(project, number)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
