"""Suggester speed and memory: fit at 10,000 and 50,000 units, suggest per 1,000 units.

Texts and labels are goemotions comments (train + dev + test, 54k; ../shared/data). Each
model runs in a fresh Python process so its peak resident memory (ru_maxrss) is its own.
Named baseline, measured in the same run: scikit-learn TF-IDF word 1-2 grams (sublinear)
+ OneVsRestClassifier(LogisticRegression(class_weight="balanced", solver="liblinear")),
the plain model of design.md §5. Nothing is saved.

Every time is given twice: wall clock, and the CPU time of the process (all its threads;
``time.process_time``). On a shared machine the wall time grows with other people's load
while the CPU time barely does, so the two together say what the code costs. Both
children run with one BLAS/OpenMP thread (see :func:`child`). Scoring is
timed on units the model has never seen, each measurement on a fresh copy of the fitted
model (read back from its stored bytes, as the coding screen's worker does), so no
per-word memo is warm from an earlier measurement; the best of ``--rounds`` is kept.

    .venv/bin/python benchmarks/bench_suggest.py [--sizes 10000,50000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "goemotions"
PREDICT_UNITS = 2_000
"""Units per scoring measurement (50,000 training units leave 4,263 goemotions comments
unseen: two sets of 2,000 and a few for warming up)."""
WARM_UNITS = 50


def load(limit: int) -> tuple[list[str], list[set[int]]]:
    """Return the first ``limit`` goemotions texts and label sets (code ids from 1)."""
    texts: list[str] = []
    labels: list[set[int]] = []
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        with (DATA / name).open(encoding="utf-8") as handle:
            for line in handle:
                text, ids, _ = line.rstrip("\n").split("\t")
                texts.append(text)
                labels.append({int(i) + 1 for i in ids.split(",")})
    return texts[:limit], labels[:limit]


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """Run ``call``; return (wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(model_name: str, size: int, rounds: int) -> dict[str, float]:
    """Fit one model on ``size`` units and time predictions; runs inside the child process."""
    sys.path.insert(0, str(ROOT))
    from qualcode.model import Code, Codebook

    names = (DATA / "emotions.txt").read_text(encoding="utf-8").split()
    book = Codebook(tuple(Code(i + 1, f"g{i}", n) for i, n in enumerate(names)))
    texts, labels = load(size + 2 * PREDICT_UNITS + WARM_UNITS)
    if len(texts) < size + 2 * PREDICT_UNITS + WARM_UNITS:
        raise SystemExit(f"goemotions has {len(texts):,} comments: fit on at most "
                         f"{len(texts) - 2 * PREDICT_UNITS - WARM_UNITS:,}")
    train_texts, train_labels = texts[:size], labels[:size]
    warm = texts[size:size + WARM_UNITS]
    scored = texts[size + WARM_UNITS:size + WARM_UNITS + PREDICT_UNITS]
    suggested = texts[size + WARM_UNITS + PREDICT_UNITS:]
    if model_name == "baseline":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from goemotions_quality import SklearnBaseline

        model = SklearnBaseline()
        fresh = lambda: model  # noqa: E731  (nothing memoised: the same model will do)
    else:
        from qualcode.nlp.pipeline import build_pipeline
        from qualcode.nlp.suggester import CodeSuggester

        build_pipeline()  # loading spaCy is start-up cost, not fitting
        model = CodeSuggester()
        fresh = lambda: CodeSuggester.from_bytes(stored)  # noqa: E731
    fit_wall, fit_cpu = timed(lambda: model.fit(train_texts, train_labels, book))
    if model_name != "baseline":
        stored = model.to_bytes()
    result = {"fit_s": fit_wall, "fit_cpu_s": fit_cpu}
    per_1000 = 1000 / PREDICT_UNITS
    for key, texts_, method in (("scores", scored, "scores"),
                                ("suggest", suggested, "suggest_many")):
        if not hasattr(model, method):
            continue
        best_wall = best_cpu = float("inf")
        for _ in range(rounds):
            copy = fresh()
            copy.scores(warm)  # first-call costs (imports, allocations), not per-unit work
            wall, cpu = timed(partial(getattr(copy, method), texts_))
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        result[f"{key}_ms"] = best_wall * 1000 * per_1000
        result[f"{key}_cpu_ms"] = best_cpu * 1000 * per_1000
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def child(model_name: str, size: int, rounds: int) -> dict[str, float]:
    """Run :func:`measure` in a fresh interpreter and return its numbers."""
    # One BLAS/OpenMP thread: with two, the baseline's CPU time doubled for no gain in wall
    # time (idle threads spinning), which would flatter qualcode's CPU figure.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    output = subprocess.run([sys.executable, __file__, "--child", model_name, str(size),
                             str(rounds)], check=True, capture_output=True, text=True,
                            env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def cell(run: dict[str, float], key: str) -> str:
    """``wall / CPU`` milliseconds per 1,000 units, or ``-`` when not measured."""
    if f"{key}_ms" not in run:
        return "-"
    return f"{run[f'{key}_ms']:.0f} / {run[f'{key}_cpu_ms']:.0f}"


def main() -> None:
    """Print a markdown table: qualcode beside the baseline at each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--rounds", type=int, default=3,
                        help="scoring measurements per model, best kept (default 3)")
    parser.add_argument("--child", nargs=3, metavar=("MODEL", "SIZE", "ROUNDS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]), int(args.child[2]))))
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores: above 2, other "
          "processes wait for a core)\n")
    print("| units | model | fit s, wall / CPU | fit wall vs baseline | scores ms/1,000, "
          "wall / CPU | suggest+terms ms/1,000, wall / CPU | peak MB |")
    print("|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        runs = {name: child(name, size, args.rounds) for name in ("baseline", "qualcode")}
        for name, run in runs.items():
            ratio = run["fit_s"] / runs["baseline"]["fit_s"]
            print(f"| {size:,} | {name} | {run['fit_s']:.2f} / {run['fit_cpu_s']:.2f} | "
                  f"{ratio:.2f}x | {cell(run, 'scores')} | {cell(run, 'suggest')} | "
                  f"{run['peak_mb']:.0f} |", flush=True)
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
