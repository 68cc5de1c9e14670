r"""Two raters, nominal or ordinal categories: Cohen's (weighted) kappa, Scott's pi, AC1/AC2,
Brennan-Prediger.

Every coefficient here is computed from the q x q contingency table
:math:`p_{kl}` (proportion of units rater 1 put in category k and rater 2 in l)
and a matrix of agreement weights :math:`w_{kl}` (identity when unweighted):
:math:`p_a = \sum_{kl} w_{kl} p_{kl}`, value :math:`= (p_a - p_e)/(1 - p_e)`.
Units where either rater is missing are left out (and counted).

Standard errors follow one pattern (Fleiss, Cohen & Everitt 1969 for kappa;
Gwet 2014, ch. 2-5 for the others):
:math:`\mathrm{Var} = [\sum_{kl} p_{kl}(w_{kl} - c_{kl})^2 - (p_a - 2(1-\hat\gamma)p_e)^2] /
(n(1-p_e)^2)` with a coefficient-specific :math:`c_{kl}` given in each docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from qualcode.agreement._common import (
    AgreementInputError,
    as_float,
    divide,
    sqrt_nonneg,
    variance,
    z_value,
)
from qualcode.agreement._labels import encode
from qualcode.agreement.intervals import wald, zero_se_reason
from qualcode.agreement.results import Coefficient
from qualcode.agreement.weights import Scores, resolve_weights

Weights = str | np.ndarray | Sequence[Sequence[float]] | None

_FCE = "Fleiss, Cohen & Everitt (1969) large-sample SE"
_GWET = "Gwet (2014, Handbook 4th ed.) linearised SE"


def contingency_table(
    r1: Any, r2: Any, *, categories: Sequence[Any] | None = None, missing: Any = None
) -> tuple[np.ndarray, tuple[Any, ...], int]:
    """Cross-tabulate two raters: (q x q counts, categories, units dropped for a missing rating).

    Rows are rater 1, columns rater 2.

    >>> table, cats, dropped = contingency_table(["a", "b", None, "b"], ["a", "a", "b", "b"])
    >>> table.tolist(), cats, dropped
    ([[1, 0], [1, 1]], ('a', 'b'), 1)
    """
    x1 = np.asarray(r1, dtype=object) if not isinstance(r1, np.ndarray) else r1
    x2 = np.asarray(r2, dtype=object) if not isinstance(r2, np.ndarray) else r2
    if x1.ndim != 1 or x2.ndim != 1 or x1.shape != x2.shape:
        raise AgreementInputError(
            "the two raters' ratings must be flat sequences of the same length; got shapes "
            f"{x1.shape} and {x2.shape}"
        )
    both = np.empty((x1.shape[0], 2), dtype=object)
    both[:, 0], both[:, 1] = x1, x2
    codes, cats = encode(both, categories, missing)
    keep = (codes >= 0).all(axis=1)
    q = len(cats)
    table = np.bincount(codes[keep, 0] * q + codes[keep, 1], minlength=q * q).reshape(q, q)
    return table, cats, int((~keep).sum())


def table_coefficients(
    table: Any,
    *,
    weights: Weights = None,
    scores: Scores = None,
    confidence: float = 0.95,
    categories: Sequence[Any] | None = None,
) -> dict[str, Coefficient]:
    r"""All two-rater coefficients from a q x q contingency table (rows rater 1, columns rater 2).

    ``scores`` places the categories for named weights: ``"ranks"`` (default, equal
    steps in category order) or ``"values"`` (their numbers); see
    :func:`qualcode.agreement.weights.category_scores`.

    Returns a dict with keys ``cohen_kappa``, ``scott_pi``, ``gwet_ac``,
    ``brennan_prediger`` and ``percent_agreement``. The chance agreement and the
    SE term :math:`c_{kl}` of each:

    * Cohen (1960, 1968): :math:`p_e = \sum w_{kl}p_{k\cdot}p_{\cdot l}`,
      :math:`c_{kl} = (1-\kappa)(\bar w_{k\cdot} + \bar w_{\cdot l})` with
      :math:`\bar w_{k\cdot} = \sum_l w_{kl}p_{\cdot l}`, :math:`\bar w_{\cdot l} = \sum_k
      w_{kl}p_{k\cdot}` (Fleiss, Cohen & Everitt 1969). Null SE:
      :math:`[\sum p_{k\cdot}p_{\cdot l}(w_{kl} - \bar w_{k\cdot} - \bar w_{\cdot l})^2 -
      p_e^2]/(n(1-p_e)^2)`. Maximum kappa (unweighted only): :math:`p_a = \sum_k \min(p_{k\cdot},
      p_{\cdot k})`.
    * Scott (1955): :math:`\pi_k = (p_{k\cdot}+p_{\cdot k})/2`, :math:`p_e = \sum w_{kl}\pi_k\pi_l`,
      :math:`c_{kl} = (1-\pi)(\bar\pi_k + \bar\pi_l)`, :math:`\bar\pi_k = \sum_l w_{kl}\pi_l`.
    * Gwet AC1/AC2 (2008; 2014): :math:`p_e = T_w/(q(q-1))\sum_k\pi_k(1-\pi_k)`,
      :math:`T_w = \sum w_{kl}`, :math:`c_{kl} = 2(1-\gamma)T_w/(q(q-1))(1-(\pi_k+\pi_l)/2)`.
    * Brennan & Prediger (1981): :math:`p_e = T_w/q^2`;
      :math:`\mathrm{Var} = (\sum p_{kl}w_{kl}^2 - p_a^2)/(n(1-p_e)^2)`.
    * Percent agreement :math:`p_a`, :math:`\mathrm{Var} = (\sum p_{kl}w_{kl}^2 - p_a^2)/n`.

    Examples
    --------
    Gwet (2014) handbook data ``cont3x3abstractors`` (100 pregnancies, 2 abstractors);
    Gwet's irrCAC R package prints kappa 0.7964 (SE 0.0589), Scott's pi 0.7962
    (SE 0.0591), AC1 0.8493 (SE 0.0432):

    >>> res = table_coefficients([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    >>> for key in ("cohen_kappa", "scott_pi", "gwet_ac"):
    ...     print(key, round(res[key].value, 4), round(res[key].se, 4))
    cohen_kappa 0.7964 0.0589
    scott_pi 0.7962 0.0591
    gwet_ac 0.8493 0.0432
    """
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1] or t.shape[0] < 1:
        raise AgreementInputError(f"contingency table must be square q x q; got shape {t.shape}")
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise AgreementInputError("contingency table must hold non-negative counts")
    q = t.shape[0]
    cats = tuple(categories) if categories is not None else tuple(range(q))
    if len(cats) != q:
        raise AgreementInputError(f"got {len(cats)} categories for a {q} x {q} table")
    w, wname, sname = resolve_weights(weights, q, scores, cats)
    n = float(t.sum())
    z = z_value(confidence)
    common: dict[str, Any] = dict(
        confidence=float(confidence),
        n_units=int(round(n)),
        n_raters=2,
        categories=cats,
        weights=wname,
        scores=sname,
    )
    if n == 0:
        note = "no unit was rated by both raters"
        nan = float("nan")
        return {
            key: Coefficient(
                name=label,
                value=nan,
                se=nan,
                ci_low=nan,
                ci_high=nan,
                percent_agreement=nan,
                chance_agreement=nan,
                note=note,
                table=t.astype(np.int64),
                **common,
            )
            for key, label in _NAMES.items()
        }
    p = t / n
    pr, pc = p.sum(axis=1), p.sum(axis=0)
    v = 1.0 - w  # disagreement weights: 0 on the diagonal
    # Observed and chance *disagreement* (1 - pa, 1 - pe): value = 1 - d_o / d_e equals
    # (pa - pe) / (1 - pe) but gives exactly 1 for perfect agreement.
    d_o = float((v * p).sum())
    pa = 1.0 - d_o
    sum_pw2 = float((p * w**2).sum())

    constant_rater = bool(np.isclose(pr.max(), 1.0) or np.isclose(pc.max(), 1.0))

    def build(
        key: str, value: Any, pe: Any, var: Any, method: str, note: str = "", **extra: Any
    ) -> Coefficient:
        val, se = as_float(value), as_float(sqrt_nonneg(var))
        if not np.isfinite(val):
            se = float("nan")
        low, high = wald(val, se, z)
        ci_note = zero_se_reason(d_o == 0, constant_rater) if np.isfinite(val) and se == 0 else ""
        return Coefficient(
            name=_NAMES[key],
            value=val,
            se=se,
            ci_low=as_float(low),
            ci_high=as_float(high),
            percent_agreement=pa,
            chance_agreement=as_float(pe),
            method=method,
            note=note if not np.isfinite(val) else "",
            ci_note=ci_note,
            table=t.astype(np.int64),
            **common,
            **extra,
        )

    def linearised(gamma: Any, d_e: float, c: np.ndarray) -> Any:
        pe = 1.0 - d_e
        return variance((p * (w - c) ** 2).sum() - (pa - 2.0 * (1.0 - gamma) * pe) ** 2, n * d_e**2)

    constant = (
        "every rating falls in one category, so chance agreement is 1 and the coefficient is 0/0"
    )
    out: dict[str, Coefficient] = {}

    de_k = float(pr @ v @ pc)
    kappa = 1.0 - divide(d_o, de_k)
    wr, wc = w @ pc, w.T @ pr
    var_k = linearised(kappa, de_k, (1.0 - kappa) * (wr[:, None] + wc[None, :]))
    var_k0 = variance(
        (np.outer(pr, pc) * (w - wr[:, None] - wc[None, :]) ** 2).sum() - (1.0 - de_k) ** 2,
        n * de_k**2,
    )
    kmax = float("nan")
    if wname == "identity":
        kmax = as_float(1.0 - divide(1.0 - np.minimum(pr, pc).sum(), de_k))
    out["cohen_kappa"] = build("cohen_kappa", kappa, 1.0 - de_k, var_k, _FCE, constant,
                               se_null=as_float(sqrt_nonneg(var_k0)), kappa_max=kmax)

    prev = (pr + pc) / 2.0
    de_s = float(prev @ v @ prev)
    scott = 1.0 - divide(d_o, de_s)
    pw = (w @ prev + w.T @ prev) / 2.0
    out["scott_pi"] = build(
        "scott_pi",
        scott,
        1.0 - de_s,
        linearised(scott, de_s, (1.0 - scott) * (pw[:, None] + pw[None, :])),
        _GWET,
        constant,
    )

    tw = float(w.sum())
    ac: float | np.ndarray
    var_g: float | np.ndarray
    if q >= 2:
        pe_g = tw / (q * (q - 1)) * float((prev * (1.0 - prev)).sum())
        ac = 1.0 - divide(d_o, 1.0 - pe_g)
        c_g = 2.0 * (1.0 - ac) * tw / (q * (q - 1)) * (1.0 - (prev[:, None] + prev[None, :]) / 2.0)
        var_g = linearised(ac, 1.0 - pe_g, c_g)
    else:
        pe_g, ac, var_g = float("nan"), np.nan, np.nan
    out["gwet_ac"] = build("gwet_ac", ac, pe_g, var_g, "Gwet (2008) SE", "AC1 needs at least two "
                                                                         "categories")
    if wname != "identity":
        out["gwet_ac"] = _renamed(out["gwet_ac"], "Gwet's AC2")

    pe_bp = tw / q**2
    bp = 1.0 - divide(d_o, 1.0 - pe_bp)
    out["brennan_prediger"] = build(
        "brennan_prediger",
        bp,
        pe_bp,
        variance(sum_pw2 - pa**2, n * (1.0 - pe_bp) ** 2),
        _GWET,
        "Brennan-Prediger needs at least two categories",
    )
    out["percent_agreement"] = build(
        "percent_agreement", pa, 0.0, variance(sum_pw2 - pa**2, n), "binomial SE sqrt(pa(1-pa)/n)"
    )
    return out


_NAMES = {
    "cohen_kappa": "Cohen's kappa",
    "scott_pi": "Scott's pi",
    "gwet_ac": "Gwet's AC1",
    "brennan_prediger": "Brennan-Prediger",
    "percent_agreement": "percent agreement",
}


def _renamed(c: Coefficient, name: str) -> Coefficient:
    return replace(c, name=name)


def cohen_kappa(
    r1: Any,
    r2: Any,
    *,
    weights: Weights = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    missing: Any = None,
    scores: Scores = None,
) -> Coefficient:
    r"""Cohen's kappa (weighted or not) of two raters, with its Fleiss-Cohen-Everitt SE and CI.

    Parameters
    ----------
    r1, r2 : sequence
        One rating per unit from each rater; None, NaN or ``missing`` marks a
        missing rating, and such units are left out.
    weights : None, "linear", "quadratic", "ordinal", "radical", "ratio" or q x q array
        Agreement weights (1 on the diagonal).
    scores : "ranks" (default), "values" or one number per category
        Where named weights place the categories: ``ranks`` treats them as equally
        spaced in the order of ``categories`` (as scikit-learn's
        ``cohen_kappa_score``); ``values`` uses their numeric distances (as
        ``qualcode stats --scores values``, irrCAC and statsmodels with category
        scores). The result's ``scores`` says which was used.
    categories : sequence, optional
        Category order (required for a meaningful ordinal order when labels do
        not sort naturally); defaults to the sorted labels seen.
    confidence : float
        Level of the Wald interval.
    missing : scalar, optional
        Extra value meaning "missing" (e.g. -1 in an integer array).

    Returns
    -------
    Coefficient
        ``value`` is kappa; ``se`` is the non-null ASE used for the CI and
        ``se_null`` the SE under kappa = 0 used by :attr:`Coefficient.z`.

    Notes
    -----
    :math:`\kappa_w = (p_a - p_e)/(1 - p_e)` with :math:`p_a = \sum w_{kl}p_{kl}`,
    :math:`p_e = \sum w_{kl}p_{k\cdot}p_{\cdot l}` (Cohen 1968). Standard errors:
    see :func:`table_coefficients` (Fleiss, Cohen & Everitt 1969, as in SAS PROC FREQ).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational
    and Psychological Measurement, 20, 37-46.
    Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70, 213-220.
    Fleiss, J. L., Cohen, J. & Everitt, B. S. (1969). Large sample standard errors
    of kappa and weighted kappa. Psychological Bulletin, 72, 323-327.

    Examples
    --------
    SAS/STAT PROC FREQ "Agreement Study" (skin condition rated by two
    dermatologists; SAS prints kappa 0.3449, ASE 0.0724, 95 % CI 0.2030-0.4868 and
    Cicchetti-Allison weighted kappa 0.5082, ASE 0.0655, CI 0.3798-0.6366):

    >>> table = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]
    >>> r1 = [i for i, row in enumerate(table) for j, c in enumerate(row) for _ in range(c)]
    >>> r2 = [j for i, row in enumerate(table) for j, c in enumerate(row) for _ in range(c)]
    >>> k = cohen_kappa(r1, r2)
    >>> print(f"{k.value:.4f} {k.se:.4f} {k.ci_low:.4f} {k.ci_high:.4f}")
    0.3449 0.0724 0.2030 0.4868
    >>> kw = cohen_kappa(r1, r2, weights="linear")
    >>> print(f"{kw.value:.4f} {kw.se:.4f} {kw.ci_low:.4f} {kw.ci_high:.4f}")
    0.5082 0.0655 0.3798 0.6366

    Categories with a gap: ranks weight 3 -> 5 like one step, values like two.

    >>> a, b = [1, 2, 3, 5, 5, 1], [1, 3, 3, 5, 3, 2]
    >>> k_ranks = cohen_kappa(a, b, weights="linear")
    >>> k_values = cohen_kappa(a, b, weights="linear", scores="values")
    >>> k_ranks.scores, round(k_ranks.value, 4), k_values.scores, round(k_values.value, 4)
    ('ranks', 0.6087, 'values', 0.6)
    """
    table, cats, dropped = contingency_table(r1, r2, categories=categories, missing=missing)
    res = table_coefficients(table, weights=weights, scores=scores, confidence=confidence,
                             categories=cats)["cohen_kappa"]
    if weights is not None:
        res = _renamed(res, "Cohen's weighted kappa")
    return _with_dropped(res, dropped)


def scott_pi(
    r1: Any,
    r2: Any,
    *,
    weights: Weights = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    missing: Any = None,
    scores: Scores = None,
) -> Coefficient:
    r"""Scott's pi of two raters: chance agreement from the pooled category distribution.

    :math:`\pi = (p_a - p_e)/(1 - p_e)`, :math:`p_e = \sum_{kl} w_{kl}\pi_k\pi_l`,
    :math:`\pi_k = (p_{k\cdot} + p_{\cdot k})/2`; SE from Gwet (2014, ch. 5). Units
    with a missing rating are left out. Arguments as :func:`cohen_kappa`.

    References
    ----------
    Scott, W. A. (1955). Reliability of content analysis: the case of nominal scale
    coding. Public Opinion Quarterly, 19, 321-325.

    Examples
    --------
    >>> p = scott_pi(["a", "a", "b", "b", "a"], ["a", "b", "b", "b", "a"])
    >>> round(p.value, 4), p.n_units
    (0.6, 5)
    """
    table, cats, dropped = contingency_table(r1, r2, categories=categories, missing=missing)
    res = table_coefficients(table, weights=weights, scores=scores, confidence=confidence,
                             categories=cats)["scott_pi"]
    return _with_dropped(res, dropped)


def _with_dropped(res: Coefficient, dropped: int) -> Coefficient:
    if not dropped:
        return res
    extra = f"{dropped} unit(s) with a missing rating left out"
    return replace(res, method=f"{res.method}; {extra}" if res.method else extra)
