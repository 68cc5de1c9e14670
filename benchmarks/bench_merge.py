"""Merge benchmark: a generated project merged into a copy of itself, GUID lookups indexed or not.

A project of N answers (about 200 characters each) with a ten-code codebook and two coders'
codings (about 1.5 per unit each, real uuid4 GUIDs) and done marks is generated in-process
(setup, not measured), then copied: the copy plays the second coder's file. Then, each a
real ``qualcode merge PROJECT COPY`` in its own process (interpreter start-up, reading the
copy whole, the automatic backup and the merge transaction included):

- qualcode: the schema as it is (m005's ``lower(guid)`` expression indexes present);
- before m005: the same merge on fresh copies with those indexes dropped, which is exactly
  the code path before the fix (the lookups are ``WHERE lower(guid) = ?`` either way), so
  every entity lookup scans its table. Run only up to ``--before-max`` units: it grows
  with the square of the project;
- baseline: copying the project file (``shutil.copyfile``), the floor of any merge.

Every entity already exists in the project, so the merge reports everything unchanged:
nearly all of its time is GUID lookups. Ratios divide by the file copy, and before by after.

    .venv/bin/python benchmarks/bench_merge.py                       # 5,000 and 50,000 units
    .venv/bin/python benchmarks/bench_merge.py --units 2000 --before-max 2000
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
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_tui  # noqa: E402  (pseudo-word sentences shared with the other benchmarks)

BIN = Path(sys.executable).parent


def make_project(path: Path, units: int) -> int:
    """Generate the project; return how many codings it holds."""
    from qualcode.model import CodeKind, SourceRecord
    from qualcode.storage import Store

    rng = random.Random(5)
    with Store.create(path) as store:
        store.import_sources(
            SourceRecord(f"U{i:06d}", " ".join(bench_tui.sentence(rng) for _ in range(2)),
                         metadata={"study": f"S{i % 40:02d}"}) for i in range(units))
        for index, name in enumerate(("Experience", "Barriers")):
            theme = store.add_code(name, kind=CodeKind.THEME)
            for number in range(4):
                store.add_code(f"Code {index}{number}", parent_id=theme.id)
        store.coder("alice")
        store.coder("bob")
    conn = sqlite3.connect(path, isolation_level=None)
    codes = [r[0] for r in conn.execute("SELECT id FROM codes WHERE kind = 'code'")]
    coders = [r[0] for r in conn.execute("SELECT id FROM coders")]
    rows = conn.execute("SELECT id, source_id, \"end\" FROM units WHERE kind = 'source'").fetchall()
    now = "2026-01-01T00:00:00+00:00"
    conn.execute("BEGIN IMMEDIATE")
    codings = []
    for coder in coders:
        for _, source_id, end in rows:
            for code in {rng.choice(codes)} | ({rng.choice(codes)} if rng.random() < 0.5
                                               else set()):
                codings.append((str(uuid.uuid4()), coder, source_id, code, 0, end, now))
        conn.executemany("INSERT INTO reviews(unit_id, coder_id, layer, done_at) VALUES "
                         "(?, ?, 'coder', ?)", [(u[0], coder, now) for u in rows])
    conn.executemany('INSERT INTO codings(guid, coder_id, source_id, code_id, start, "end", '
                     "layer, created_at) VALUES (?, ?, ?, ?, ?, ?, 'coder', ?)", codings)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return len(codings)


def drop_guid_indexes(path: Path) -> None:
    """Remove m005's indexes: the schema the merge ran on before the fix."""
    from qualcode.storage.schema import GUID_TABLES

    conn = sqlite3.connect(path, isolation_level=None)
    for table in GUID_TABLES:
        conn.execute(f"DROP INDEX IF EXISTS {table}_by_lower_guid")
    conn.close()


def timed_merge(project: Path, other: Path) -> float:
    """Run ``qualcode merge`` to completion; return wall-clock seconds."""
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "qualcode"), "merge", str(project), str(other)],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "Nothing to merge" not in done.stdout:
        raise SystemExit(f"merge failed or changed something ({done.returncode}):\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def measure(folder: Path, units: int, before: bool) -> dict[str, float]:
    """Generate one project and time the copy, the merge, and (optionally) the merge before."""
    project = folder / f"p{units}.qualcode"
    codings = make_project(project, units)
    started = time.perf_counter()
    shutil.copyfile(project, folder / f"p{units}-copy.qualcode")
    copy = time.perf_counter() - started
    result = {"units": units, "codings": codings, "copy": copy,
              "after": timed_merge(project, folder / f"p{units}-copy.qualcode")}
    if before:
        old, old_other = folder / f"old{units}.qualcode", folder / f"old{units}-copy.qualcode"
        shutil.copyfile(project, old)
        shutil.copyfile(project, old_other)
        drop_guid_indexes(old)
        drop_guid_indexes(old_other)
        result["before"] = timed_merge(old, old_other)
    return result


def main() -> None:
    """Run the sizes asked for and print one Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--before-max", type=int, default=10000,
                        help="time the merge before m005 only up to this many units")
    parser.add_argument("--dir", type=Path, help="keep the generated files here")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-merge-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        results = [measure(folder, n, n <= args.before_max) for n in args.units]
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}\n")
    print("| units | codings | file copy s | qualcode merge s | merge / copy | merge before "
          "m005 s | before / after |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        before = r.get("before")
        tail = (f"{before:.2f} | {before / r['after']:.1f}" if before is not None
                else "not run | ")
        print(f"| {r['units']:,} | {r['codings']:,} | {r['copy']:.3f} | {r['after']:.2f} | "
              f"{r['after'] / r['copy']:.0f} | {tail} |")


if __name__ == "__main__":
    main()
