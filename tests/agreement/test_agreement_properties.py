"""Hypothesis properties every agreement statistic must keep."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from qualcode.agreement import (
    binary_agreement,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    scott_pi,
    table_coefficients,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

presence_pairs = st.integers(1, 40).flatmap(
    lambda n: st.integers(1, 6).flatmap(
        lambda m: st.tuples(arrays(bool, (n, m)), arrays(bool, (n, m)))
    )
)
label_pairs = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
    )
)


def same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


@SETTINGS
@given(presence_pairs)
def test_swapping_coders_keeps_symmetric_statistics(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    r, s = binary_agreement(a, b), binary_agreement(b, a)
    for name in (
        "kappa",
        "kappa_se",
        "kappa_se_null",
        "kappa_max",
        "scott_pi",
        "ac1",
        "ac1_se",
        "pabak",
        "prevalence_index",
        "percent_agreement",
    ):
        assert all(same(x, y) for x, y in zip(getattr(r, name), getattr(s, name), strict=True)), (
            name
        )
    assert np.allclose(r.bias_index, -s.bias_index)


@SETTINGS
@given(presence_pairs)
def test_vectorised_equals_scalar_per_code(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    r = binary_agreement(a, b)
    for j in range(a.shape[1]):
        one = binary_agreement(a[:, j], b[:, j])
        t = table_coefficients([[r.both[j], r.only_a[j]], [r.only_b[j], r.neither[j]]])
        assert same(r.kappa[j], one.kappa[0]) and same(r.kappa[j], t["cohen_kappa"].value)
        assert same(r.kappa_se[j], t["cohen_kappa"].se)
        # AC1's SE: Gwet's (2014) unit-level linearisation, as gwet_ac on the two columns.
        raw = gwet_ac(np.c_[a[:, j], b[:, j]].astype(np.int64), categories=[0, 1])
        assert same(r.ac1[j], t["gwet_ac"].value) and same(r.ac1_se[j], raw.se)
        assert same(r.scott_pi[j], t["scott_pi"].value)


@SETTINGS
@given(presence_pairs)
def test_perfect_agreement_gives_one(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, _ = pair
    r = binary_agreement(a, a)
    varies = a.any(axis=0) & ~a.all(axis=0)
    assert np.all(r.kappa[varies] == 1.0) and np.all(r.kappa_se[varies] == 0.0)
    assert np.all(np.isnan(r.kappa[~varies]))
    assert np.all(r.ac1 == 1.0) and np.all(r.pabak == 1.0) and np.all(r.percent_agreement == 1.0)


@SETTINGS
@given(label_pairs, st.permutations(["p", "q", "r", "s", "t"]))
def test_relabelling_categories_keeps_nominal_statistics(pair, names) -> None:  # type: ignore[no-untyped-def]
    r1, r2 = pair
    rename = dict(enumerate(names))
    s1, s2 = [rename[v] for v in r1], [rename[v] for v in r2]
    k, k2 = cohen_kappa(r1, r2), cohen_kappa(s1, s2)
    assert same(k.value, k2.value) and same(k.se, k2.se) and same(k.se_null, k2.se_null)
    assert same(scott_pi(r1, r2).value, scott_pi(s1, s2).value)
    both = np.c_[r1, r2]
    renamed = np.array([s1, s2], dtype=object).T
    assert same(krippendorff_alpha(both).alpha, krippendorff_alpha(renamed).alpha)
    assert same(fleiss_kappa(both).value, fleiss_kappa(renamed).value)
    assert same(gwet_ac(both).value, gwet_ac(renamed).value)


@SETTINGS
@given(label_pairs)
def test_swapping_raters_keeps_cohen_kappa(pair) -> None:  # type: ignore[no-untyped-def]
    r1, r2 = pair
    for w in (None, "linear", "quadratic"):
        k, k2 = (
            cohen_kappa(r1, r2, weights=w, categories=range(5)),
            cohen_kappa(r2, r1, weights=w, categories=range(5)),
        )
        assert same(k.value, k2.value) and same(k.se, k2.se)


@SETTINGS
@given(label_pairs)
def test_identical_ratings_give_one(pair) -> None:  # type: ignore[no-untyped-def]
    r1, _ = pair
    assume(len(set(r1)) > 1)
    assert cohen_kappa(r1, r1).value == 1.0
    assert cohen_kappa(r1, r1, weights="quadratic").value == 1.0
    assert math.isclose(krippendorff_alpha(np.c_[r1, r1, r1]).alpha, 1.0)
    assert math.isclose(fleiss_kappa(np.c_[r1, r1, r1]).value, 1.0)


@SETTINGS
@given(st.integers(0, 10_000))
def test_alpha_ignores_coder_order_and_unit_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 4, size=(15, 4)).astype(float)
    data[rng.random((15, 4)) < 0.3] = np.nan
    base = krippendorff_alpha(data, level="ordinal").alpha
    shuffled = data[rng.permutation(15)][:, rng.permutation(4)]
    assert same(base, krippendorff_alpha(shuffled, level="ordinal").alpha)
