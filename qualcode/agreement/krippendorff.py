r"""Krippendorff's alpha for any number of coders, missing values, and four levels of measurement.

Computed from the coincidence matrix (Krippendorff 2011):
:math:`o_{ck} = \sum_u \frac{n_{uck}}{m_u - 1}` over units with :math:`m_u \ge 2`
values, where :math:`n_{uck}` counts ordered pairs of values (c, k) from different
coders in unit u. With :math:`n_c = \sum_k o_{ck}` and :math:`n = \sum_c n_c`:

.. math:: \alpha = 1 - \frac{D_o}{D_e}
          = 1 - (n - 1)\frac{\sum_{ck} o_{ck}\,\delta^2_{ck}}{\sum_{ck} n_c n_k\,\delta^2_{ck}}

with the difference functions
nominal :math:`\delta^2_{ck} = [c \ne k]`;
ordinal :math:`\delta^2_{ck} = (\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2` (categories in rank order);
interval :math:`(c - k)^2`; ratio :math:`((c - k)/(c + k))^2`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualcode.agreement._common import AgreementInputError
from qualcode.agreement.multirater import _prepare

LEVELS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True, eq=False)
class AlphaResult:
    """Krippendorff's alpha with the parts it is made of."""

    alpha: float
    level: str
    observed_disagreement: float  #: D_o
    expected_disagreement: float  #: D_e
    n_units: int  #: units with two or more values (pairable)
    n_values: int  #: pairable values, n
    categories: tuple[Any, ...]
    coincidences: np.ndarray  #: q x q coincidence matrix o_ck
    note: str = ""  #: why alpha is NaN, when it is


def coincidence_matrix(counts: np.ndarray) -> np.ndarray:
    """Coincidence matrix from units x categories counts; a unit with one value adds nothing."""
    r = np.asarray(counts, dtype=float)
    m = r.sum(axis=1)
    r = r[m >= 2]
    m = m[m >= 2]
    scaled = r / (m - 1.0)[:, None]
    # Pairs come from different coders, so each value's pairing with itself is taken out.
    return scaled.T @ r - np.diag(scaled.sum(axis=0))


def difference_matrix(level: str, categories: Sequence[Any], marginals: np.ndarray) -> np.ndarray:
    """Squared differences delta^2 between categories for a level of measurement."""
    q = len(categories)
    if level == "nominal":
        return 1.0 - np.eye(q)
    if level == "ordinal":
        n = np.asarray(marginals, dtype=float)
        cum = np.concatenate(([0.0], np.cumsum(n)))
        lo = np.minimum.outer(np.arange(q), np.arange(q))
        hi = np.maximum.outer(np.arange(q), np.arange(q))
        # sum_{g=lo}^{hi} n_g - (n_lo + n_hi) / 2
        return (cum[hi + 1] - cum[lo] - (n[lo] + n[hi]) / 2.0) ** 2
    try:
        v = np.asarray(categories, dtype=float)
    except (TypeError, ValueError):
        raise AgreementInputError(f"{level} alpha needs numeric values; got categories "
                                  f"{list(categories)!r}") from None
    diff = v[:, None] - v[None, :]
    if level == "interval":
        return diff**2
    if level == "ratio":
        if np.any(v < 0):
            raise AgreementInputError("ratio alpha needs non-negative values")
        total = v[:, None] + v[None, :]
        return np.where(total == 0, 0.0, (diff / np.where(total == 0, 1.0, total)) ** 2)
    raise AgreementInputError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")


def krippendorff_alpha(
    ratings: Any = None,
    *,
    level: str = "nominal",
    counts: Any = None,
    categories: Sequence[Any] | None = None,
    missing: Any = None,
) -> AlphaResult:
    """Krippendorff's alpha of a units x coders array (None, NaN or ``missing`` = no value).

    Parameters
    ----------
    ratings : array_like, shape (units, coders)
        Values per unit and coder. (Krippendorff prints coders as rows; pass
        the transpose of such a table.)
    level : {"nominal", "ordinal", "interval", "ratio"}
    counts : array_like, shape (units, categories), optional
        Instead of ``ratings``: how many coders gave each value to each unit.
    categories : sequence, optional
        Value order (ordinal) or numeric values (interval, ratio) of the count
        columns or of the labels; defaults to the sorted values seen.
    missing : scalar, optional
        Extra marker of a missing value.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania.
    Krippendorff, K. (2004). Content Analysis: An Introduction to Its
    Methodology, 2nd ed., ch. 11. Sage.
    Hayes, A. F. & Krippendorff, K. (2007). Answering the call for a standard
    reliability measure for coding data. Communication Methods and Measures, 1, 77-89.

    Examples
    --------
    Krippendorff's (2011) reliability data: 4 observers, 12 units, values 1-5,
    with gaps. He reports alpha = 0.743 (nominal), 0.815 (ordinal), 0.849
    (interval) and 0.797 (ratio):

    >>> obs = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    >>> units = np.array(obs, dtype=object).T
    >>> [round(krippendorff_alpha(units, level=lv).alpha, 3) for lv in LEVELS]
    [0.743, 0.815, 0.849, 0.797]
    """
    if level not in LEVELS:
        raise AgreementInputError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    r, cats, _ = _prepare(ratings, counts, categories, missing)
    m = r.sum(axis=1)
    pairable = m >= 2
    o = coincidence_matrix(r)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    delta = difference_matrix(level, cats, n_c) if cats else np.zeros((0, 0))
    nan = float("nan")
    base: dict[str, Any] = dict(
        level=level,
        n_units=int(pairable.sum()),
        n_values=int(round(n)),
        categories=cats,
        coincidences=o,
    )
    if n < 2:
        return AlphaResult(alpha=nan, observed_disagreement=nan, expected_disagreement=nan,
                           note="fewer than two pairable values (no unit has values from two "
                                "coders)", **base)
    d_o = float((o * delta).sum()) / n
    d_e = float((np.outer(n_c, n_c) * delta).sum()) / (n * (n - 1.0))
    if d_e == 0:
        return AlphaResult(alpha=nan, observed_disagreement=d_o, expected_disagreement=d_e,
                           note="all pairable values are the same, so expected disagreement is 0 "
                                "and alpha is 0/0",
                           **base)
    return AlphaResult(
        alpha=1.0 - d_o / d_e, observed_disagreement=d_o, expected_disagreement=d_e, **base
    )
