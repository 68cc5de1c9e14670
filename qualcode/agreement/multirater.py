r"""Any number of raters, missing ratings allowed: Fleiss' kappa, Gwet's AC1/AC2, Brennan-Prediger,
percent agreement.

Input is a units x raters array of labels (None, NaN or a ``missing`` marker for
a missing rating), or directly a units x categories array of counts
:math:`r_{ik}` (how many raters put unit i in category k). Units nobody rated
are dropped; ``n`` below counts units with at least one rating, :math:`r_i` is
unit i's number of ratings and :math:`r^\star_{ik} = \sum_l w_{kl}r_{il}`.

Following Gwet (2014, Handbook of Inter-Rater Reliability, 4th ed., ch. 2-5),
which extends Fleiss (1971) to missing ratings and weights:

* observed agreement, over the :math:`n_2` units with two or more ratings:
  :math:`p_a = \frac{1}{n_2}\sum_{i: r_i\ge2}\sum_k \frac{r_{ik}(r^\star_{ik}-1)}{r_i(r_i-1)}`;
* category prevalence over all n units: :math:`\pi_k = \frac1n\sum_i r_{ik}/r_i`;
* chance agreement: Fleiss :math:`p_e = \sum_{kl}w_{kl}\pi_k\pi_l`; Gwet
  :math:`p_e = \frac{T_w}{q(q-1)}\sum_k\pi_k(1-\pi_k)`; Brennan-Prediger
  :math:`p_e = T_w/q^2`, with :math:`T_w = \sum_{kl}w_{kl}`;
* variance by linearisation over units:
  :math:`v = \frac{1}{n(n-1)}\sum_i(\gamma^\star_i - \gamma)^2`,
  :math:`\gamma^\star_i = \gamma_i - 2(1-\gamma)\frac{p_{e|i} - p_e}{1-p_e}`,
  :math:`\gamma_i = \frac{n}{n_2}\frac{p_{a|i} - p_e[r_i\ge2]}{1-p_e}`, where
  :math:`p_{e|i}` is unit i's share of the chance agreement
  (Fleiss: :math:`\sum_k r_{ik}\bar\pi_k/r_i`, :math:`\bar\pi_k = \sum_l w_{kl}\pi_l`;
  Gwet: :math:`\frac{T_w}{q(q-1)}\sum_k r_{ik}(1-\pi_k)/r_i`; Brennan-Prediger: :math:`p_e`).

Named ``weights`` place the categories by ``scores`` as in
:func:`qualcode.agreement.cohen_kappa`: ``"ranks"`` (default, equal steps in category
order) or ``"values"`` (their numbers). A Wald interval whose SE is 0 (perfect agreement,
a constant rater) is NaN with the reason in ``ci_note`` (:mod:`qualcode.agreement.intervals`).

With every unit rated by the same m raters this is exactly Fleiss' (1971) kappa.
With unequal numbers of raters per unit, each unit's agreement is the share of
agreeing rater pairs among its own pairs, units count equally, and single-rated
units count only towards the prevalences :math:`\pi_k`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualcode.agreement._common import AgreementInputError, divide, sqrt_nonneg, z_value
from qualcode.agreement._labels import encode
from qualcode.agreement.intervals import wald, zero_se_reason
from qualcode.agreement.results import Coefficient
from qualcode.agreement.weights import Scores, resolve_weights

Weights = str | np.ndarray | Sequence[Sequence[float]] | None
_SE = "Gwet (2014) linearised SE over units"


def rating_counts(
    ratings: Any, *, categories: Sequence[Any] | None = None, missing: Any = None
) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Units x categories counts from a units x raters array of labels (missing ratings skipped).

    >>> counts, cats = rating_counts([[1, 1, None], [2, 1, 2]])
    >>> counts.tolist(), cats
    ([[2, 0], [1, 2]], (1, 2))
    """
    codes, cats = encode(ratings, categories, missing)
    if codes.ndim != 2:
        raise AgreementInputError("ratings must be a 2-D array of shape (units, raters); got "
                                  f"{codes.ndim} dimensions")
    n_units, q = codes.shape[0], len(cats)
    unit = np.broadcast_to(np.arange(n_units)[:, None], codes.shape)
    keep = codes >= 0
    counts = np.bincount(unit[keep] * q + codes[keep], minlength=n_units * q).reshape(n_units, q)
    return counts, cats


def _prepare(
    ratings: Any, counts: Any, categories: Sequence[Any] | None, missing: Any
) -> tuple[np.ndarray, tuple[Any, ...], int]:
    """Return (counts of units with >= 1 rating, categories, number of raters)."""
    if (ratings is None) == (counts is None):
        raise AgreementInputError("give either ratings (units x raters) or counts (units x "
                                  "categories), not both")
    if ratings is not None:
        r, cats = rating_counts(ratings, categories=categories, missing=missing)
        n_raters = int(np.asarray(ratings, dtype=object).shape[1])
    else:
        r = np.asarray(counts)
        if r.ndim != 2 or r.dtype.kind not in "iuf" or np.any(r < 0) or np.any(r != np.round(r)):
            raise AgreementInputError("counts must be a units x categories array of non-negative "
                                      "whole numbers")
        r = r.astype(np.int64)
        cats = tuple(categories) if categories is not None else tuple(range(r.shape[1]))
        if len(cats) != r.shape[1]:
            raise AgreementInputError(f"got {len(cats)} categories for {r.shape[1]} count columns")
        n_raters = int(r.sum(axis=1).max()) if r.size else 0
    return r[r.sum(axis=1) > 0], cats, n_raters


def _coefficient(
    kind: str,
    ratings: Any,
    counts: Any,
    categories: Any,
    missing: Any,
    weights: Weights,
    confidence: float,
    scores: Scores = None,
) -> Coefficient:
    r, cats, n_raters = _prepare(ratings, counts, categories, missing)
    q = len(cats)
    w, wname, sname = (
        resolve_weights(weights, q, scores, cats) if q else (np.eye(0), "identity", "")
    )
    z = z_value(confidence)
    n = r.shape[0]
    name = {
        "fleiss": "Fleiss' kappa",
        "gwet": "Gwet's AC1" if wname == "identity" else "Gwet's AC2",
        "bp": "Brennan-Prediger",
        "pa": "percent agreement",
    }[kind]
    ri = r.sum(axis=1).astype(float)
    two = ri >= 2
    n2 = int(two.sum())
    nan = float("nan")
    base = dict(
        name=name,
        confidence=float(confidence),
        n_units=n,
        n_raters=n_raters,
        categories=cats,
        weights=wname,
        scores=sname,
        method=_SE,
    )
    if n2 == 0:
        return Coefficient(
            value=nan,
            se=nan,
            ci_low=nan,
            ci_high=nan,
            percent_agreement=nan,
            chance_agreement=nan,
            note="no unit has two or more ratings, so there is no pair to agree",
            **base,
        )
    rf = r.astype(float)
    rstar = rf @ w.T
    pa_i = np.where(two, divide((rf * (rstar - 1.0)).sum(axis=1), ri * (ri - 1.0)), 0.0)
    pa = float(pa_i[two].mean())
    prev = (rf / ri[:, None]).mean(axis=0)
    tw = float(w.sum())
    note = ""
    if kind == "fleiss":
        pe = float(prev @ w @ prev)
        pbar = (w @ prev + w.T @ prev) / 2.0
        pe_i = (rf @ pbar) / ri
    elif kind == "gwet":
        if q < 2:
            pe, pe_i, note = nan, np.full(n, nan), "AC1 needs at least two categories"
        else:
            pe = tw / (q * (q - 1)) * float((prev * (1.0 - prev)).sum())
            pe_i = tw / (q * (q - 1)) * (rf @ (1.0 - prev)) / ri
    elif kind == "bp":
        pe = tw / q**2
        pe_i = np.full(n, pe)
    else:
        pe, pe_i = 0.0, np.zeros(n)
    value = float(1.0 - divide(1.0 - pa, 1.0 - pe))
    if np.isnan(value) and not note:
        note = ("every rating falls in one category, so chance agreement is 1 and the "
                "coefficient is 0/0")
    se = nan
    if n > 1 and np.isfinite(value):
        gamma_i = (n / n2) * (pa_i - pe * two) / (1.0 - pe)
        gamma_star = gamma_i - 2.0 * (1.0 - value) * (pe_i - pe) / (1.0 - pe)
        dev = gamma_star - value
        # Deviations below 1e-12 are round-off of an exact 0 (e.g. perfect agreement).
        se = float(np.sqrt((np.where(np.abs(dev) < 1e-12, 0.0, dev) ** 2).sum() / (n * (n - 1))))
    se_null = _fleiss_null_se(rf, prev, n) if kind == "fleiss" and wname == "identity" else nan
    low, high = wald(value, se, z)
    ci_note = ""
    if np.isfinite(value) and se == 0:
        # A rater is constant when every unit they rated has their one category.
        constant = ratings is not None and _constant_rater(ratings, categories, missing)
        ci_note = zero_se_reason(pa == 1.0, constant)
    return Coefficient(
        value=value,
        se=se,
        ci_low=float(low),
        ci_high=float(high),
        percent_agreement=pa,
        chance_agreement=float(pe),
        se_null=se_null,
        note=note,
        ci_note=ci_note,
        **base,
    )


def _constant_rater(ratings: Any, categories: Any, missing: Any) -> bool:
    codes, _ = encode(ratings, categories, missing)
    for column in codes.T:
        seen = column[column >= 0]
        if seen.size and (seen == seen[0]).all():
            return True
    return False


def _fleiss_null_se(r: np.ndarray, prev: np.ndarray, n: int) -> float:
    """SE of Fleiss' kappa under kappa = 0 (Fleiss, Nee & Landis 1979); equal raters per unit."""
    m = r.sum(axis=1)
    if n < 1 or m.min() != m.max() or m[0] < 2:
        return float("nan")
    m0 = float(m[0])
    pq = prev * (1.0 - prev)
    spq = pq.sum()
    if spq == 0:
        return float("nan")
    var = 2.0 / (n * m0 * (m0 - 1.0)) * (spq**2 - (pq * (1.0 - 2.0 * prev)).sum()) / spq**2
    return float(sqrt_nonneg(var))


def fleiss_kappa(
    ratings: Any = None,
    *,
    counts: Any = None,
    categories: Sequence[Any] | None = None,
    missing: Any = None,
    weights: Weights = None,
    confidence: float = 0.95,
    scores: Scores = None,
) -> Coefficient:
    """Fleiss' kappa for any number of raters (Fleiss 1971), with missing ratings and weights
    (Gwet 2014).

    ``se`` is Gwet's linearised SE (used for the CI); ``se_null`` is the SE
    under kappa = 0 of Fleiss, Nee & Landis (1979),
    :math:`\\sqrt{2/(n m(m-1))}\\,\\sqrt{(\\sum p_jq_j)^2 - \\sum p_jq_j(q_j-p_j)}/\\sum p_jq_j`,
    given only when every unit has the same number m of ratings and no weights.
    See the module docstring for the formulas.

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin, 76, 378-382.
    Fleiss, J. L., Nee, J. C. M. & Landis, J. R. (1979). Large sample variance of
    kappa in the case of different sets of raters. Psychological Bulletin, 86, 974-977.
    Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.

    Examples
    --------
    Gwet (2014) handbook data: 4 raters, 12 units, 5 categories, some ratings
    missing. Gwet's irrCAC prints Fleiss' kappa 0.76117 (SE 0.15302), pa 0.81818,
    pe 0.23872:

    >>> data = [[1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2],
    ...         [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [None, 5, 5, 5],
    ...         [None, None, 1, 1], [None, None, 3, None]]
    >>> k = fleiss_kappa(data)
    >>> print(f"{k.value:.5f} {k.se:.5f} {k.percent_agreement:.5f} {k.chance_agreement:.5f}")
    0.76117 0.15302 0.81818 0.23872
    """
    return _coefficient("fleiss", ratings, counts, categories, missing, weights, confidence, scores)


def gwet_ac(
    ratings: Any = None,
    *,
    counts: Any = None,
    categories: Sequence[Any] | None = None,
    missing: Any = None,
    weights: Weights = None,
    confidence: float = 0.95,
    scores: Scores = None,
) -> Coefficient:
    """Gwet's AC1 (unweighted) or AC2 (weighted) for any number of raters with missing ratings.

    Chance agreement :math:`p_e = T_w/(q(q-1))\\sum_k\\pi_k(1-\\pi_k)`: the
    probability that a rating is random (hard-to-classify unit) times the chance
    that two random ratings agree. See the module docstring for the SE.

    References
    ----------
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
    presence of high agreement. British Journal of Mathematical and Statistical
    Psychology, 61, 29-48.
    Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed., ch. 4.

    Examples
    --------
    Gwet (2014) handbook data (see :func:`fleiss_kappa`); irrCAC prints AC1
    0.77544 (SE 0.14295) and, with quadratic weights, AC2 0.914 (SE 0.104):

    >>> data = [[1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2],
    ...         [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [None, 5, 5, 5],
    ...         [None, None, 1, 1], [None, None, 3, None]]
    >>> ac1 = gwet_ac(data)
    >>> print(f"{ac1.value:.5f} {ac1.se:.5f}")
    0.77544 0.14295
    >>> ac2 = gwet_ac(data, weights="quadratic")
    >>> print(ac2.name, f"{ac2.value:.3f} {ac2.se:.3f}")
    Gwet's AC2 0.914 0.104
    """
    return _coefficient("gwet", ratings, counts, categories, missing, weights, confidence, scores)


def brennan_prediger(
    ratings: Any = None,
    *,
    counts: Any = None,
    categories: Sequence[Any] | None = None,
    missing: Any = None,
    weights: Weights = None,
    confidence: float = 0.95,
    scores: Scores = None,
) -> Coefficient:
    """Brennan-Prediger coefficient for many raters (uniform chance agreement ``T_w / q^2``; 1/q
    unweighted).

    With two categories and two raters this is PABAK, ``2 po - 1``.

    References
    ----------
    Brennan, R. L. & Prediger, D. J. (1981). Coefficient kappa: some uses, misuses,
    and alternatives. Educational and Psychological Measurement, 41, 687-699.

    Examples
    --------
    Gwet (2014) handbook data; irrCAC prints 0.773 (SE 0.145):

    >>> data = [[1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2],
    ...         [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [None, 5, 5, 5],
    ...         [None, None, 1, 1], [None, None, 3, None]]
    >>> bp = brennan_prediger(data)
    >>> print(f"{bp.value:.3f} {bp.se:.3f}")
    0.773 0.145
    """
    return _coefficient("bp", ratings, counts, categories, missing, weights, confidence, scores)


def percent_agreement(
    ratings: Any = None,
    *,
    counts: Any = None,
    categories: Sequence[Any] | None = None,
    missing: Any = None,
    weights: Weights = None,
    confidence: float = 0.95,
    scores: Scores = None,
) -> Coefficient:
    """Share of agreeing rater pairs, averaged over units with two or more ratings.

    The ``p_a`` of Fleiss and Gwet.

    >>> percent_agreement([["a", "a", "b"], ["b", "b", "b"]]).value
    0.6666666666666666
    """
    return _coefficient("pa", ratings, counts, categories, missing, weights, confidence, scores)


@dataclass(frozen=True, eq=False)
class PairwiseAgreement:
    """Percent agreement of every pair of raters over the units both rated."""

    agreement: np.ndarray  #: raters x raters, NaN where a pair shares no unit (diagonal NaN)
    n_units: np.ndarray  #: raters x raters count of units both rated
    mean: float  #: unweighted mean over pairs that share a unit
    pooled: float  #: all agreeing pair-ratings over all shared pair-ratings


def pairwise_agreement(
    ratings: Any,
    *,
    categories: Sequence[Any] | None = None,
    missing: Any = None,
    weights: Weights = None,
) -> PairwiseAgreement:
    """Percent agreement for every pair of raters (weighted credit ``w[k, l]`` with weights).

    >>> pw = pairwise_agreement([["a", "a", "b"], ["b", "b", None], ["a", "b", "b"]])
    >>> pw.agreement.round(2).tolist()
    [[nan, 0.67, 0.0], [0.67, nan, 0.5], [0.0, 0.5, nan]]
    >>> pw.n_units[0].tolist(), round(pw.pooled, 4)
    ([0, 3, 2], 0.4286)
    """
    codes, cats = encode(ratings, categories, missing)
    if codes.ndim != 2:
        raise AgreementInputError("ratings must be a 2-D array of shape (units, raters)")
    w, _, _ = resolve_weights(weights, max(len(cats), 1))
    k = codes.shape[1]
    agree = np.full((k, k), np.nan)
    n = np.zeros((k, k), dtype=np.int64)
    total_agree = 0.0
    for i in range(k):
        for j in range(i + 1, k):
            both = (codes[:, i] >= 0) & (codes[:, j] >= 0)
            m = int(both.sum())
            n[i, j] = n[j, i] = m
            if m:
                s = float(w[codes[both, i], codes[both, j]].sum())
                agree[i, j] = agree[j, i] = s / m
                total_agree += s
    upper = agree[np.triu_indices(k, 1)]
    shared = int(n[np.triu_indices(k, 1)].sum())
    return PairwiseAgreement(
        agreement=agree,
        n_units=n,
        mean=float(np.nanmean(upper)) if np.isfinite(upper).any() else float("nan"),
        pooled=total_agree / shared if shared else float("nan"),
    )
