"""Cross-checks on random data against independent implementations:
scikit-learn cohen_kappa_score, statsmodels cohens_kappa / fleiss_kappa, and the krippendorff
package."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from qualcode.agreement import (
    binary_agreement,
    cohen_kappa,
    contingency_table,
    fleiss_kappa,
    krippendorff_alpha,
    rating_counts,
    scott_pi,
)

SEEDS = range(8)


def noisy_pair(seed: int, n: int = 150, q: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    r1 = rng.integers(0, q, size=n)
    r2 = np.where(rng.random(n) < 0.6, r1, rng.integers(0, q, size=n))
    return r1, r2


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_matches_sklearn(seed: int, weights: str | None) -> None:
    """scikit-learn's cohen_kappa_score (disagreement weights |i-j| or (i-j)^2 on label places)."""
    r1, r2 = noisy_pair(seed)
    ours = cohen_kappa(r1, r2, weights=weights, categories=[0, 1, 2, 3])
    assert ours.value == pytest.approx(
        cohen_kappa_score(r1, r2, weights=weights, labels=[0, 1, 2, 3]), abs=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("wt", [None, "linear", "quadratic"])
def test_cohen_kappa_se_matches_statsmodels(seed: int, wt: str | None) -> None:
    """statsmodels' cohens_kappa gives the Fleiss-Cohen-Everitt ASE (std_kappa) and the null SE."""
    r1, r2 = noisy_pair(seed)
    table, _, _ = contingency_table(r1, r2, categories=[0, 1, 2, 3])
    sm = sm_cohens_kappa(table, wt=wt)
    ours = cohen_kappa(r1, r2, weights=wt, categories=[0, 1, 2, 3])
    assert ours.value == pytest.approx(sm.kappa, abs=1e-12)
    assert ours.se == pytest.approx(sm.std_kappa, abs=1e-12)
    assert ours.se_null == pytest.approx(sm.std_kappa0, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_agreement_matches_sklearn_per_code(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.random((400, 12)) < rng.uniform(0.05, 0.5, 12)
    b = a ^ (rng.random((400, 12)) < 0.15)
    r = binary_agreement(a, b)
    expected = [cohen_kappa_score(a[:, j], b[:, j]) for j in range(12)]
    assert np.allclose(r.kappa, expected, atol=1e-12)
    for j in range(12):
        sm = sm_cohens_kappa(np.array([[r.both[j], r.only_a[j]], [r.only_b[j], r.neither[j]]]))
        assert r.kappa_se[j] == pytest.approx(sm.std_kappa, abs=1e-12)
        assert r.kappa_se_null[j] == pytest.approx(sm.std_kappa0, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_kappa_matches_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, size=60)
    ratings = np.where(rng.random((60, 7)) < 0.55, truth[:, None], rng.integers(0, 5, size=(60, 7)))
    counts, _ = rating_counts(ratings, categories=range(5))
    assert fleiss_kappa(ratings).value == pytest.approx(sm_fleiss_kappa(counts), abs=1e-12)
    assert fleiss_kappa(counts=counts).value == pytest.approx(sm_fleiss_kappa(counts), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_kappa_two_raters_is_scott_pi(seed: int) -> None:
    """With two raters and no gaps, Fleiss' kappa is Scott's pi (Fleiss 1971, p. 379)."""
    r1, r2 = noisy_pair(seed)
    assert fleiss_kappa(np.c_[r1, r2]).value == pytest.approx(scott_pi(r1, r2).value, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_alpha_matches_package_with_missing(seed: int, level: str) -> None:
    """The `krippendorff` package (Castro, 2017) on 5 coders x 80 units with 25 % missing values."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 7, size=80)
    data = np.where(rng.random((5, 80)) < 0.7, truth, rng.integers(1, 7, size=(5, 80))).astype(
        float
    )
    data[rng.random((5, 80)) < 0.25] = np.nan
    ours = krippendorff_alpha(data.T, level=level)
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours.alpha == pytest.approx(ref, abs=1e-10)


def test_krippendorff_alpha_from_counts_equals_from_ratings() -> None:
    rng = np.random.default_rng(9)
    data = rng.integers(0, 3, size=(40, 4)).astype(float)
    data[rng.random((40, 4)) < 0.3] = np.nan
    counts, cats = rating_counts(data)
    assert krippendorff_alpha(
        counts=counts, categories=cats, level="interval"
    ).alpha == pytest.approx(krippendorff_alpha(data, level="interval").alpha, abs=1e-12)
    ref = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    assert krippendorff_alpha(counts=counts).alpha == pytest.approx(ref, abs=1e-12)
