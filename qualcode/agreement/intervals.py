"""Confidence intervals at the edges: no zero-width interval posing as certainty, limits in range.

A Wald interval ``value -/+ z * se`` uses a large-sample (delta-method) standard
error. At the boundary of the parameter space that SE is exactly 0: perfect
agreement (kappa = AC1 = 1), or a rater who gave every unit the same value (kappa
is then 0 whatever the other rater did). The interval would be ``[1, 1]`` or
``[0, 0]``, which reads as certainty but only says the approximation broke down;
the same happens to the Wald interval of a proportion at 0 or 1 (Brown, Cai &
DasGupta 2001). A percentile bootstrap collapses in the same cases, because every
resample of a perfect or constant table is perfect or constant too. Such intervals
are reported as not estimable (NaN, ``None`` in reports) with the reason.

References
----------
Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
proportion. Statistical Science, 16(2), 101-133.
"""

from __future__ import annotations

import numpy as np

RANGE = (-1.0, 1.0)
"""Range of kappa, Scott's pi, AC1 and Brennan-Prediger; reported limits are cut to it."""

REASON_PERFECT = (
    "perfect agreement: the large-sample SE is 0 there, so the Wald interval would have zero "
    "width (not certainty); interval not estimable"
)
REASON_CONSTANT_RATER = (
    "a rater gave every unit the same value, so kappa is 0 by construction and its SE is 0; "
    "interval not estimable"
)
REASON_ZERO_SE = "the large-sample SE is 0 at this boundary of the data; interval not estimable"
REASON_BOOT_FLAT = (
    "every bootstrap resample gave the same value (the data sit on a boundary: perfect agreement "
    "or a constant rater); interval not estimable"
)


def wald(
    value: np.ndarray | float, se: np.ndarray | float, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wald limits ``value -/+ z se``, NaN where the SE is 0 or undefined (see the module doc).

    >>> low, high = wald(np.array([0.5, 1.0]), np.array([0.1, 0.0]), 2.0)
    >>> low.tolist(), high.tolist()
    ([0.3, nan], [0.7, nan])
    """
    v = np.asarray(value, dtype=float)
    s = np.asarray(se, dtype=float)
    ok = np.isfinite(v) & np.isfinite(s) & (s > 0)
    with np.errstate(invalid="ignore"):
        low = np.where(ok, v - z * s, np.nan)
        high = np.where(ok, v + z * s, np.nan)
    return low, high


def zero_se_reason(perfect: bool, constant_rater: bool) -> str:
    """Why a defined statistic with SE 0 gets no interval."""
    if perfect:
        return REASON_PERFECT
    if constant_rater:
        return REASON_CONSTANT_RATER
    return REASON_ZERO_SE


def clipped(x: float | None, low: float = RANGE[0], high: float = RANGE[1]) -> float | None:
    """A reported interval limit: None when undefined, else cut to ``[low, high]``.

    >>> clipped(1.07), clipped(float("nan")), clipped(-0.2)
    (1.0, None, -0.2)
    """
    if x is None:
        return None
    v = float(x)
    if not np.isfinite(v):
        return None
    return min(high, max(low, v))
