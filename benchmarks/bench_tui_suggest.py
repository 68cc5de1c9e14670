"""Coding screen with suggestions: key latency while the model is fitted in the background.

Drives the real ``qualcode code`` in a pseudo-terminal (helpers from ``bench_tui.py``) on a
project of 20,000 short answers of which the coder has coded and marked done 10,000, so
every fit learns from 10,000 units. Three runs on copies of the same project, same keys:

- ``--suggest off``: the baseline (no model, no pane);
- ``--suggest on``: the pane is filled for every unit opened; the model is fitted at start
  (no stored model yet) and refitted 2 s after the coder pauses. The keys come in bursts:
  after each burst the script pauses 2.5 s so a refit starts, and the next burst is pressed
  while it runs (the burst is shorter than a fit, measured in-process in the same run);
- ``--suggest on --order uncertain``: the same, ranking the 10,000 not-done units by
  uncertainty after every fit.

    .venv/bin/python benchmarks/bench_tui_suggest.py
    .venv/bin/python benchmarks/bench_tui_suggest.py --units 10000 --bursts 4 --dir /tmp/b
"""

from __future__ import annotations

import argparse
import os
import random
import select
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tui import (  # noqa: E402
    KEYS,
    Terminal,
    build_project,
    first_paint,
    summary,
)

from qualcode.storage import Store  # noqa: E402

BURST = 12
"""Key presses per burst (about 2 s of keys: shorter than one fit on 10,000 units)."""
PAUSE = 2.5
"""Seconds between bursts: the refit debounce (2 s) fires in the pause."""


def code_half(path: Path, done: int) -> None:
    """Give coder "bench" codes on the first ``done`` units, by their words, and mark them."""
    store = Store.open(path)
    coder = store.coder("bench")
    codes = {c.shortcut: c.id for c in store.codebook() if c.codable}
    cue = dict(zip("abcefghi", ("patient", "group", "fear", "work", "night", "family",
                                "trust", "leader"), strict=True))
    rng = random.Random(5)
    rows = store.db.execute("SELECT u.id, u.source_id, s.text FROM units u JOIN sources s ON "
                            "s.id = u.source_id ORDER BY u.id LIMIT ?", [done]).fetchall()
    from qualcode.storage.connection import write_transaction

    with write_transaction(store.db):  # one transaction: setting up, not timed
        for unit_id, source_id, text in rows:
            for key, word in cue.items():
                if word in text and rng.random() < 0.7:
                    store.add_coding(coder.id, source_id, codes[key])
            store.mark_done(unit_id, coder.id)
    store.close()


def fit_seconds(path: Path) -> float:
    """Time one fit of the coder's model in this process (what a refit costs)."""
    from qualcode.analysis.suggestions import load_or_fit_suggester

    store = Store.open(path)
    start = time.perf_counter()
    load_or_fit_suggester(store, store.coder("bench"), keep=False)
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def press(terminal: Terminal, key: str) -> tuple[float, float]:
    """Like ``Terminal.press``, but wait up to 10 s for the redraw to begin: a key held up
    by a fit must be measured, not reported as "no redraw"."""
    terminal.settle()
    start = time.perf_counter()
    os.write(terminal.fd, key.encode())
    ready, _, _ = select.select([terminal.fd], [], [], 10.0)
    if not ready:
        raise RuntimeError(f"key {key!r} caused no redraw within 10 s")
    first, last = terminal.settle()
    begun = time.perf_counter() if first is None else first
    return begun - start, (last or begun) - start


def drive(path: Path, options: list[str], bursts: int) -> dict[str, object]:
    """Run ``qualcode code`` with options; bursts of code keys and d, pauses between."""
    argv = [str(Path(sys.executable).parent / "qualcode"), "code", str(path), "--coder",
            "bench", *options]
    paint, terminal = first_paint(argv, b"U0")
    code_keys, done_keys = [], []
    for burst in range(bursts):
        for index in range(BURST):
            code_keys.append(press(terminal, KEYS[(burst + index) % len(KEYS)]))
            if index % 6 == 5:
                done_keys.append(press(terminal, "d"))
        time.sleep(PAUSE)
    memory = terminal.quit()
    return {"paint": paint, "code": code_keys, "done": done_keys, "memory": memory}


def main() -> None:
    """Build the project, fit once in-process, run the three sessions, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--bursts", type=int, default=8)
    parser.add_argument("--dir", type=Path, help="keep projects here (default: temporary)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="qualcode-bench-suggest-"))
    folder.mkdir(parents=True, exist_ok=True)
    pristine = folder / f"suggest-{args.units}.qualcode"
    if not pristine.exists():
        print(f"building a {args.units:,}-unit project, half coded ...", file=sys.stderr)
        build_project(pristine, args.units)
        code_half(pristine, args.units // 2)
    runs = {}
    fit = fit_seconds(pristine)
    for label, options in (("off", ["--suggest", "off"]), ("on", ["--suggest", "on"]),
                           ("uncertain", ["--suggest", "on", "--order", "uncertain"])):
        copy = folder / f"run-{label}.qualcode"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(pristine, copy)
        print(f"driving --suggest {label} ...", file=sys.stderr)
        runs[label] = drive(copy, options, args.bursts)
    if args.dir is None:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\n{args.units:,} units ({args.units // 2:,} done and coded), one fit in-process: "
          f"{fit:.1f} s; bursts of {BURST} keys, {PAUSE} s pauses\n")
    print("| run | key | n | first byte, median ms | complete, median ms | complete, p99 ms "
          "| median / off |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label in ("off", "on", "uncertain"):
        for key, name in (("code", "code key"), ("done", "d -> next unit")):
            stats = summary(runs[label][key])
            reference = summary(runs["off"][key])
            print(f"| --suggest {label} | {name} | {stats['n']} | {stats['first']:.1f} | "
                  f"{stats['median']:.1f} | "
                  f"{stats['p99']:.1f} | {stats['median'] / reference['median']:.2f} |")
    print("\n| run | first paint, s | peak memory, MB |")
    print("|---|---:|---:|")
    for label in ("off", "on", "uncertain"):
        print(f"| --suggest {label} | {runs[label]['paint']:.2f} | {runs[label]['memory']} |")


if __name__ == "__main__":
    main()
