"""Bootstrap over units: reproducible, consistent with a naive loop, and with the analytic SEs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qualcode.agreement import (
    AgreementInputError,
    binary_agreement,
    bootstrap,
    bootstrap_binary,
    fleiss_kappa,
)
from qualcode.agreement.resampling import _draw_counts


def coded(seed: int, n: int = 400, m: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.random((n, m)) < np.linspace(0.05, 0.5, m)
    return a, a ^ (rng.random((n, m)) < 0.1)


def test_same_seed_same_intervals_other_seed_other_intervals() -> None:
    a, b = coded(1)
    x = bootstrap_binary(a, b, n_resamples=300, seed=5)
    y = bootstrap_binary(a, b, n_resamples=300, seed=5)
    z = bootstrap_binary(a, b, n_resamples=300, seed=6)
    assert (
        np.array_equal(x.low["kappa"], y.low["kappa"])
        and x.pooled_kappa_high == y.pooled_kappa_high
    )
    assert not np.array_equal(x.low["kappa"], z.low["kappa"])


def test_draw_counts_are_multinomial_resamples() -> None:
    counts = _draw_counts(np.random.default_rng(0), 50, 20, np.float32)
    assert counts.shape == (20, 50)
    assert np.all(counts.sum(axis=1) == 50)


def test_vectorised_bootstrap_equals_naive_loop() -> None:
    """Same draws, resampled by copying rows and calling binary_agreement each time."""
    a, b = coded(2, n=120, m=4)
    boot = bootstrap_binary(a, b, n_resamples=200, seed=11, confidence=0.9)
    rng = np.random.default_rng(11)
    draws = _draw_counts(rng, 120, 200, np.float64).astype(int)
    kappas, pooled = [], []
    for w in draws:
        idx = np.repeat(np.arange(120), w)
        r = binary_agreement(a[idx], b[idx])
        kappas.append(r.kappa)
        pooled.append(r.pooled_kappa)
    kappas_arr = np.array(kappas)
    assert np.allclose(boot.low["kappa"], np.nanquantile(kappas_arr, 0.05, axis=0), atol=1e-6)
    assert np.allclose(boot.high["kappa"], np.nanquantile(kappas_arr, 0.95, axis=0), atol=1e-6)
    assert boot.pooled_kappa_low == pytest.approx(np.quantile(pooled, 0.05), abs=1e-6)


def test_bootstrap_se_close_to_analytic_se() -> None:
    """With 5,000 units the bootstrap SD of kappa and AC1 should sit near the large-sample SEs
    (Fleiss, Cohen & Everitt 1969; Gwet 2008): agreement within 15 % for 2,000 resamples."""
    a, b = coded(3, n=5000, m=3)
    r = binary_agreement(a, b)
    boot = bootstrap_binary(a, b, n_resamples=2000, seed=1)
    assert np.allclose(boot.se["kappa"], r.kappa_se, rtol=0.15)
    assert np.allclose(boot.se["ac1"], r.ac1_se, rtol=0.15)
    assert np.all(boot.low["kappa"] < r.kappa) and np.all(r.kappa < boot.high["kappa"])


def test_undefined_resamples_are_counted() -> None:
    """A code used on one unit only vanishes from about a third of resamples ((1 - 1/n)^n),
    where kappa is 0/0; those resamples are left out and counted."""
    a = np.zeros((30, 1), bool)
    b = np.zeros((30, 1), bool)
    a[0, 0] = b[0, 0] = True
    boot = bootstrap_binary(a, b, n_resamples=400, seed=0)
    share = boot.undefined["kappa"][0] / 400
    assert 0.25 < share < 0.45
    assert boot.undefined["ac1"][0] == 0
    # Every defined resample is perfect (kappa 1): a [1, 1] interval would read as certainty.
    assert math.isnan(boot.low["kappa"][0]) and math.isnan(boot.high["kappa"][0])
    assert boot.flat["kappa"][0]


@pytest.mark.parametrize(("a_col", "b_col", "statistic"), [
    ([1, 0] * 15, [1, 0] * 15, "kappa"),  # perfect agreement: every resample has kappa 1
    ([1, 0] * 15, [1, 0] * 15, "ac1"),
    ([0] * 30, [1, 0, 0] * 10, "kappa"),  # A never used it: kappa is 0 in every resample
])
def test_zero_width_bootstrap_intervals_are_not_estimable(a_col, b_col, statistic) -> None:  # type: ignore[no-untyped-def]
    """Efron & Tibshirani (1993, ch. 13) percentile limits collapse to one point when every
    resample gives the same value; that is the boundary, not certainty (Brown, Cai &
    DasGupta 2001 on the Wald analogue), so the limits are NaN and ``flat`` says so."""
    a, b = np.array(a_col, bool)[:, None], np.array(b_col, bool)[:, None]
    boot = bootstrap_binary(a, b, n_resamples=200, seed=1)
    assert math.isnan(boot.low[statistic][0]) and math.isnan(boot.high[statistic][0])
    assert boot.flat[statistic][0]
    # Flip one unit of B: now there is real disagreement and a real interval.
    b[0, 0] = not b[0, 0]
    mixed = bootstrap_binary(a, b, n_resamples=200, seed=1)
    assert mixed.low["ac1"][0] < mixed.high["ac1"][0] and not mixed.flat["ac1"][0]


def test_generic_bootstrap_flat_interval_has_a_note() -> None:
    """The scalar bootstrap follows the same rule as the binary one."""
    res = bootstrap(lambda r: float(np.mean(r)), [[1.0]] * 20, n_resamples=50, seed=0)
    assert math.isnan(res.low) and math.isnan(res.high) and "same value" in res.note


def test_generic_bootstrap_for_many_raters() -> None:
    rng = np.random.default_rng(4)
    truth = rng.integers(0, 3, size=80)
    ratings = np.where(rng.random((80, 4)) < 0.7, truth[:, None], rng.integers(0, 3, size=(80, 4)))
    res = bootstrap(lambda r: fleiss_kappa(r).value, ratings, n_resamples=300, seed=2)
    k = fleiss_kappa(ratings)
    assert res.estimate == pytest.approx(k.value)
    assert res.low < k.value < res.high
    # Bootstrap SD and Gwet's linearised SE describe the same sampling spread.
    assert res.se == pytest.approx(k.se, rel=0.3)


def test_bad_arguments() -> None:
    a, b = coded(0, n=10, m=2)
    with pytest.raises(AgreementInputError, match="n_resamples"):
        bootstrap_binary(a, b, n_resamples=0)
    with pytest.raises(AgreementInputError, match="zero units"):
        bootstrap_binary(a[:0], b[:0])
    with pytest.raises(AgreementInputError, match="confidence"):
        bootstrap_binary(a, b, confidence=1.5)
