"""Scoring a suggester on held-out coded units: F1, top-k hits, per code, and timing.

Definitions (per unit, over the held-out units):
- micro/macro F1 of the predicted code sets (scores at or above each code's threshold);
  macro F1 averages codes that occur in the held-out gold labels or were predicted.
- ``top1_hit``: share of units with at least one gold code whose best-ranked code is gold.
- ``top3_recall``: per unit with gold codes, the share of them among the three best-ranked
  codes, averaged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qualcode.model import Codebook


def label_matrix(labels: Sequence[set[int]], code_ids: Sequence[int]) -> np.ndarray:
    """Return a 0/1 matrix (units x codes) of label sets over ``code_ids``."""
    column = {c: k for k, c in enumerate(code_ids)}
    y = np.zeros((len(labels), len(code_ids)), dtype=np.int8)
    for i, present in enumerate(labels):
        for code_id in present:
            if code_id in column:
                y[i, column[code_id]] = 1
    return y


def score_predictions(gold: np.ndarray, predicted: np.ndarray, scores: np.ndarray
                      ) -> dict[str, Any]:
    """Return micro/macro F1, top1_hit, top3_recall and per-column P/R/F1/support."""
    gold = gold.astype(bool)
    predicted = predicted.astype(bool)
    tp = (gold & predicted).sum(axis=0).astype(float)
    fp = (~gold & predicted).sum(axis=0).astype(float)
    fn = (gold & ~predicted).sum(axis=0).astype(float)
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    recall = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=(tp + fn) > 0)
    f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)
    denominator = 2 * tp.sum() + fp.sum() + fn.sum()
    micro = float(2 * tp.sum() / denominator) if denominator else 0.0
    seen = (tp + fp + fn) > 0
    macro = float(f1[seen].mean()) if seen.any() else 0.0
    has_gold = gold.any(axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")
    rows = np.flatnonzero(has_gold)
    top1 = float(gold[rows, order[rows, 0]].mean()) if rows.size else 0.0
    top3 = order[:, :3]
    found = np.take_along_axis(gold, top3, axis=1).sum(axis=1)
    recall3 = float((found[rows] / gold[rows].sum(axis=1)).mean()) if rows.size else 0.0
    per_code = [
        {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for p, r, f, s in zip(precision, recall, f1, gold.sum(axis=0), strict=True)
    ]
    return {"micro_f1": micro, "macro_f1": macro, "top1_hit": top1, "top3_recall": recall3,
            "per_code": per_code}


def splits(n: int, *, train_fraction: float | None, folds: int | None,
           seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return (train, test) index pairs: one shuffled split, or K shuffled folds."""
    order = np.random.default_rng(seed).permutation(n)
    if folds:
        parts = np.array_split(order, folds)
        return [(np.concatenate([p for j, p in enumerate(parts) if j != i]), parts[i])
                for i in range(folds)]
    cut = int(round(n * (train_fraction if train_fraction is not None else 0.8)))
    return [(order[:cut], order[cut:])]


def evaluate(make: Callable[[], object], texts: Sequence[str], labels: Sequence[set[int]],
             codebook: Codebook, *, train_fraction: float | None = None,
             folds: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Fit fresh suggesters from ``make()`` on training parts and score the held-out units.

    With ``folds`` the held-out predictions of every fold are pooled before scoring (each
    unit is scored once). ``per_code`` is keyed by code id here; callers name the codes.
    """
    texts = list(texts)
    labels = list(labels)
    code_ids = [c.id for c in codebook if c.codable]
    gold = label_matrix(labels, code_ids)
    predicted = np.zeros_like(gold)
    scores = np.zeros(gold.shape, dtype=np.float32)
    tested = np.zeros(len(texts), dtype=bool)
    fit_seconds: list[float] = []
    predict_seconds = 0.0
    for train, test in splits(len(texts), train_fraction=train_fraction, folds=folds, seed=seed):
        model = make()
        started = time.perf_counter()
        # Ignored below: make() returns a suggester; its type is the factory's.
        model.fit([texts[i] for i in train], [labels[i] for i in train], codebook)  # type: ignore[attr-defined]
        fit_seconds.append(time.perf_counter() - started)
        held_out = [texts[i] for i in test]
        started = time.perf_counter()
        # Ignored below: make() returns a suggester; its type is the factory's.
        fold_scores = model.scores(held_out)  # type: ignore[attr-defined]
        predict_seconds += time.perf_counter() - started
        scores[test] = fold_scores
        # Ignored below: make() returns a suggester; its type is the factory's.
        predicted[test] = fold_scores >= model.thresholds  # type: ignore[attr-defined]
        tested[test] = True
    result = score_predictions(gold[tested], predicted[tested], scores[tested])
    per_code = result.pop("per_code")
    result["per_code"] = dict(zip(code_ids, per_code, strict=True))
    result["fit_seconds"] = float(np.mean(fit_seconds))
    result["predict_ms_per_1000"] = 1e6 * predict_seconds / max(1, int(tested.sum()))
    return result
