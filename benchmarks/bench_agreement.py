"""Benchmark of qualcode.agreement against a scikit-learn loop and a bare numpy bincount.

Run: .venv/bin/python benchmarks/bench_agreement.py [--quick]

1. Two coders x 100 codes x 100,000 units: ``binary_agreement`` (every per-code
   statistic with analytic SEs and CIs) versus (a) a Python loop calling
   ``sklearn.metrics.cohen_kappa_score`` once per code (kappa only) and (b) a bare
   ``numpy.bincount`` of the per-code 2x2 cells (counts only, no statistic).
2. ``bootstrap_binary``: 1,000 resamples over 10,000 units x 100 codes.

Times are the best of several repeats (wall clock, ``time.perf_counter``). Results
are printed as a table and written to ``benchmarks/out/agreement.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from qualcode.agreement import binary_agreement, bootstrap_binary  # noqa: E402

OUT = ROOT / "out" / "agreement.json"


def best_of(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Smallest wall-clock time of ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def make_codings(units: int, codes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two coders' presence arrays with prevalences 1-50 % and 5-20 % disagreement."""
    rng = np.random.default_rng(seed)
    a = rng.random((units, codes)) < rng.uniform(0.01, 0.5, codes)
    b = a ^ (rng.random((units, codes)) < rng.uniform(0.05, 0.2, codes))
    return a, b


def bare_bincount(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-code 2x2 cells with one bincount: cell index 2a + b, offset by 4 * code."""
    offsets = np.arange(a.shape[1], dtype=np.int64) * 4
    cells = a.view(np.uint8) * np.uint8(2) + b.view(np.uint8) + offsets
    return np.bincount(cells.ravel(), minlength=4 * a.shape[1]).reshape(-1, 4)


def sklearn_loop(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cohen's kappa per code the usual way: one scikit-learn call per column."""
    from sklearn.metrics import cohen_kappa_score

    return np.array([cohen_kappa_score(a[:, j], b[:, j]) for j in range(a.shape[1])])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both benchmarks, print a table, write the JSON file and return the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (for a smoke run)")
    args = parser.parse_args(argv)
    reps = 2 if args.quick else 5

    units, codes = 100_000, 100
    a, b = make_codings(units, codes, seed=20260101)
    binary_agreement(a[:100], b[:100])  # warm imports and caches outside the timing

    t_ours, res = best_of(lambda: binary_agreement(a, b), reps)
    t_bincount, cells = best_of(lambda: bare_bincount(a, b), reps)
    t_sklearn, sk_kappa = best_of(lambda: sklearn_loop(a, b), 1 if args.quick else 3)

    # The fast path must give the same numbers as the references it is timed against.
    assert np.array_equal(cells[:, 3], res.both) and np.array_equal(cells[:, 0], res.neither)
    max_kappa_diff = float(np.max(np.abs(res.kappa - sk_kappa)))
    assert max_kappa_diff < 1e-12, max_kappa_diff

    b_units, b_codes, b_resamples = 10_000, 100, 1_000
    ba, bb = make_codings(b_units, b_codes, seed=7)
    t_boot, boot = best_of(
        lambda: bootstrap_binary(ba, bb, n_resamples=b_resamples, seed=1), 1 if args.quick else 3
    )

    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "binary_agreement": {
            "coders": 2,
            "codes": codes,
            "units": units,
            "qualcode_seconds": t_ours,
            "sklearn_loop_seconds": t_sklearn,
            "bare_bincount_seconds": t_bincount,
            "speedup_vs_sklearn_loop": t_sklearn / t_ours,
            "ratio_to_bare_bincount": t_ours / t_bincount,
            "goal": "speedup_vs_sklearn_loop >= 50 and ratio_to_bare_bincount <= 3",
            "goal_met": bool(t_sklearn / t_ours >= 50 and t_ours / t_bincount <= 3),
            "max_abs_kappa_difference_vs_sklearn": max_kappa_diff,
            "pooled_kappa": res.pooled_kappa,
        },
        "bootstrap_binary": {
            "codes": b_codes,
            "units": b_units,
            "resamples": b_resamples,
            "seconds": t_boot,
            "pooled_kappa_ci": [boot.pooled_kappa_low, boot.pooled_kappa_high],
        },
    }

    rows = [
        ("binary_agreement, all statistics + CIs", t_ours, ""),
        (
            "sklearn cohen_kappa_score loop (kappa only)",
            t_sklearn,
            f"{t_sklearn / t_ours:,.0f}x slower than qualcode",
        ),
        (
            "bare numpy bincount (2x2 counts only)",
            t_bincount,
            f"qualcode takes {t_ours / t_bincount:.2f}x its time",
        ),
        (
            f"bootstrap_binary, {b_resamples:,} resamples",
            t_boot,
            f"{b_units:,} units x {b_codes} codes",
        ),
    ]
    print(f"2 coders x {codes} codes x {units:,} units (best of {reps}); numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs")
    print(f"{'task':<46}{'seconds':>10}  note")
    print("-" * 100)
    for name, secs, note in rows:
        print(f"{name:<46}{secs:>10.4f}  {note}")
    print("-" * 100)
    goal = results["binary_agreement"]["goal_met"]
    print("goal (>= 50x faster than sklearn loop, within 3x of bare bincount): "
          f"{'met' if goal else 'NOT met'}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT.parent)}")
    return results


if __name__ == "__main__":
    main()
