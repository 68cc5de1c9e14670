"""Agreement weight matrices for weighted kappa and Gwet's AC2.

All matrices are *agreement* weights: 1 on the diagonal (full credit), 0 for the
most distant pair of categories. scikit-learn's ``cohen_kappa_score`` takes
*disagreement* weights instead; the two give the same kappa because
``w_agree = 1 - d / max(d)``.

Named weights place the categories at ``scores``; by default (``scores="ranks"``)
the categories are taken as equally spaced, ``0, 1, ..., q-1`` in the order given
(what SAS does for character levels and scikit-learn always does).
``scores="values"`` weights by the categories' numeric distances instead (what
irrCAC does for numeric categories and statsmodels' ``cohens_kappa`` with
``weights=`` the category values). The coefficients report which was used.

References
----------
Cicchetti, D. V. & Allison, T. (1971). A new procedure for assessing reliability
of scoring EEG sleep recordings. American Journal of EEG Technology, 11, 101-109
(linear weights).
Fleiss, J. L. & Cohen, J. (1973). The equivalence of weighted kappa and the
intraclass correlation coefficient as measures of reliability. Educational and
Psychological Measurement, 33, 613-619 (quadratic weights).
Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed., Advanced
Analytics, ch. 3 (ordinal, radical and ratio weights).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualcode.agreement._common import AgreementInputError

WEIGHT_KINDS = ("identity", "linear", "quadratic", "ordinal", "radical", "ratio")


def weight_matrix(
    kind: str, q: int | None = None, scores: Sequence[float] | np.ndarray | None = None
) -> np.ndarray:
    """Return the q x q agreement-weight matrix of a named kind.

    Parameters
    ----------
    kind : {"identity", "linear", "quadratic", "ordinal", "radical", "ratio"}
        ``linear``: ``1 - |x_k - x_l| / (x_max - x_min)`` (Cicchetti-Allison);
        ``quadratic``: ``1 - (x_k - x_l)^2 / (x_max - x_min)^2`` (Fleiss-Cohen);
        ``ordinal``: ``1 - M_kl / max M`` with ``M_kl = C(|k - l| + 1, 2)`` on ranks;
        ``radical``: ``1 - sqrt|x_k - x_l| / sqrt(x_max - x_min)``;
        ``ratio``: ``1 - ((x_k - x_l)/(x_k + x_l))^2 / ((x_max - x_min)/(x_max + x_min))^2``.
    q : int, optional
        Number of categories; needed when ``scores`` is not given.
    scores : sequence of float, optional
        Numeric position of each category. Defaults to ``0, 1, ..., q-1``
        (``1, ..., q`` for ``ratio``, whose formula needs positive scores).

    Examples
    --------
    >>> weight_matrix("linear", 3)
    array([[1. , 0.5, 0. ],
           [0.5, 1. , 0.5],
           [0. , 0.5, 1. ]])
    >>> weight_matrix("quadratic", scores=[1, 2, 4]).round(3)
    array([[1.   , 0.889, 0.   ],
           [0.889, 1.   , 0.556],
           [0.   , 0.556, 1.   ]])
    """
    if kind not in WEIGHT_KINDS:
        raise AgreementInputError(f"unknown weights {kind!r}: use one of {', '.join(WEIGHT_KINDS)} "
                                  "or a q x q matrix")
    if scores is None:
        if q is None or q < 1:
            raise AgreementInputError("weight_matrix needs the number of categories q or their "
                                      "scores")
        x = np.arange(q, dtype=float) + (1.0 if kind == "ratio" else 0.0)
    else:
        x = np.asarray(scores, dtype=float)
        if x.ndim != 1 or not np.all(np.isfinite(x)):
            raise AgreementInputError("weight scores must be a flat sequence of finite numbers")
        if q is not None and q != x.size:
            raise AgreementInputError(f"got {x.size} scores for {q} categories")
        q = x.size
    if kind == "identity" or q == 1:
        return np.eye(q)
    span = x.max() - x.min()
    if span == 0:
        raise AgreementInputError("weight scores must not all be equal")
    diff = x[:, None] - x[None, :]
    if kind == "linear":
        return 1.0 - np.abs(diff) / span
    if kind == "quadratic":
        return 1.0 - diff**2 / span**2
    if kind == "radical":
        return 1.0 - np.sqrt(np.abs(diff)) / np.sqrt(span)
    if kind == "ordinal":
        rank = np.argsort(np.argsort(x))
        steps = np.abs(rank[:, None] - rank[None, :]) + 1
        m = steps * (steps - 1) / 2.0
        return 1.0 - m / m.max()
    # ratio
    if np.any(x <= 0):
        raise AgreementInputError("ratio weights need strictly positive category scores")
    ratio = (diff / (x[:, None] + x[None, :])) ** 2
    return 1.0 - ratio / ((x.max() - x.min()) / (x.max() + x.min())) ** 2


SCORES = ("ranks", "values")
"""How named weights place the categories: equal steps in category order, or their numbers."""

Scores = str | Sequence[float] | None


def category_scores(
    scores: Scores, categories: Sequence[object] | None, q: int
) -> tuple[np.ndarray | None, str]:
    """Positions of the categories for named weights, and their label (ranks, values or custom).

    ``ranks`` (the default, what scikit-learn and SAS with character levels do): equal
    steps 0, 1, ..., q-1 in category order, so a scale 1, 2, 3, 5 is weighted like
    1, 2, 3, 4. ``values``: the categories' own numbers, so 3 -> 5 is twice 2 -> 3
    (irrCAC and SAS ``SCORES=TABLE`` for numeric levels). A sequence gives one score
    per category.

    >>> category_scores("values", [1, 2, 3, 5], 4)[0].tolist()
    [1.0, 2.0, 3.0, 5.0]
    >>> category_scores(None, [1, 2, 3, 5], 4)
    (None, 'ranks')
    """
    if scores is None or (isinstance(scores, str) and scores == "ranks"):
        return None, "ranks"
    if isinstance(scores, str):
        if scores != "values":
            raise AgreementInputError(f"unknown scores {scores!r}: use ranks, values or one number "
                                      "per category")
        cats = list(categories) if categories is not None else list(range(q))
        bad = [
            c
            for c in cats
            if isinstance(c, bool) or not isinstance(c, int | float | np.integer | np.floating)
        ]
        if bad:
            raise AgreementInputError(
                f"scores='values' needs numeric categories, got {bad[0]!r}; recode the categories "
                "as numbers "
                "or use scores='ranks'"
            )
        return np.asarray(cats, dtype=float), "values"
    x = np.asarray(scores, dtype=float)
    if x.shape != (q,):
        raise AgreementInputError(f"got {x.size} scores for {q} categories")
    return x, "custom"


def resolve_weights(
    weights: str | np.ndarray | Sequence[Sequence[float]] | None,
    q: int,
    scores: Scores = None,
    categories: Sequence[object] | None = None,
) -> tuple[np.ndarray, str, str]:
    """Turn a ``weights`` argument (None, a kind name or a matrix) into a q x q matrix and labels.

    Returns (matrix, label, scores label).

    The scores label is "" when the weights do not depend on category positions
    (no weights, identity, or a matrix given directly).
    """
    if weights is None:
        return np.eye(q), "identity", ""
    if isinstance(weights, str):
        if weights == "identity":
            return np.eye(q), "identity", ""
        x, label = category_scores(scores, categories, q)
        if x is None:
            return weight_matrix(weights, q), weights, label
        return weight_matrix(weights, scores=x), weights, label
    w = np.asarray(weights, dtype=float)
    if w.shape != (q, q):
        raise AgreementInputError(f"weights matrix has shape {w.shape}; expected ({q}, {q}) for "
                                  f"{q} categories")
    if not np.all(np.isfinite(w)):
        raise AgreementInputError("weights matrix must hold finite numbers")
    if not np.allclose(np.diag(w), 1.0):
        raise AgreementInputError(
            "weights matrix must be agreement weights with 1 on the diagonal (1 - disagreement / "
            "max disagreement)"
        )
    return w, "custom", ""
