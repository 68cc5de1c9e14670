"""Published worked examples, each test naming its source and the figures it reproduces."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from qualcode.agreement import (
    binary_agreement,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
    prevalence_paradox,
    rating_counts,
    table_coefficients,
)


def expand(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """Unit-level ratings (row index, column index) from a contingency table of counts."""
    r1 = [i for i, row in enumerate(table) for j, c in enumerate(row) for _ in range(c)]
    r2 = [j for i, row in enumerate(table) for j, c in enumerate(row) for _ in range(c)]
    return r1, r2


# --- Cohen (1960) -------------------------------------------------------------------------


def test_cohen_1960_table_1() -> None:
    """Cohen (1960), Educ. Psychol. Meas. 20:37-46, Table 1: po = .25+.02+.02 = .29,
    pc = .20+.09+.06 = .35, so kappa = (.29-.35)/(1-.35) = -.092.

    Kappa depends only on the diagonal and the marginals (A: .50 .30 .20; B: .40 .30 .30);
    the off-diagonal cells below are filled to match those marginals (N = 100).
    """
    table = [[25, 13, 12], [12, 2, 16], [3, 15, 2]]
    k = cohen_kappa(*expand(table))
    assert k.percent_agreement == pytest.approx(0.29)
    assert k.chance_agreement == pytest.approx(0.35)
    assert k.value == pytest.approx(-0.06 / 0.65)
    assert round(k.value, 3) == -0.092


# --- Fleiss (1971) ------------------------------------------------------------------------

# Fleiss (1971), Psychol. Bull. 76:378-382, Table 1: 30 patients, 6 psychiatrists each,
# 5 diagnoses (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other),
# in the unit-by-rating layout of R's irr::diagnoses (as in statsmodels' test suite).
DIAGNOSES = np.array(
    [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ]
)


def test_fleiss_1971_psychiatric_diagnoses() -> None:
    """Fleiss (1971): kappa = .430 and category proportions p_j = .144 .144 .167 .306 .239;
    R irr::kappam.fleiss prints kappa 0.4302445 and z = 17.65183 (the Fleiss, Nee & Landis
    1979 null SE), the figures statsmodels' test suite checks too."""
    k = fleiss_kappa(DIAGNOSES)
    assert round(k.value, 3) == 0.430
    assert k.value == pytest.approx(0.4302445, abs=5e-8)
    assert k.z == pytest.approx(17.65183, abs=5e-5)
    counts, cats = rating_counts(DIAGNOSES)
    assert cats == (1, 2, 3, 4, 5)
    p_j = counts.sum(axis=0) / counts.sum()
    assert np.round(p_j, 3).tolist() == [0.144, 0.144, 0.167, 0.306, 0.239]
    # Same answer from the published counts layout, and statsmodels agrees.
    assert fleiss_kappa(counts=counts).value == pytest.approx(k.value, abs=1e-12)
    assert sm_fleiss_kappa(counts) == pytest.approx(k.value, abs=1e-12)


# --- Krippendorff (2011) ------------------------------------------------------------------

# Krippendorff (2011) "Computing Krippendorff's alpha-reliability", section C: observers A-D
# (rows) x 12 units, values 1-5, None = no value.
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.mark.parametrize(("level", "published"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797),
])
def test_krippendorff_2011_reliability_data(level: str, published: float) -> None:
    """Krippendorff (2011) reports alpha 0.743 / 0.815 / 0.849 / 0.797 for nominal, ordinal,
    interval and ratio data; the `krippendorff` package (Castro) must agree to 1e-12."""
    import krippendorff

    units = np.array(KRIPPENDORFF, dtype=object).T
    res = krippendorff_alpha(units, level=level)
    assert round(res.alpha, 3) == published
    assert res.n_units == 11  # unit 12 has a single value and is not pairable
    assert res.n_values == 40
    reference = krippendorff.alpha(
        reliability_data=np.array(KRIPPENDORFF, dtype=float), level_of_measurement=level
    )
    assert res.alpha == pytest.approx(reference, abs=1e-12)


def test_krippendorff_2011_coincidences_and_disagreements() -> None:
    """Krippendorff (2011), nominal case: value totals n_1..n_5 = 9, 13, 10, 5, 3 (n = 40) and
    matching pairs sum(o_cc) = 32, so by his nominal formula
    alpha = ((n-1) sum(o_cc) - sum(n_c (n_c - 1))) / (n(n-1) - sum(n_c (n_c - 1)))
          = (39 * 32 - 344) / (1560 - 344) = 904 / 1216 = 0.743."""
    res = krippendorff_alpha(np.array(KRIPPENDORFF, dtype=object).T)
    assert res.coincidences.sum(axis=1).round(9).tolist() == [9, 13, 10, 5, 3]
    assert np.trace(res.coincidences) == pytest.approx(32.0)
    assert res.alpha == pytest.approx(904 / 1216)
    assert res.observed_disagreement == pytest.approx(8 / 40)
    assert res.expected_disagreement == pytest.approx(1216 / (40 * 39))


# --- SAS PROC FREQ ------------------------------------------------------------------------

SKIN = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]


def test_sas_proc_freq_agreement_study() -> None:
    """SAS/STAT User's Guide, PROC FREQ "Getting Started: Agreement Study" (SkinCondition data,
    two dermatologists, 88 patients): simple kappa 0.3449, ASE 0.0724, 95% CI 0.2030-0.4868;
    weighted kappa (Cicchetti-Allison) 0.5082, ASE 0.0655, 95% CI 0.3798-0.6366.
    statsmodels' cohens_kappa implements the same ASE and must agree to machine precision."""
    r1, r2 = expand(SKIN)
    k = cohen_kappa(r1, r2)
    assert [round(x, 4) for x in (k.value, k.se, k.ci_low, k.ci_high)] == [
        0.3449,
        0.0724,
        0.2030,
        0.4868,
    ]
    sm = sm_cohens_kappa(np.array(SKIN))
    assert k.value == pytest.approx(sm.kappa, abs=1e-12)
    assert k.se == pytest.approx(sm.std_kappa, abs=1e-12)
    assert k.se_null == pytest.approx(sm.std_kappa0, abs=1e-12)

    kw = cohen_kappa(r1, r2, weights="linear")
    assert [round(x, 4) for x in (kw.value, kw.se, kw.ci_low, kw.ci_high)] == [
        0.5082,
        0.0655,
        0.3798,
        0.6366,
    ]
    smw = sm_cohens_kappa(np.array(SKIN), wt="linear")
    assert kw.value == pytest.approx(smw.kappa, abs=1e-12)
    assert kw.se == pytest.approx(smw.std_kappa, abs=1e-12)
    assert kw.se_null == pytest.approx(smw.std_kappa0, abs=1e-12)


# --- Gwet (2014) handbook data, figures printed by Gwet's irrCAC R package ----------------

# Gwet (2014) Handbook of Inter-Rater Reliability, 4th ed., p. 120 (irrCAC::cac.raw4raters):
# 12 units x 4 raters. It is Krippendorff's data above, transposed.
RAW4 = np.array(KRIPPENDORFF, dtype=object).T


@pytest.mark.parametrize(("func", "weights", "digits", "value", "se", "pa", "pe"), [
    # irrCAC gwet.ac1.raw / fleiss.kappa.raw, unweighted, as printed (5 decimals).
    (gwet_ac, None, 5, 0.77544, 0.14295, 0.81818, 0.19032),
    (fleiss_kappa, None, 5, 0.76117, 0.15302, 0.81818, 0.23872),
    # bp.coeff.raw and the weighted runs, to the 3 decimals of the irrCAC reproduction tests.
    (brennan_prediger, None, 3, 0.773, 0.145, 0.818, 0.200),
    (gwet_ac, "linear", 3, 0.859, 0.117, 0.939, 0.571),
    (gwet_ac, "quadratic", 3, 0.914, 0.104, 0.975, 0.714),
    (gwet_ac, "ordinal", 3, 0.899, 0.107, 0.968, 0.685),
    (gwet_ac, "radical", 3, 0.820, 0.128, 0.897, 0.430),
    (gwet_ac, "ratio", 3, 0.857, 0.122, 0.954, 0.678),
    (fleiss_kappa, "linear", 3, 0.818, 0.149, 0.939, 0.667),
    (fleiss_kappa, "quadratic", 3, 0.865, 0.146, 0.975, 0.818),
    (brennan_prediger, "quadratic", 3, 0.902, 0.111, 0.975, 0.750),
])
def test_gwet_handbook_raw_ratings(func, weights, digits, value, se, pa, pe) -> None:  # type: ignore[no-untyped-def]
    """Gwet (2014) handbook 4 raters x 12 units with missing ratings; values as printed by
    Gwet's irrCAC (R) functions gwet.ac1.raw, fleiss.kappa.raw and bp.coeff.raw (f = 0)."""
    res = func(RAW4, weights=weights)
    assert round(res.value, digits) == value
    assert round(res.se, digits) == se
    assert round(res.percent_agreement, digits) == pa
    assert round(res.chance_agreement, digits) == pe


def test_gwet_handbook_contingency_table() -> None:
    """Gwet (2014) cont3x3abstractors (100 women, 2 abstractors, 3 pregnancy types); the irrCAC
    vignette prints kappa 0.7964094 (SE 0.05891072), Scott's pi 0.7962397 (SE 0.05905473),
    AC1 0.84933 (SE 0.04322, pa 0.89, pe 0.26992) and with quadratic weights AC2 0.94024
    (SE 0.01792, pa 0.9725, pe 0.53985)."""
    table = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
    res = table_coefficients(table)
    assert res["cohen_kappa"].value == pytest.approx(0.7964094, abs=5e-8)
    assert res["cohen_kappa"].se == pytest.approx(0.05891072, abs=5e-9)
    assert res["scott_pi"].value == pytest.approx(0.7962397, abs=5e-8)
    assert res["scott_pi"].se == pytest.approx(0.05905473, abs=5e-9)
    ac1 = res["gwet_ac"]
    assert [
        round(x, 5) for x in (ac1.value, ac1.se, ac1.percent_agreement, ac1.chance_agreement)
    ] == [0.84933, 0.04322, 0.89, 0.26992]
    ac2 = table_coefficients(table, weights="quadratic")["gwet_ac"]
    assert ac2.name == "Gwet's AC2"
    assert [
        round(x, 5) for x in (ac2.value, ac2.se, ac2.percent_agreement, ac2.chance_agreement)
    ] == [0.94024, 0.01792, 0.9725, 0.53985]


def test_percent_agreement_gwet_handbook() -> None:
    """Gwet (2014) raw4raters: pa over the 11 units with two or more ratings = 0.81818 (irrCAC)."""
    assert round(percent_agreement(RAW4).value, 5) == 0.81818


# --- Feinstein & Cicchetti (1990) ---------------------------------------------------------


def test_feinstein_cicchetti_1990_paradox() -> None:
    """Feinstein & Cicchetti (1990), J Clin Epidemiol 43:543-549: tables (a, b, c, d) =
    (40, 9, 6, 45) and (80, 10, 5, 5) both have po = 0.85, but kappa = 0.70 and 0.32.
    By hand: pe = .49*.46 + .51*.54 = .5008 and .90*.85 + .10*.15 = .78."""
    def units(both: int, only_a: int, only_b: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
        a = np.array([1] * both + [1] * only_a + [0] * only_b + [0] * neither, dtype=bool)
        b = np.array([1] * both + [0] * only_a + [1] * only_b + [0] * neither, dtype=bool)
        return a, b

    (a1, b1), (a2, b2) = units(40, 9, 6, 45), units(80, 10, 5, 5)
    r = binary_agreement(np.c_[a1, a2], np.c_[b1, b2])
    assert r.percent_agreement.tolist() == pytest.approx([0.85, 0.85])
    assert r.chance_agreement.tolist() == pytest.approx([0.5008, 0.78])
    assert r.kappa.tolist() == pytest.approx(
        [(0.85 - 0.5008) / (1 - 0.5008), (0.85 - 0.78) / (1 - 0.78)]
    )
    assert np.round(r.kappa, 2).tolist() == [0.70, 0.32]
    assert prevalence_paradox(r.percent_agreement, r.kappa).tolist() == [False, True]
    # AC1 and PABAK do not collapse in the skewed table.
    assert r.pabak.tolist() == pytest.approx([0.70, 0.70])
    assert r.ac1[1] > 0.8
