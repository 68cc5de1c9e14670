"""Benchmark ``qualcode import`` against a plain ``sqlite-utils insert --csv`` of the same file.

For each size, a CSV (id, study, participant, ~200 characters of text) is generated with
a seeded RNG, then each tool runs in its own subprocess: wall time from start to exit,
peak memory from the child's own resource usage (``os.wait4``), so neither run's memory
is mixed with the other's or with this script's.

Usage: .venv/bin/python benchmarks/bench_import.py --rows 100000 1000000
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SYLLABLES = ("ka ri to me na su lo pe vi da ne mo ta shi ru ko ba li fe go "
             "an el in or um at es is on ur").split()


@dataclass(frozen=True)
class Run:
    """One timed subprocess: what ran, how long, how much memory at most."""

    tool: str
    rows: int
    seconds: float
    peak_mb: float

    @property
    def rate(self) -> float:
        """Rows per second."""
        return self.rows / self.seconds


def vocabulary(rng: random.Random, size: int = 3_000) -> list[str]:
    """Return ``size`` pseudo-words of 1 to 4 syllables (varied, like real free text)."""
    return ["".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(size)]


def make_csv(path: Path, rows: int, seed: int = 20240501) -> None:
    """Write a corpus CSV of ``rows`` rows: id, study, participant, text of ~200 characters."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "study", "participant", "text"])
        for i in range(rows):
            parts: list[str] = []
            length = 0
            while length < 200:
                word = rng.choice(words)
                parts.append(word)
                length += len(word) + 1
            sentence = " ".join(parts).capitalize() + rng.choice((".", "!", "?", "..."))
            writer.writerow([f"r{i:07d}", f"S{rng.randint(1, 40):02d}",
                             f"P{rng.randint(1, 5000):04d}", sentence])


def measure(tool: str, rows: int, command: list[str]) -> Run:
    """Run ``command`` to completion; return its wall time and its own peak RSS."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        # wait4 reports the resource use of exactly this child, unlike RUSAGE_CHILDREN,
        # which keeps the maximum over every child waited for so far.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        message = errors.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{tool} failed ({process.returncode}): {message}")
    return Run(tool, rows, seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def bench(rows: int, folder: Path) -> tuple[Run, Run]:
    """Import one generated file with qualcode and with sqlite-utils; return both runs."""
    corpus = folder / f"corpus_{rows}.csv"
    if not corpus.exists():
        print(f"generating {corpus.name} ...", file=sys.stderr)
        make_csv(corpus, rows)
    bin_dir = Path(sys.executable).parent
    project = folder / f"bench_{rows}.qualcode"
    baseline_db = folder / f"baseline_{rows}.sqlite"
    for stale in (project, baseline_db):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{stale}{suffix}").unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "qualcode", "init", str(project)], check=True,
                   stdout=subprocess.DEVNULL)
    ours = measure("qualcode import", rows,
                   [sys.executable, "-m", "qualcode", "import", str(project), str(corpus)])
    base = measure("sqlite-utils insert --csv", rows,
                   [str(bin_dir / "sqlite-utils"), "insert", str(baseline_db), "rows",
                    str(corpus), "--csv"])
    for db, table in ((project, "sources"), (baseline_db, "rows")):
        with sqlite3.connect(db) as conn:
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if count != rows:
            raise SystemExit(f"{db} holds {count} rows, expected {rows}")
    return ours, base


def table(results: list[tuple[Run, Run]]) -> str:
    """Return a Markdown table of the runs, with qualcode / baseline ratios."""
    lines = ["| rows | tool | seconds | rows/s | peak MB |",
             "|---:|---|---:|---:|---:|"]
    for ours, base in results:
        for run in (ours, base):
            lines.append(f"| {run.rows:,} | {run.tool} | {run.seconds:.1f} | {run.rate:,.0f} | "
                         f"{run.peak_mb:.0f} |")
        lines.append(f"| {ours.rows:,} | ratio qualcode / baseline | "
                     f"{ours.seconds / base.seconds:.2f} | {ours.rate / base.rate:.2f} | "
                     f"{ours.peak_mb / base.peak_mb:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Parse options, run the benchmark for each size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="corpus sizes to benchmark (default: 100000 1000000)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="work folder (default: a temporary folder, removed afterwards)")
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="qualcode-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        results = [bench(rows, folder) for rows in args.rows]
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version}")
    print(table(results))


if __name__ == "__main__":
    main()
