"""Shared helpers of the agreement statistics: input errors, normal quantiles, safe division."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from qualcode.errors import QualcodeError


class AgreementInputError(QualcodeError, ValueError):
    """Arrays handed to an agreement statistic have the wrong shape, type or values.

    It is a ``ValueError`` too, so library callers can catch it the usual way,
    and a ``QualcodeError``, so the CLI prints it as one line.
    """


def z_value(confidence: float) -> float:
    """Return the two-sided standard normal quantile for a confidence level (0.95 -> 1.95996...).

    >>> round(z_value(0.95), 6)
    1.959964
    """
    check_confidence(confidence)
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def check_confidence(confidence: float) -> None:
    """Raise AgreementInputError unless ``0 < confidence < 1``."""
    if not isinstance(confidence, int | float) or not 0.0 < float(confidence) < 1.0:
        raise AgreementInputError(
            "confidence must be a number strictly between 0 and 1 (for example 0.95), got "
            f"{confidence!r}"
        )


def two_sided_p(z: float | np.ndarray) -> float | np.ndarray:
    """Two-sided p-value of a standard normal statistic: ``erfc(|z| / sqrt(2))``."""
    if np.ndim(z) == 0:
        zf = float(z)
        return math.nan if math.isnan(zf) else math.erfc(abs(zf) / math.sqrt(2.0))
    erfc = np.vectorize(math.erfc, otypes=[float])
    return erfc(np.abs(np.asarray(z, dtype=float)) / math.sqrt(2.0))


def divide(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    """Elementwise ``num / den`` that gives NaN (not inf, not a warning) where ``den == 0``."""
    num_a = np.asarray(num, dtype=float)
    den_a = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num_a, den_a).shape, np.nan)
    np.divide(num_a, den_a, out=out, where=den_a != 0)
    return out


def variance(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    """``num / den`` for a variance whose numerator sums O(1) terms: |num| < 1e-14 counts as 0.

    The numerators here combine proportions, so their round-off is ~1e-16; a true
    numerator below 1e-14 would take one disagreement in 10^14 units. Without
    this, perfect agreement would report an SE of 1e-9 instead of 0.
    """
    num_a = np.asarray(num, dtype=float)
    return divide(np.where(np.abs(num_a) < 1e-14, 0.0, num_a), den)


def sqrt_nonneg(x: np.ndarray | float) -> np.ndarray:
    """Square root that maps tiny negative round-off (> -1e-12) to 0 and keeps NaN."""
    xa = np.asarray(x, dtype=float)
    xa = np.where((xa < 0) & (xa > -1e-12), 0.0, xa)
    with np.errstate(invalid="ignore"):
        return np.sqrt(xa)


def as_float(x: np.ndarray | float) -> float:
    """Turn a 0-d array or number into a Python float (NaN stays NaN)."""
    return float(np.asarray(x, dtype=float))
