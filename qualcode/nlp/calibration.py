"""Per-code decision thresholds chosen on held-out units.

Balanced class weights push probabilities of rare codes up, so 0.5 over-predicts them.
Each code's threshold is the one that maximises its F1 on units held out from a
preliminary fit; codes with too few held-out examples keep 0.5.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from qualcode.nlp import linear

HOLDOUT = 0.25
MAX_CALIBRATION_UNITS = 20_000
"""The preliminary fit uses at most this many units, so calibrating stays cheap."""
MIN_HELD_OUT_POSITIVES = 3
GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)


def best_thresholds(gold: np.ndarray, scores: np.ndarray,
                    default: np.ndarray) -> np.ndarray:
    """Return, per column, the grid threshold with the best F1 (``default`` if too few)."""
    result = default.astype(np.float32).copy()
    for k in range(gold.shape[1]):
        positives = gold[:, k].astype(bool)
        if positives.sum() < MIN_HELD_OUT_POSITIVES:
            continue
        predicted = scores[:, k][:, None] >= GRID[None, :]
        tp = (predicted & positives[:, None]).sum(axis=0)
        fp = (predicted & ~positives[:, None]).sum(axis=0)
        fn = positives.sum() - tp
        f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        result[k] = GRID[int(np.argmax(f1))]
    return result


def calibrate(x: sparse.csr_matrix, y: np.ndarray, trainable: np.ndarray, *, c: float,
              seed: int = 0) -> np.ndarray:
    """Return per-code thresholds from a preliminary fit on part of (x, y)."""
    n = x.shape[0]
    order = np.random.default_rng(seed).permutation(n)
    cut = int(n * (1 - HOLDOUT))
    train, test = order[:cut][:MAX_CALIBRATION_UNITS], order[cut:][:MAX_CALIBRATION_UNITS // 3]
    default = np.full(y.shape[1], 0.5, dtype=np.float32)
    usable = trainable & (y[train].sum(axis=0) > 0) & (y[train].sum(axis=0) < len(train))
    if len(test) < 10 or not usable.any():
        return default
    weights, intercepts = linear.fit_codes(x[train], y[train], usable, c=c)
    scores = linear.probabilities(x[test], weights, intercepts)
    thresholds = best_thresholds(y[test][:, usable], scores[:, usable], default[usable])
    default[usable] = thresholds
    return default
