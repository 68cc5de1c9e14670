"""The vectorised two-coder presence statistics: identities, hand formulas, undefined cases,
inputs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qualcode.agreement import (
    AgreementInputError,
    binary_agreement,
    binary_counts,
    pooled_kappa,
    table_coefficients,
)
from qualcode.agreement.binary import REASON_CONSTANT, REASON_NO_UNITS


@pytest.fixture
def random_pair() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    prevalence = rng.uniform(0.02, 0.6, size=40)
    a = rng.random((300, 40)) < prevalence
    flip = rng.random((300, 40)) < rng.uniform(0.0, 0.3, size=40)
    return a, a ^ flip


def test_counts_match_a_bare_bincount(random_pair) -> None:  # type: ignore[no-untyped-def]
    """The three column counts give the same 2x2 cells as a bincount of 2a + b per code."""
    a, b = random_pair
    r = binary_agreement(a, b)
    cells = np.stack([np.bincount(2 * a[:, j] + b[:, j], minlength=4) for j in range(a.shape[1])])
    assert r.neither.tolist() == cells[:, 0].tolist()
    assert r.only_b.tolist() == cells[:, 1].tolist()
    assert r.only_a.tolist() == cells[:, 2].tolist()
    assert r.both.tolist() == cells[:, 3].tolist()
    assert r.n.tolist() == [300] * 40


def test_vectorised_equals_per_code_table_formulas(random_pair) -> None:  # type: ignore[no-untyped-def]
    """Every per-code value equals the 2x2 contingency-table computation (categorical module),
    which itself reproduces SAS PROC FREQ and Gwet's irrCAC (see test_agreement_published)."""
    a, b = random_pair
    r = binary_agreement(a, b)
    for j in range(a.shape[1]):
        table = [[r.both[j], r.only_a[j]], [r.only_b[j], r.neither[j]]]
        t = table_coefficients(table)
        assert r.kappa[j] == pytest.approx(t["cohen_kappa"].value, abs=1e-12)
        assert r.kappa_se[j] == pytest.approx(t["cohen_kappa"].se, abs=1e-12)
        assert r.kappa_se_null[j] == pytest.approx(t["cohen_kappa"].se_null, abs=1e-12)
        assert r.kappa_max[j] == pytest.approx(t["cohen_kappa"].kappa_max, abs=1e-12)
        assert r.scott_pi[j] == pytest.approx(t["scott_pi"].value, abs=1e-12)
        assert r.scott_pi_se[j] == pytest.approx(t["scott_pi"].se, abs=1e-12)
        assert r.ac1[j] == pytest.approx(t["gwet_ac"].value, abs=1e-12)
        # AC1's SE is Gwet's (2014) linearisation over units (irrCAC gwet.ac1.raw): the table
        # formula (gwet.ac1.table, divides by n) times n / (n - 1).
        n = r.n[j]
        assert r.ac1_se[j] == pytest.approx(t["gwet_ac"].se * math.sqrt(n / (n - 1)), abs=1e-12)
        assert r.pabak[j] == pytest.approx(t["brennan_prediger"].value, abs=1e-12)
        assert r.pabak_se[j] == pytest.approx(t["brennan_prediger"].se, abs=1e-12)


def test_ac1_variance_by_hand_gwet_2008() -> None:
    """Gwet (2008), Br J Math Stat Psychol 61:29-48, eq. for v(AC1) with q = 2, f = 0:
    v = [pa(1-pa) - 4(1-g)(sum_k p_kk(1-pi_k) - pa pe) + 4(1-g)^2(sum_kl p_kl(1-(pi_k+pi_l)/2)^2 -
    pe^2)]
        / (n (1-pe)^2), computed here cell by cell for Feinstein & Cicchetti's (80, 10, 5, 5);
    qualcode reports Gwet's (2014) unit-level form of it,
    1/(n(n-1)) sum (g*_i - g)^2 = v n/(n-1)."""
    n11, n10, n01, n00 = 80, 10, 5, 5
    n = n11 + n10 + n01 + n00
    p = np.array([[n11, n10], [n01, n00]]) / n
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    pa = np.trace(p)
    pe = (pi * (1 - pi)).sum()  # 1/(q-1) with q = 2
    g = (pa - pe) / (1 - pe)
    term1 = sum(p[k, k] * (1 - pi[k]) for k in range(2))
    term2 = sum(p[k, m] * (1 - (pi[k] + pi[m]) / 2) ** 2 for k in range(2) for m in range(2))
    var = (pa * (1 - pa) - 4 * (1 - g) * (term1 - pa * pe) + 4 * (1 - g) ** 2 * (term2 - pe**2)) / (
        n * (1 - pe) ** 2
    )
    a = np.array([1] * (n11 + n10) + [0] * (n01 + n00), dtype=bool)
    b = np.array([1] * n11 + [0] * n10 + [1] * n01 + [0] * n00, dtype=bool)
    r = binary_agreement(a, b)
    assert r.ac1[0] == pytest.approx(g, abs=1e-12)
    assert r.ac1_se[0] == pytest.approx(math.sqrt(var * n / (n - 1)), abs=1e-12)


def test_byrt_bishop_carlin_identity(random_pair) -> None:  # type: ignore[no-untyped-def]
    """Byrt, Bishop & Carlin (1993), J Clin Epidemiol 46:423-429, eq. (5):
    kappa = (PABAK - PI^2 + BI^2) / (1 - PI^2 + BI^2)."""
    r = binary_agreement(*random_pair)
    pi2, bi2 = r.prevalence_index**2, r.bias_index**2
    assert np.allclose(r.kappa, (r.pabak - pi2 + bi2) / (1 - pi2 + bi2), atol=1e-12)


def test_max_kappa_by_hand() -> None:
    """Cohen (1960): kappa_M uses po_max = sum_i min(p_i., p_.i). A yes 60/100, B yes 30/100:
    po_max = .3 + .4 = .7, pe = .6*.3 + .4*.7 = .46, kappa_M = .24/.54."""
    a = np.r_[np.ones(60, bool), np.zeros(40, bool)]
    b = np.r_[np.ones(30, bool), np.zeros(70, bool)]
    r = binary_agreement(a, b)
    assert r.kappa_max[0] == pytest.approx(0.24 / 0.54)
    assert r.kappa[0] == pytest.approx(r.kappa_max[0])  # b's yes units are a subset of a's


def test_ci_is_wald_on_non_null_se() -> None:
    rng = np.random.default_rng(3)
    a = rng.random((500, 2)) < 0.3
    b = a ^ (rng.random((500, 2)) < 0.1)
    r = binary_agreement(a, b, confidence=0.90)
    z = 1.6448536269514722
    assert np.allclose(r.kappa_low, r.kappa - z * r.kappa_se) and np.isfinite(r.kappa_low).all()
    assert np.allclose(r.ac1_high, r.ac1 + z * r.ac1_se) and np.isfinite(r.ac1_high).all()
    assert r.confidence == 0.90


def test_undefined_values_are_nan_with_reasons() -> None:
    a = np.zeros((10, 4), dtype=bool)
    b = np.zeros((10, 4), dtype=bool)
    a[:, 1] = b[:, 1] = True  # code 1: always present for both
    a[:3, 2] = True  # code 2: ordinary
    b[:2, 2] = True
    a[:, 3] = True  # code 3: A always yes, B always no -> pe = 0, kappa 0, defined
    r = binary_agreement(a, b)
    assert np.isnan(r.kappa[[0, 1]]).all() and np.isnan(r.scott_pi[[0, 1]]).all()
    assert np.isnan(r.kappa_se[[0, 1]]).all() and np.isnan(r.kappa_max[[0, 1]]).all()
    assert r.explain(0) == REASON_CONSTANT and r.explain(1) == REASON_CONSTANT
    assert r.explain(2) == "" and r.explain(3) == ""
    assert r.percent_agreement[[0, 1]].tolist() == [1.0, 1.0]
    assert r.ac1[[0, 1]].tolist() == [1.0, 1.0]  # AC1 stays defined: pe = 2 pi (1 - pi) = 0
    assert r.pabak[[0, 1]].tolist() == [1.0, 1.0]
    assert r.kappa[3] == 0.0
    assert not np.isnan(r.kappa[2])


def test_no_units() -> None:
    r = binary_agreement(np.zeros((0, 3), bool), np.zeros((0, 3), bool))
    assert np.isnan(r.percent_agreement).all() and np.isnan(r.ac1).all()
    assert r.explain(2) == REASON_NO_UNITS
    assert math.isnan(r.pooled_kappa)


def test_pooled_kappa_de_vries_by_hand() -> None:
    """De Vries et al. (2008), Field Methods 20:272-282:
    pooled kappa = (mean po - mean pe) / (1 - mean pe).
    For the two Feinstein-Cicchetti codes: (0.85 - 0.6404) / (1 - 0.6404) = 0.58287."""
    assert pooled_kappa(np.array([0.85, 0.85]), np.array([0.5008, 0.78])) == pytest.approx(
        0.2096 / 0.3596
    )
    # Codes without units (NaN) are skipped; constant codes count with po = pe = 1.
    assert pooled_kappa(np.array([0.85, np.nan, 1.0]), np.array([0.5, 0.3, 1.0])) == pytest.approx(
        (0.925 - 0.75) / 0.25)


def test_summary_and_records(random_pair) -> None:  # type: ignore[no-untyped-def]
    a, b = random_pair
    names = [f"code {j}" for j in range(a.shape[1])]
    r = binary_agreement(a, b, codes=names)
    s = r.summary()
    assert s["codes"] == 40 and s["codes_with_kappa"] == 40
    assert s["mean_kappa"] == pytest.approx(float(r.kappa.mean()))
    assert s["pooled_kappa"] == pytest.approx(
        (r.percent_agreement.mean() - r.chance_agreement.mean()) / (1 - r.chance_agreement.mean()))
    recs = r.to_records()
    assert recs[5]["code"] == "code 5" and recs[5]["kappa"] == pytest.approx(r.kappa[5])
    json.dumps(recs)  # plain Python values only


def test_inputs() -> None:
    one = binary_agreement([1, 0, 1, 1], [1, 0, 0, 1])  # 1-D 0/1 input is one code
    assert len(one) == 1 and one.n.tolist() == [4]
    with pytest.raises(AgreementInputError, match="differ in shape"):
        binary_counts(np.zeros((3, 2), bool), np.zeros((3, 3), bool))
    with pytest.raises(AgreementInputError, match="only 0/1"):
        binary_agreement([[2, 0]], [[1, 0]])
    with pytest.raises(AgreementInputError, match="booleans"):
        binary_agreement([["x"]], [["y"]])
    with pytest.raises(AgreementInputError, match="2-D"):
        binary_agreement(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(AgreementInputError, match="code names"):
        binary_agreement(np.zeros((2, 2), bool), np.zeros((2, 2), bool), codes=["only one"])
    with pytest.raises(ValueError, match="confidence"):
        binary_agreement(np.zeros((2, 2), bool), np.zeros((2, 2), bool), confidence=95)
