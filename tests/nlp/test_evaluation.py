"""Evaluation metrics, checked against scikit-learn and hand-worked examples; seeded splits."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from qualcode.nlp.evaluation import evaluate, score_predictions, splits
from qualcode.nlp.suggester import CodeSuggester


def test_f1_matches_scikit_learn() -> None:
    rng = np.random.default_rng(7)
    gold = rng.random((60, 5)) < 0.3
    predicted = rng.random((60, 5)) < 0.3
    predicted[:, 4] = gold[:, 4] = False  # a code never seen: left out of macro F1
    result = score_predictions(gold, predicted, rng.random((60, 5)))
    assert np.isclose(result["micro_f1"], f1_score(gold, predicted, average="micro"))
    assert np.isclose(result["macro_f1"],
                      f1_score(gold, predicted, average="macro", labels=[0, 1, 2, 3]))
    p, r, f, s = precision_recall_fscore_support(gold, predicted, zero_division=0)
    per_code = result["per_code"]
    assert np.allclose([c["precision"] for c in per_code], p)
    assert np.allclose([c["recall"] for c in per_code], r)
    assert np.allclose([c["f1"] for c in per_code], f)
    assert [c["support"] for c in per_code] == list(s)


def test_top_k_by_hand() -> None:
    gold = np.array([[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0]], dtype=bool)
    scores = np.array([[0.9, 0.8, 0.7, 0.1],    # top-1 gold; top-3 finds 1 of 2 gold
                       [0.9, 0.2, 0.8, 0.7],    # top-1 wrong; gold not in top 3
                       [0.5, 0.4, 0.3, 0.2]])   # no gold code: not counted
    result = score_predictions(gold, scores > 0.5, scores)
    assert result["top1_hit"] == 0.5
    assert result["top3_recall"] == (0.5 + 0.0) / 2


def test_splits_are_reproducible_with_a_seed() -> None:
    first = splits(50, train_fraction=0.7, folds=None, seed=4)
    assert all(
        np.array_equal(a, b)
        for a, b in zip(
            first[0], splits(50, train_fraction=0.7, folds=None, seed=4)[0], strict=True
        )
    )
    assert not np.array_equal(first[0][0], splits(50, train_fraction=0.7, folds=None,
                                                  seed=5)[0][0])
    folds = splits(50, train_fraction=None, folds=5, seed=1)
    held_out = np.concatenate([test for _, test in folds])
    assert sorted(held_out.tolist()) == list(range(50))


def test_evaluation_numbers_are_reproducible_with_a_seed(corpus) -> None:
    texts, labels = corpus.units()
    texts, labels = texts * 2, labels * 2
    runs = [evaluate(CodeSuggester, texts, labels, corpus.codebook, folds=3, seed=2)
            for _ in range(2)]
    for run in runs:
        run.pop("fit_seconds"), run.pop("predict_ms_per_1000")
    assert runs[0] == runs[1]
    assert 0 <= runs[0]["micro_f1"] <= 1 and runs[0]["top3_recall"] > 0.5
