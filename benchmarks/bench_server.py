"""The same commands on a project file and on a PostgreSQL server project, in one run.

A project of ``--units`` sources is built as a file (corpus import, an 8-code codebook,
two coders' codings and done marks written straight into the file, as bench_scale.py
does), then moved to a throwaway local PostgreSQL server with ``qualcode copy``. Each step
runs as a real ``qualcode`` command in its own process on both, and prints the server's
time beside the file's (target: within 2x):

agreement per code and theme (``--format json``), the theme table (``export themes``),
the code-by-study matrix (``export matrix --rows code --count``) and co-occurrence.

Then the cost of one coding action as the coding screen makes it (``Store.add_coding``
then ``mark_done``, each one transaction) over a local Unix socket, median of
``--actions`` actions, beside the same on the file and against one frame at 60 Hz.

    .venv/bin/python benchmarks/bench_server.py                 # 100,000 units
    .venv/bin/python benchmarks/bench_server.py --units 20000 --actions 200
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import bench_scale  # noqa: E402  (project builder and the timed command runner)

from helpers.store_engines import ThrowawayServer  # noqa: E402

BIN = Path(sys.executable).parent / "qualcode"
FRAME_MS = 1000 / 60
STEPS = {
    "agreement, codes and themes": ["agreement", "{p}", "--coders", "alice", "bob",
                                    "--format", "json"],
    "theme table (export themes)": ["export", "themes", "{p}", "--layer", "alice",
                                    "-o", "{out}/themes.csv"],
    "code by study matrix": ["export", "matrix", "{p}", "--layer", "alice", "--rows", "code",
                             "--count", "-o", "{out}/matrix.csv"],
    "code co-occurrence": ["export", "cooccurrence", "{p}", "--layer", "alice",
                           "-o", "{out}/cooc.csv"],
}


def build(folder: Path, units: int) -> Path:
    """The file project the run starts from."""
    project = folder / "scale.qualcode"
    corpus = folder / "corpus.csv"
    bench_scale.make_csv(corpus, units)
    bench_scale.run([str(BIN), "init", str(project)])
    bench_scale.run([str(BIN), "import", str(project), str(corpus)])
    bench_scale.add_codebook(project)
    bench_scale.bulk_code(project)
    return project


def action_ms(location: str, actions: int) -> float:
    """Median milliseconds of one code key as stored: a coding, then the unit marked done."""
    from qualcode.storage import Store

    with Store.open(location) as store:
        coder = store.coder("carol")
        code = store.codebook().find("Code a")[0]
        units = store.units(limit=actions)
        times = []
        for unit in units:
            started = time.perf_counter()
            store.add_coding(coder.id, unit.source_id, code.id)
            store.mark_done(unit.id, coder.id)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    """Build, copy to the server, time each step on both, print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--actions", type=int, default=500)
    args = parser.parse_args()
    server = ThrowawayServer()
    why = server.unavailable()
    if why:
        raise SystemExit(f"no PostgreSQL server can be started here: {why}")
    base = server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-server-") as name:
            folder = Path(name)
            project = build(folder, args.units)
            url = f"{base}{'&' if '?' in base else '?'}project=bench"
            copy_s = bench_scale.run([str(BIN), "copy", str(project), url])
            rows = []
            for step, argv in STEPS.items():
                times = []
                for location in (str(project), url):
                    words = [w.format(p=location, out=folder) for w in argv]
                    times.append(bench_scale.run([str(BIN), *words]))
                rows.append((step, *times))
            actions = [action_ms(str(project), args.actions), action_ms(url, args.actions)]
    finally:
        server.stop()
    print(f"{args.units:,} units; copy to the server: {copy_s:.1f} s")
    print("| step | file s | server s | server / file |")
    print("|---|---:|---:|---:|")
    for step, on_file, on_server in rows:
        print(f"| {step} | {on_file:.2f} | {on_server:.2f} | {on_server / on_file:.2f} |")
    print()
    print("| one coding action (coding + done mark), median ms | file | server | "
          "frame at 60 Hz |")
    print("|---|---:|---:|---:|")
    print(f"| {args.actions} actions | {actions[0]:.2f} | {actions[1]:.2f} | {FRAME_MS:.1f} |")


if __name__ == "__main__":
    main()
