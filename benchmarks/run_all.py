"""Run every benchmark of the project and print a summary (``make bench``).

Each ``benchmarks/bench_*.py`` runs in its own process, one after another (they time
things, so never in parallel); its Markdown output is saved to ``benchmarks/out/<name>.md``
and printed after the summary table. A script added later is picked up automatically (run
with no arguments); give it a baseline description and quick arguments in :data:`KNOWN`.

    .venv/bin/python benchmarks/run_all.py            # full sizes (about an hour)
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a few minutes
    .venv/bin/python benchmarks/run_all.py --only bench_scale bench_agreement
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

# script -> (what it is compared with, arguments for --quick)
KNOWN: dict[str, tuple[str, list[str]]] = {
    "bench_import": ("sqlite-utils insert --csv", ["--rows", "20000"]),
    "bench_server": ("the same commands on the project file; one frame at 60 Hz",
                     ["--units", "20000", "--actions", "200"]),
    "bench_documents": ("pdfminer extract_text; python-docx paragraph texts",
                        ["--pages", "60", "--paragraphs", "4000"]),
    "bench_agreement": ("scikit-learn cohen_kappa_score loop; bare numpy bincount", ["--quick"]),
    "bench_tui": ("bare Store.add_coding; minimal Textual app", ["--units", "5000",
                                                                "--presses", "40"]),
    "bench_suggest": ("TF-IDF + one-vs-rest logistic regression (design.md §5)",
                      ["--sizes", "2000"]),
    "bench_tui_suggest": ("coding screen with suggestions off", ["--units", "4000",
                                                                 "--bursts", "2"]),
    "bench_merge": ("file copy; the same merge without the lower(guid) indexes",
                    ["--units", "2000", "--before-max", "2000"]),
    "bench_scale": ("sqlite-utils; minimal Textual app; one frame; SQL/numpy floors; file copy",
                    ["--units", "20000", "--presses", "20"]),
}


def scripts() -> list[str]:
    """Every benchmark script, known ones first in a sensible order."""
    found = sorted(p.stem for p in HERE.glob("bench_*.py"))
    return [name for name in KNOWN if name in found] + [n for n in found if n not in KNOWN]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; return 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these scripts")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    chosen = [n for n in scripts() if not args.only or n in args.only]
    results = []
    for name in chosen:
        baseline, quick = KNOWN.get(name, ("(see the script)", []))
        command = [sys.executable, str(HERE / f"{name}.py"), *(quick if args.quick else [])]
        print(f"running {' '.join(command[1:])} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        minutes = (time.perf_counter() - started) / 60
        output = done.stdout if done.returncode == 0 else done.stdout + done.stderr[-4000:]
        target = OUT / f"{name}{'-quick' if args.quick else ''}.md"
        target.write_text(output, encoding="utf-8")
        results.append((name, baseline, done.returncode, minutes, target, output))

    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    print(f"# Benchmarks, {stamp}{' (quick sizes)' if args.quick else ''}\n")
    print("Timings are wall clock on a machine that may be shared: compare the ratios "
          "(qualcode against a baseline measured in the same run), not absolute times.\n")
    print("| benchmark | compared with | status | minutes | output |")
    print("|---|---|---|---:|---|")
    for name, baseline, code, minutes, target, _ in results:
        status = "ok" if code == 0 else f"FAILED ({code})"
        print(f"| {name} | {baseline} | {status} | {minutes:.1f} | "
              f"{target.relative_to(HERE.parent)} |")
    for name, _, _, _, _, output in results:
        print(f"\n## {name}\n\n{output.strip()}")
    return 1 if any(code for _, _, code, _, _, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
