"""Bootstrap confidence intervals over units (seeded, vectorised for the two-coder binary case).

A bootstrap resample draws ``n`` units with replacement. Rather than copying the
(units, codes) arrays once per resample, each resample is summarised by how many
times every unit was drawn (a multinomial count vector, built with one
``bincount`` over the drawn indices); the per-code 2x2 counts of all resamples
are then one matrix product ``draws @ [a & b, a, b]``. Intervals are percentile
intervals (Efron & Tibshirani 1993, ch. 13); resamples where a statistic is
undefined (e.g. kappa 0/0 because a code vanished from the resample) are left out
of that statistic's interval and counted in ``undefined``. An interval of zero width
(every resample gave the same value: perfect agreement, a constant coder) is NaN,
not a ``[1, 1]`` or ``[0, 0]`` that would read as certainty; ``flat`` marks it
(see :mod:`qualcode.agreement.intervals`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualcode.agreement._common import AgreementInputError, check_confidence
from qualcode.agreement.binary import as_presence, binary_statistics
from qualcode.agreement.intervals import REASON_BOOT_FLAT

BOOTSTRAP_STATISTICS = ("kappa", "scott_pi", "ac1", "pabak", "percent_agreement")
# Cap on resamples x units cells held at once: the index, count and weight arrays then stay under
# ~200 MB.
_MAX_CELLS = 8_000_000


@dataclass(frozen=True, eq=False)
class BinaryBootstrap:
    """Percentile bootstrap intervals per code (arrays of length ``codes``) and for pooled kappa."""

    low: dict[str, np.ndarray]  #: statistic name -> lower limit per code
    high: dict[str, np.ndarray]  #: statistic name -> upper limit per code
    se: dict[str, np.ndarray]  #: statistic name -> bootstrap standard deviation per code
    undefined: dict[str, np.ndarray]  #: statistic name -> resamples where it was NaN, per code
    #: statistic name -> True where every resample gave one value (limits NaN)
    flat: dict[str, np.ndarray]
    pooled_kappa_low: float
    pooled_kappa_high: float
    pooled_kappa_se: float
    n_resamples: int
    seed: int | None
    confidence: float
    method: str = "percentile bootstrap over units"


def _draw_counts(rng: np.random.Generator, n: int, draws: int, dtype: type) -> np.ndarray:
    """(draws, n) matrix: how often each unit is picked in each resample of size n."""
    idx = rng.integers(0, n, size=(draws, n), dtype=np.int64)
    idx += (np.arange(draws, dtype=np.int64) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=draws * n).reshape(draws, n).astype(dtype, copy=False)


def bootstrap_binary(
    a: Any,
    b: Any,
    *,
    n_resamples: int = 1000,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> BinaryBootstrap:
    """Bootstrap CIs over units for the per-code two-coder statistics and pooled kappa.

    Parameters
    ----------
    a, b : array_like of bool, shape (units, codes)
        As for :func:`qualcode.agreement.binary.binary_agreement`.
    n_resamples : int
        Number of bootstrap resamples (1,000 is the usual minimum for 95 % percentile limits).
    seed : int or None
        Seed of ``numpy.random.default_rng``; the same seed gives the same intervals.
    confidence : float
        Coverage of the percentile interval.

    Returns
    -------
    BinaryBootstrap
        ``low``/``high``/``se``/``undefined`` keyed by ``kappa``, ``scott_pi``,
        ``ac1``, ``pabak``, ``percent_agreement``; pooled kappa (De Vries et al.
        2008) resampled jointly over all codes.

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
    De Vries, H., Elliott, M. N., Kanouse, D. E. & Teleki, S. S. (2008). Using pooled
    kappa to summarize interrater agreement across many items. Field Methods, 20, 272-282.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> a = rng.random((200, 3)) < 0.3
    >>> b = a ^ (rng.random((200, 3)) < 0.1)
    >>> boot = bootstrap_binary(a, b, n_resamples=500, seed=7)
    >>> bool(np.all(boot.low["kappa"] < boot.high["kappa"]))
    True
    >>> again = bootstrap_binary(a, b, n_resamples=500, seed=7)
    >>> bool(np.array_equal(boot.low["kappa"], again.low["kappa"]))
    True
    """
    a = as_presence(a, "a")
    b = as_presence(b, "b")
    if a.shape != b.shape:
        raise AgreementInputError(f"coder arrays differ in shape: a is {a.shape}, b is {b.shape}")
    if not isinstance(n_resamples, int) or n_resamples < 1:
        raise AgreementInputError("n_resamples must be a positive whole number, got "
                                  f"{n_resamples!r}")
    check_confidence(confidence)
    n, m = a.shape
    if n == 0:
        raise AgreementInputError("cannot bootstrap over zero units")
    # float32 sums of integer counts are exact below 2**24; every resampled count is at most n.
    dtype = np.float32 if n < 2**24 else np.float64
    x = np.concatenate([a & b, a, b], axis=1).astype(dtype)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_resamples, _MAX_CELLS // max(n, 1)))
    samples: dict[str, list[np.ndarray]] = {k: [] for k in BOOTSTRAP_STATISTICS}
    pooled: list[np.ndarray] = []
    done = 0
    while done < n_resamples:
        draws = min(chunk, n_resamples - done)
        c = _draw_counts(rng, n, draws, dtype) @ x
        both, na, nb = c[:, :m], c[:, m : 2 * m], c[:, 2 * m :]
        st = binary_statistics(np.full_like(both, n), both, na, nb)
        for key in BOOTSTRAP_STATISTICS:
            samples[key].append(st[key])
        po_bar, pe_bar = st["percent_agreement"].mean(axis=1), st["chance_agreement"].mean(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled.append(np.where(pe_bar < 1, (po_bar - pe_bar) / (1 - pe_bar), np.nan))
        done += draws
    alpha = (1.0 - confidence) / 2.0
    low, high, se, undefined, flat = {}, {}, {}, {}, {}
    for key in BOOTSTRAP_STATISTICS:
        s = np.concatenate(samples[key], axis=0)
        low[key], high[key], se[key], undefined[key] = _percentile(s, alpha)
        flat[key] = low[key] == high[key]
        low[key][flat[key]] = high[key][flat[key]] = np.nan
    pk = np.concatenate(pooled)[:, None]
    pl, ph, ps, _ = _percentile(pk, alpha)
    if pl[0] == ph[0]:
        pl[0] = ph[0] = np.nan
    return BinaryBootstrap(
        low=low, high=high, se=se, undefined=undefined, flat=flat,
        pooled_kappa_low=float(pl[0]), pooled_kappa_high=float(ph[0]), pooled_kappa_se=float(ps[0]),
        n_resamples=n_resamples, seed=seed, confidence=float(confidence),
    )


def _percentile(
    s: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Column percentile limits, SD and NaN count of a (resamples, columns) array; NaN skipped."""
    bad = np.isnan(s)
    nbad = bad.sum(axis=0)
    lo = np.full(s.shape[1], np.nan)
    hi = np.full(s.shape[1], np.nan)
    sd = np.full(s.shape[1], np.nan)
    ok = nbad < s.shape[0]
    if ok.any():
        sub = s[:, ok]
        if not bad[:, ok].any():
            lo[ok], hi[ok] = np.quantile(sub, [alpha, 1.0 - alpha], axis=0)
            sd[ok] = sub.std(axis=0, ddof=1) if s.shape[0] > 1 else np.nan
        else:
            lo[ok], hi[ok] = np.nanquantile(sub, [alpha, 1.0 - alpha], axis=0)
            with warnings.catch_warnings():
                # A column with one valid resample has no spread; NaN is the right answer there.
                warnings.simplefilter("ignore", RuntimeWarning)
                sd[ok] = np.nanstd(sub, axis=0, ddof=1)
    return lo, hi, sd, nbad


@dataclass(frozen=True, eq=False)
class Bootstrap:
    """Percentile bootstrap interval of a scalar statistic."""

    estimate: float
    low: float
    high: float
    se: float
    undefined: int  #: resamples where the statistic was NaN (left out)
    n_resamples: int
    seed: int | None
    confidence: float
    method: str = "percentile bootstrap over units"
    note: str = ""  #: why ``low``/``high`` are NaN (every resample gave the same value)


def bootstrap(
    statistic: Callable[[np.ndarray], float],
    data: Any,
    *,
    n_resamples: int = 1000,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> Bootstrap:
    """Percentile bootstrap over the rows (units) of ``data`` for any scalar statistic.

    ``statistic`` is called once per resample with the resampled rows, so this
    suits the many-rater coefficients (alpha, Fleiss' kappa) on study-sized data.

    Examples
    --------
    >>> from qualcode.agreement.krippendorff import krippendorff_alpha
    >>> units = [[1, 1, 1], [2, 2, 2], [1, 2, 1], [3, 3, 3], [2, 2, 3], [1, 1, 1]] * 5
    >>> res = bootstrap(lambda r: krippendorff_alpha(r).alpha, units, n_resamples=200, seed=3)
    >>> res.low < res.estimate < res.high
    True
    """
    arr = np.asarray(data, dtype=object) if not isinstance(data, np.ndarray) else data
    if arr.ndim < 1 or arr.shape[0] == 0:
        raise AgreementInputError("bootstrap needs at least one unit (row)")
    if not isinstance(n_resamples, int) or n_resamples < 1:
        raise AgreementInputError("n_resamples must be a positive whole number, got "
                                  f"{n_resamples!r}")
    check_confidence(confidence)
    rng = np.random.default_rng(seed)
    n = arr.shape[0]
    values = np.array(
        [statistic(arr[rng.integers(0, n, size=n)]) for _ in range(n_resamples)], dtype=float
    )
    lo, hi, sd, nbad = _percentile(values[:, None], (1.0 - confidence) / 2.0)
    note = ""
    if lo[0] == hi[0]:
        lo[0] = hi[0] = np.nan
        note = REASON_BOOT_FLAT
    return Bootstrap(
        estimate=float(statistic(arr)),
        low=float(lo[0]),
        high=float(hi[0]),
        se=float(sd[0]),
        undefined=int(nbad[0]),
        n_resamples=n_resamples,
        seed=seed,
        confidence=float(confidence),
        note=note,
    )
