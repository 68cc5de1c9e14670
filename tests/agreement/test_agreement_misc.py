"""Interpretation labels, weights, input handling and undefined cases of the scalar coefficients."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qualcode.agreement import (
    AgreementInputError,
    brennan_prediger,
    cohen_kappa,
    contingency_table,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    landis_koch,
    pairwise_agreement,
    paradox_note,
    prevalence_paradox,
    rating_counts,
    weight_matrix,
)
from qualcode.errors import QualcodeError


def test_landis_koch_1977_bands() -> None:
    """Landis & Koch (1977), Biometrics 33:159-174, p. 165: <0 poor, 0-.20 slight, .21-.40 fair,
    .41-.60 moderate, .61-.80 substantial, .81-1 almost perfect."""
    values = [-0.5, 0.0, 0.1, 0.2, 0.21, 0.4, 0.41, 0.6, 0.61, 0.8, 0.81, 1.0]
    assert landis_koch(np.array(values)).tolist() == [
        "poor", "slight", "slight", "slight", "fair", "fair", "moderate", "moderate",
        "substantial", "substantial", "almost perfect", "almost perfect"]
    assert landis_koch(float("nan")) == "undefined"
    assert landis_koch(0.5) == "moderate"


def test_paradox_helpers() -> None:
    assert prevalence_paradox(0.95, 0.2) is True
    assert prevalence_paradox(0.95, float("nan")) is False
    assert prevalence_paradox(0.70, 0.2) is False
    assert paradox_note(0.7, 0.2, 0.5, 0.4, 0.1) == ""
    assert "Feinstein & Cicchetti" in paradox_note(0.95, 0.2, 0.9, 0.9, 0.9)


def test_weight_matrices() -> None:
    """Cicchetti-Allison linear and Fleiss-Cohen quadratic weights for 4 equally spaced categories
    (SAS PROC FREQ documentation, Weighted Kappa Coefficient)."""
    assert np.allclose(weight_matrix("linear", 4)[0], [1, 2 / 3, 1 / 3, 0])
    assert np.allclose(weight_matrix("quadratic", 4)[0], [1, 8 / 9, 5 / 9, 0])
    assert np.array_equal(weight_matrix("identity", 3), np.eye(3))
    assert np.allclose(weight_matrix("ordinal", 3)[0], [1, 2 / 3, 0])
    with pytest.raises(AgreementInputError, match="unknown weights"):
        weight_matrix("cubic", 3)
    with pytest.raises(AgreementInputError, match="positive"):
        weight_matrix("ratio", scores=[0, 1, 2])


def test_custom_weight_matrix_and_checks() -> None:
    r1, r2 = [0, 1, 2, 2, 1], [0, 2, 2, 1, 1]
    named = cohen_kappa(r1, r2, weights="linear")
    custom = cohen_kappa(r1, r2, weights=weight_matrix("linear", 3))
    assert custom.value == pytest.approx(named.value) and custom.weights == "custom"
    with pytest.raises(AgreementInputError, match="shape"):
        cohen_kappa(r1, r2, weights=np.eye(2))
    with pytest.raises(AgreementInputError, match="diagonal"):
        cohen_kappa(r1, r2, weights=np.zeros((3, 3)))


def test_missing_ratings_two_raters() -> None:
    table, cats, dropped = contingency_table([1, 2, None, 2, float("nan")], [1, 2, 2, None, 1])
    assert cats == (1, 2) and dropped == 3 and table.tolist() == [[1, 0], [0, 1]]
    k = cohen_kappa([1, 2, -1, 2], [1, 2, 2, 1], missing=-1)
    assert k.n_units == 3 and "1 unit(s) with a missing rating" in k.method


def test_unknown_label_and_unsortable_labels() -> None:
    with pytest.raises(AgreementInputError, match="not one of the categories"):
        cohen_kappa(["a", "b"], ["a", "c"], categories=["a", "b"])
    with pytest.raises(AgreementInputError, match="cannot be sorted"):
        rating_counts(np.array([[1, "a"], ["b", 2]], dtype=object))
    counts, cats = rating_counts(
        np.array([[1, "a"], ["b", 2]], dtype=object), categories=[1, 2, "a", "b"]
    )
    assert counts.tolist() == [[1, 0, 1, 0], [0, 1, 0, 1]]
    with pytest.raises(QualcodeError):
        cohen_kappa([1, 2], [1, 2, 3])


def test_ordinal_order_follows_categories() -> None:
    r1 = ["low", "mid", "high", "mid", "low"]
    r2 = ["mid", "mid", "high", "high", "low"]
    k_alpha = cohen_kappa(r1, r2, weights="linear", categories=["high", "low", "mid"])
    k_order = cohen_kappa(r1, r2, weights="linear", categories=["low", "mid", "high"])
    assert k_alpha.value != pytest.approx(k_order.value)
    assert k_order.categories == ("low", "mid", "high")


def test_constant_ratings_are_undefined_with_a_note() -> None:
    k = cohen_kappa(["a"] * 5, ["a"] * 5)
    assert math.isnan(k.value) and math.isnan(k.se) and "0/0" in k.note
    assert math.isnan(k.p_value)
    f = fleiss_kappa([["x", "x"], ["x", "x"]])
    assert math.isnan(f.value) and "0/0" in f.note
    g = gwet_ac([["x", "x"], ["x", "x"]])
    assert math.isnan(g.value) and "two categories" in g.note
    a = krippendorff_alpha([[1, 1], [1, 1]])
    assert math.isnan(a.alpha) and "0/0" in a.note
    single = fleiss_kappa([[1, None], [None, 2]])
    assert math.isnan(single.value) and "two or more ratings" in single.note
    assert math.isnan(krippendorff_alpha([[1, None], [None, 2]]).alpha)


def test_fleiss_null_se_only_for_equal_raters() -> None:
    full = fleiss_kappa([[1, 1, 2], [2, 2, 2], [1, 2, 1], [3, 3, 3]])
    assert math.isfinite(full.se_null) and full.z == pytest.approx(full.value / full.se_null)
    gappy = fleiss_kappa([[1, 1, None], [2, 2, 2], [1, 2, 1], [3, 3, 3]])
    assert math.isnan(gappy.se_null) and gappy.z == pytest.approx(gappy.value / gappy.se)


def test_pairwise_agreement_and_counts_input() -> None:
    ratings = [["a", "a", "b"], ["b", "b", None], ["a", "b", "b"], [None, "a", "a"]]
    pw = pairwise_agreement(ratings)
    assert pw.n_units[1, 2] == 3 and pw.agreement[1, 2] == pytest.approx(2 / 3)
    counts, _ = rating_counts(ratings)
    assert brennan_prediger(counts=counts).value == pytest.approx(brennan_prediger(ratings).value)
    with pytest.raises(AgreementInputError, match="either ratings"):
        fleiss_kappa(ratings, counts=counts)
    with pytest.raises(AgreementInputError, match="whole numbers"):
        fleiss_kappa(counts=[[0.5, 1]])


def test_coefficient_to_dict_is_plain() -> None:
    import json

    d = cohen_kappa([1, 2, 2, 1, 3], [1, 2, 1, 1, 3]).to_dict()
    assert d["categories"] == [1, 2, 3] and d["table"][0] == [2, 0, 0]
    json.dumps(d)
