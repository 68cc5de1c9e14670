"""Run the CLI in a child whose memory is capped and measured: the ceiling refusals keep.

Shared by the memory tests in tests/robustness/: the child's address space is capped
(RLIMIT_AS, so a regression fails fast instead of eating the machine) and its peak
resident memory (VmHWM) is reported at exit.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

CEILING_MB = 500
"""Peak resident memory allowed for any refusal (README: What qualcode refuses, and why)."""
ADDRESS_LIMIT = 1536 << 20
"""Address-space cap of the child: a bomb that gets through dies here, not in the machine."""

CHILD = r'''
import atexit, os, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
def report():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(os.environ["QUALCODE_TEST_PEAK"], "w") as handle:
        handle.write(str(peak // 1024))
atexit.register(report)
from qualcode.cli import main
main(sys.argv[2:], prog_name="qualcode")
'''


def measured(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``qualcode ARGS`` in a capped child; return it and its peak RSS in MB."""
    peak_file = tmp_path / "peak.txt"
    peak_file.unlink(missing_ok=True)
    env = dict(os.environ, QUALCODE_TEST_PEAK=str(peak_file), OPENBLAS_NUM_THREADS="1",
               COLUMNS="200")
    done = subprocess.run([sys.executable, "-c", CHILD, str(ADDRESS_LIMIT), *args],
                          capture_output=True, text=True, env=env, timeout=300)
    assert peak_file.exists(), f"the child died without reporting: {done.stderr[-800:]}"
    return done, int(peak_file.read_text())


def assert_refused(done: subprocess.CompletedProcess[str], peak: int, file: Path) -> str:
    """A clean refusal: exit 1, one line naming the file, no traceback, under the ceiling."""
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.returncode == 1, (done.returncode, done.stdout[-500:], done.stderr[-500:])
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert file.name in lines[0]
    assert peak < CEILING_MB, f"peak {peak} MB refusing {file.name}"
    return lines[0]


def rows(path: Path, sql: str) -> list[tuple]:
    """Return the rows of a read-only query on a project (no connection left open)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
