"""Scale benchmark: a generated 1,000,000-unit project, end to end, each step beside a baseline.

Steps (each a real ``qualcode`` command in its own process unless said otherwise):

1. import the corpus CSV (``qualcode import``) -- baseline ``sqlite-utils insert --csv``;
2. two coders' codings written straight into the file (setup for the later steps, not a
   measured feature: about 1.5 codes per unit each, every unit marked done by both);
3. open the coding screen: process start to the first unit on a pseudo-terminal (the
   bench_tui.py approach) -- baseline: a minimal Textual app's first paint;
4. code: code keys stored and redrawn -- baseline: one frame at 60 Hz (16.7 ms);
5. agreement per code and theme over the million units (``qualcode agreement --format
   json``) -- baseline: one SQL read of the codings into numpy plus ``binary_agreement``
   in-process (the arithmetic floor);
6. theme table (``qualcode export themes``) -- baseline: one ``GROUP BY`` count of the
   codings per code in SQLite;
7. code-by-study matrix of counts (``qualcode export matrix --rows code --count``) --
   baseline: one ``GROUP BY`` code and study (from the metadata JSON) over the codings;
8. code co-occurrence (``qualcode export cooccurrence``) -- baseline: one self-join of
   the codings on their source, ``GROUP BY`` code pair;
9. ``qualcode check`` -- baseline ``PRAGMA integrity_check`` alone;
10. ``qualcode backup`` -- baseline: copying the file (``shutil.copyfile``).

The ratio divides qualcode's time by the baseline's. Timings are wall clock.

    .venv/bin/python benchmarks/bench_scale.py                     # 1,000,000 units
    .venv/bin/python benchmarks/bench_scale.py --units 50000 --dir /tmp/scale
    .venv/bin/python benchmarks/bench_scale.py --only agreement themes   # just those steps
    .venv/bin/python benchmarks/bench_scale.py --only themes matrix cooccurrence

Peak resident memory of every ``qualcode`` command run is printed under the table.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_tui  # noqa: E402  (pseudo-terminal driver shared with the coding-screen bench)

BIN = Path(sys.executable).parent
FRAME_MS = 1000 / 60
PAINT_TIMEOUT = 900.0
KEYS = bench_tui.KEYS
STEPS = ("import", "screen", "agreement", "themes", "matrix", "cooccurrence", "check", "backup")


def timed(func: Callable[[], object]) -> tuple[float, object]:
    """Run ``func``; return (seconds, result)."""
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


PEAK_MB: dict[str, float] = {}
"""Peak resident memory (MB) of each command run, by its command (and export's subcommand)."""


def run(argv: list[str]) -> float:
    """Run a command to completion (failing loudly); return its wall-clock seconds.

    The child's peak resident memory is read with ``os.wait4`` and kept in PEAK_MB.
    """
    import os

    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-3000:]
            raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{tail}")
    words = 3 if argv[1:2] == ["export"] else 2  # "qualcode export themes", not "qualcode export"
    PEAK_MB[" ".join(Path(a).name for a in argv[:words])] = usage.ru_maxrss / 1024
    return elapsed


def make_csv(path: Path, units: int) -> None:
    """A corpus of ``units`` answers, about 200 characters each, ids U000000..."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,study_id,text\n")
        for i in range(units):
            text = " ".join(bench_tui.sentence(rng) for _ in range(2)).replace('"', "")
            handle.write(f'U{i:06d},S{i % 40:02d},"{text}"\n')


def add_codebook(project: Path) -> None:
    """Two themes of four codes each, shortcuts a b c e / f g h i (as bench_tui.py)."""
    from qualcode.model import CodeKind
    from qualcode.storage import Store

    with Store.open(project) as store:
        for index, name in enumerate(("Experience", "Barriers")):
            theme = store.add_code(name, kind=CodeKind.THEME)
            for key in KEYS[index * 4:index * 4 + 4]:
                store.add_code(f"Code {key}", parent_id=theme.id, shortcut=key)
        store.coder("alice")
        store.coder("bob")


def bulk_code(project: Path) -> int:
    """Write alice's and bob's codings and done marks directly (one transaction)."""
    conn = sqlite3.connect(project, isolation_level=None)
    codes = [row[0] for row in conn.execute("SELECT id FROM codes WHERE codable = 1 AND "
                                            "kind = 'code' ORDER BY id")]
    coders = dict(conn.execute("SELECT name, id FROM coders"))
    units = conn.execute("SELECT u.id, u.source_id, u.\"end\" FROM units u WHERE kind = 'source' "
                         "ORDER BY id").fetchall()
    rng = random.Random(11)
    now = "2026-01-01T00:00:00+00:00"
    conn.execute("BEGIN IMMEDIATE")
    count = 0
    for name in ("alice", "bob"):
        coder = coders[name]
        rows = []
        for unit_id, source_id, end in units:
            first = rng.choice(codes)
            chosen = {first} | ({rng.choice(codes)} if rng.random() < 0.5 else set())
            if name == "bob" and rng.random() < 0.15:  # disagreement
                chosen = {rng.choice(codes)}
            for code in chosen:
                rows.append((f"{name}-{unit_id}-{code}", coder, source_id, code, 0, end, now))
        conn.executemany('INSERT INTO codings(guid, coder_id, source_id, code_id, start, "end", '
                         "layer, created_at) VALUES (?, ?, ?, ?, ?, ?, 'coder', ?)", rows)
        conn.executemany("INSERT INTO reviews(unit_id, coder_id, layer, done_at) VALUES "
                         "(?, ?, 'coder', ?)", [(u[0], coder, now) for u in units])
        count += len(rows)
    conn.execute("COMMIT")
    conn.close()
    return count


def press(terminal: bench_tui.Terminal, key: str, wait: float = 120.0) -> tuple[float, float]:
    """Like Terminal.press, but waiting up to ``wait`` s for the redraw to begin (a slow
    first key is measured, not mistaken for no redraw)."""
    import os
    import select

    terminal.settle()
    start = time.perf_counter()
    os.write(terminal.fd, key.encode())
    ready, _, _ = select.select([terminal.fd], [], [], wait)
    if not ready:
        raise RuntimeError(f"key {key!r} caused no redraw within {wait:.0f} s")
    os.read(terminal.fd, 1 << 16)
    first = time.perf_counter()
    _, last = terminal.settle()
    return first - start, (last or first) - start


def code_keys(project: Path, presses: int) -> dict[str, object]:
    """First paint, then code keys (every 16th a d), on the big project."""
    terminal = bench_tui.Terminal(bench_tui.qualcode(project))
    paint = terminal.read_until(b"U000000", timeout=PAINT_TIMEOUT) - terminal.started
    terminal.settle(1.0)
    keys, done = [], []
    for index in range(presses):
        keys.append(press(terminal, KEYS[index % len(KEYS)]))
        if index % 16 == 15:
            done.append(press(terminal, "d"))
    memory = terminal.quit()
    conn = sqlite3.connect(project)
    events = conn.execute("SELECT count(*) FROM events e JOIN coders c ON c.id = e.coder_id "
                          "WHERE c.name = 'bench'").fetchone()[0]
    conn.close()
    return {"paint": paint, "code": keys, "done": done, "memory": memory, "events": events}


def agreement_floor(project: Path) -> float:
    """Baseline: read both coders' codings into presence matrices, then binary_agreement."""
    import numpy as np

    from qualcode.agreement import binary_agreement

    def compute() -> object:
        conn = sqlite3.connect(project)
        units = conn.execute("SELECT count(*) FROM units WHERE kind = 'source'").fetchone()[0]
        codes = [r[0] for r in conn.execute("SELECT id FROM codes WHERE kind = 'code' ORDER BY id")]
        column = {code: j for j, code in enumerate(codes)}
        coders = dict(conn.execute("SELECT name, id FROM coders"))
        mats = []
        for name in ("alice", "bob"):
            rows = np.array(conn.execute(
                "SELECT u.position, c.code_id FROM codings c JOIN units u ON u.source_id = "
                "c.source_id AND u.kind = 'source' WHERE c.coder_id = ?",
                [coders[name]]).fetchall(), dtype=np.int64)
            mat = np.zeros((units + 1, len(codes)), dtype=bool)
            mat[rows[:, 0], [column[c] for c in rows[:, 1]]] = True
            mats.append(mat)
        conn.close()
        return binary_agreement(mats[0], mats[1])

    return timed(compute)[0]


def sql_floor(project: Path, sql: str) -> float:
    """Baseline: one SQL statement, fetched completely."""
    def query() -> object:
        conn = sqlite3.connect(project)
        rows = conn.execute(sql).fetchall()
        conn.close()
        return rows
    return timed(query)[0]


def screen_steps(folder: Path, project: Path, presses: int,
                 rows: list[tuple[str, float, str, float]]) -> dict[str, object]:
    """First paint and code keys on the big project, each beside its baseline."""
    hello = bench_tui.hello_baseline(folder, 20)
    coding = code_keys(project, presses)
    rows.append(("coding screen: first paint", coding["paint"], "minimal Textual app first paint",
                 hello["paint"]))
    keys = bench_tui.summary(coding["code"])
    rows.append((f"code key -> stored + redrawn, median of {keys['n']}", keys["median"] / 1000,
                 "one frame at 60 Hz", FRAME_MS / 1000))
    rows.append((f"code key -> stored + redrawn, p99 of {keys['n']}", keys["p99"] / 1000,
                 "one frame at 60 Hz", FRAME_MS / 1000))
    return coding


def main() -> None:
    """Run every step and print one Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--dir", type=Path, help="keep the files here (default: temporary)")
    parser.add_argument("--only", nargs="+", choices=STEPS, default=list(STEPS),
                        help="measure only these steps (the project is always built)")
    args = parser.parse_args()
    only = set(args.only)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="qualcode-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    project, corpus = folder / "scale.qualcode", folder / "scale.csv"
    for stale in folder.glob("scale*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    rows: list[tuple[str, float, str, float]] = []

    make_csv(corpus, args.units)
    run([str(BIN / "qualcode"), "init", str(project)])
    seconds = run([str(BIN / "qualcode"), "import", str(project), str(corpus)])
    if "import" in only:
        baseline = run([str(BIN / "sqlite-utils"), "insert", str(folder / "scale-baseline.db"),
                        "rows", str(corpus), "--csv"])
        rows.append((f"import {args.units:,} rows", seconds, "sqlite-utils insert --csv",
                     baseline))
    add_codebook(project)
    setup, written = timed(lambda: bulk_code(project))
    print(f"(setup: {written:,} codings by two coders written in {setup:.1f} s)", file=sys.stderr)

    coding = screen_steps(folder, project, args.presses, rows) if "screen" in only else None
    if "agreement" in only:
        seconds = run([str(BIN / "qualcode"), "agreement", str(project), "--coders", "alice",
                       "bob", "--format", "json", "-o", str(folder / "scale-agreement.json")])
        rows.append(("agreement, codes and themes", seconds,
                     "SQL read + binary_agreement in-process", agreement_floor(project)))
    if "themes" in only:
        seconds = run([str(BIN / "qualcode"), "export", "themes", str(project), "--layer",
                       "alice", "--study-field", "study_id", "-o",
                       str(folder / "scale-themes.md")])
        rows.append(("theme table (export themes)", seconds, "SQL GROUP BY count per code",
                     sql_floor(project, "SELECT code_id, count(DISTINCT source_id) FROM "
                                        "codings GROUP BY code_id")))
    alice = "(SELECT id FROM coders WHERE name = 'alice')"
    if "matrix" in only:
        seconds = run([str(BIN / "qualcode"), "export", "matrix", str(project), "--layer",
                       "alice", "--rows", "code", "--count", "-o", str(folder / "scale-matrix.md")])
        rows.append(("code by study matrix (export matrix --count)", seconds,
                     "SQL GROUP BY code, study", sql_floor(
                         project, "SELECT c.code_id, json_extract(s.metadata, '$.study_id'), "
                         "count(DISTINCT c.source_id) FROM codings c JOIN sources s ON s.id = "
                         f"c.source_id WHERE c.coder_id = {alice} GROUP BY 1, 2")))
    if "cooccurrence" in only:
        seconds = run([str(BIN / "qualcode"), "export", "cooccurrence", str(project), "--layer",
                       "alice", "-o", str(folder / "scale-cooccurrence.md")])
        rows.append(("code co-occurrence (export cooccurrence)", seconds,
                     "SQL self-join GROUP BY code pair", sql_floor(
                         project, "SELECT a.code_id, b.code_id, count(DISTINCT a.source_id) "
                         "FROM codings a JOIN codings b ON b.source_id = a.source_id AND "
                         f"b.coder_id = a.coder_id WHERE a.coder_id = {alice} GROUP BY 1, 2")))
    if "check" in only:
        seconds = run([str(BIN / "qualcode"), "check", str(project)])
        rows.append(("qualcode check", seconds, "PRAGMA integrity_check",
                     sql_floor(project, "PRAGMA integrity_check")))
    if "backup" in only:
        seconds = run([str(BIN / "qualcode"), "backup", str(project), "-o",
                       str(folder / "scale-backup.qualcode")])
        copy = timed(lambda: shutil.copyfile(project, folder / "scale-copy.qualcode"))[0]
        rows.append(("qualcode backup", seconds, "file copy", copy))

    size = project.stat().st_size / 1e6
    print(f"{args.units:,} units, {size:,.0f} MB project, {date.today().isoformat()}, "
          f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}\n")
    print("| step | qualcode s | baseline | baseline s | ratio |")
    print("|---|---:|---|---:|---:|")
    for step, ours, name, theirs in rows:
        print(f"| {step} | {ours:.3f} | {name} | {theirs:.3f} | {ours / theirs:.2f} |")
    print("\npeak memory (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in PEAK_MB.items()))
    if coding is not None:
        first = coding["code"][0][1] * 1000
        done = bench_tui.summary(coding["done"]) if coding["done"] else {"median": float("nan")}
        print(f"first code key {first:.0f} ms; d (done, next not-done unit) median "
              f"{done['median']:.0f} ms; events written by the key presses: "
              f"{coding['events']:,}; coding screen peak memory {coding['memory']:.0f} MB")
    if args.dir is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
