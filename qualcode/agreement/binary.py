"""Two coders, presence/absence of each code on each unit: every 2x2 statistic, all codes at once.

The input is two boolean arrays of shape (units, codes). Three column counts
(both coders present, coder A present, coder B present) give each code's 2x2
table; every statistic below is then a handful of array operations on vectors
of length ``codes``. There is no Python loop over codes.

Notation for one code, as proportions of the ``n`` units::

                      coder B present   coder B absent
    coder A present        p11              p10          pA = p11 + p10
    coder A absent         p01              p00
                           pB = p11 + p01

``po = p11 + p00`` is the percent agreement; ``pi = (pA + pB) / 2`` is the mean
prevalence of the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from qualcode.agreement._common import AgreementInputError, divide, sqrt_nonneg, variance, z_value
from qualcode.agreement.intervals import REASON_CONSTANT_RATER, REASON_PERFECT, wald

REASON_NO_UNITS = "no units were rated by both coders"
REASON_CONSTANT = (
    "both coders gave every unit the same value (the code is always absent, or always present), "
    "so chance agreement is 1 and kappa, Scott's pi and maximum kappa are 0/0; "
    "report percent agreement, AC1 or PABAK instead"
)


@dataclass(frozen=True, eq=False)
class BinaryAgreement:
    """Per-code agreement of two coders on presence/absence; each field has one value per code.

    Standard errors are large-sample (delta-method) estimates; each ``*_low`` /
    ``*_high`` pair is the Wald interval ``estimate -/+ z * se`` at ``confidence``,
    not clipped to [-1, 1], and NaN where the SE is 0 (perfect agreement, a coder
    who gave every unit the same value): ``interval_undefined`` says why.
    ``undefined`` holds, per code, why the chance-corrected statistics are NaN
    ('' where they are defined).
    """

    n: np.ndarray  #: units rated by both coders (int)
    both: np.ndarray  #: units both coders coded (count, p11 * n)
    only_a: np.ndarray  #: units only coder A coded (p10 * n)
    only_b: np.ndarray  #: units only coder B coded (p01 * n)
    neither: np.ndarray  #: units neither coder coded (p00 * n)
    percent_agreement: np.ndarray  #: po = p11 + p00
    chance_agreement: np.ndarray  #: Cohen's pe = pA pB + (1 - pA)(1 - pB)
    kappa: np.ndarray  #: Cohen's kappa (po - pe) / (1 - pe)
    kappa_se: np.ndarray  #: Fleiss, Cohen & Everitt (1969) non-null SE, used for the CI
    kappa_se_null: np.ndarray  #: SE under kappa = 0 (Fleiss, Cohen & Everitt 1969), for tests
    kappa_low: np.ndarray
    kappa_high: np.ndarray
    kappa_max: np.ndarray  #: largest kappa the two coders' marginals allow
    scott_pi: np.ndarray  #: Scott's pi, chance from the pooled prevalence
    scott_pi_se: np.ndarray  #: Gwet (2014) linearised SE of Scott's pi
    ac1: np.ndarray  #: Gwet's AC1
    ac1_se: np.ndarray  #: Gwet (2008) SE of AC1
    ac1_low: np.ndarray
    ac1_high: np.ndarray
    pabak: np.ndarray  #: Brennan-Prediger = PABAK = 2 po - 1
    pabak_se: np.ndarray  #: 2 sqrt(po (1 - po) / n)
    prevalence_index: np.ndarray  #: Byrt et al. (1993) PI = p11 - p00
    bias_index: np.ndarray  #: Byrt et al. (1993) BI = p10 - p01
    undefined: np.ndarray  #: reason the chance-corrected values are NaN, '' if defined
    #: reason the kappa and AC1 intervals are NaN while kappa is defined, ''
    interval_undefined: np.ndarray
    confidence: float = 0.95
    codes: tuple[str, ...] | None = field(default=None)

    def __len__(self) -> int:
        """Number of codes."""
        return int(self.n.shape[0])

    @property
    def pooled_kappa(self) -> float:
        """Pooled kappa over codes (De Vries et al. 2008); see :func:`pooled_kappa`."""
        return pooled_kappa(self.percent_agreement, self.chance_agreement)

    def summary(self) -> dict[str, Any]:
        """Overall figures: pooled kappa, mean kappa over the codes where defined, how many."""
        defined = ~np.isnan(self.kappa)
        return {
            "codes": len(self),
            "pooled_kappa": self.pooled_kappa,
            "mean_kappa": float(self.kappa[defined].mean()) if defined.any() else float("nan"),
            "codes_with_kappa": int(defined.sum()),
            "mean_ac1": float(np.nanmean(self.ac1))
            if np.isfinite(self.ac1).any()
            else float("nan"),
            "mean_percent_agreement": (
                float(np.nanmean(self.percent_agreement))
                if np.isfinite(self.percent_agreement).any()
                else float("nan")
            ),
        }

    def explain(self, j: int) -> str:
        """Why code ``j``'s chance-corrected statistics are undefined ('' if they are defined)."""
        return str(self.undefined[j])

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per code (Python numbers, NaN kept), for tables and JSON."""
        names = [f.name for f in fields(self) if f.name not in ("confidence", "codes")]
        out = []
        for j in range(len(self)):
            rec: dict[str, Any] = {"code": self.codes[j] if self.codes is not None else j}
            for name in names:
                v = getattr(self, name)[j]
                rec[name] = v.item() if hasattr(v, "item") else v
            out.append(rec)
        return out


def pooled_kappa(percent_agreement: np.ndarray, chance_agreement: np.ndarray) -> float:
    """Pooled kappa across codes: average observed and chance agreement first, then form kappa.

    .. math:: \\kappa_{pooled} = (\\bar p_o - \\bar p_e) / (1 - \\bar p_e)

    with the means over codes that have at least one unit (NaN ``po`` marks a code
    without units). Codes whose kappa is 0/0 (both coders constant) still count:
    they add full observed and full chance agreement. Unlike the mean of per-code
    kappas it is defined whenever at least one code varies, and it weights codes
    by their informativeness rather than equally.

    References
    ----------
    De Vries, H., Elliott, M. N., Kanouse, D. E. & Teleki, S. S. (2008). Using
    pooled kappa to summarize interrater agreement across many items. Field
    Methods, 20(3), 272-282.

    Examples
    --------
    Two codes with po = 0.85, pe = 0.5008 and po = 0.85, pe = 0.78:

    >>> round(pooled_kappa(np.array([0.85, 0.85]), np.array([0.5008, 0.78])), 4)
    0.5829
    """
    po = np.asarray(percent_agreement, dtype=float)
    pe = np.asarray(chance_agreement, dtype=float)
    keep = ~np.isnan(po)
    if not keep.any():
        return float("nan")
    po_bar, pe_bar = po[keep].mean(), pe[keep].mean()
    return float(divide(po_bar - pe_bar, 1.0 - pe_bar))


def as_presence(x: Any, name: str) -> np.ndarray:
    """Coerce a (units, codes) presence array to bool; 1-D input is one code."""
    arr = np.asarray(x)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise AgreementInputError(f"{name} must be a 2-D array of shape (units, codes); got "
                                  f"{arr.ndim} dimensions")
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind not in "iuf":
        raise AgreementInputError(
            f"{name} must hold booleans or 0/1 numbers, got dtype {arr.dtype}"
        )
    if not np.isin(arr, (0, 1)).all():
        raise AgreementInputError(f"{name} must hold only 0/1 (absent/present); found other values")
    return arr.astype(bool)


def binary_counts(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(n, both, a_total, b_total)`` per code from two (units, codes) presence arrays."""
    a = as_presence(a, "a")
    b = as_presence(b, "b")
    if a.shape != b.shape:
        raise AgreementInputError(
            f"coder arrays differ in shape: a is {a.shape}, b is {b.shape}; align units and codes "
            "first"
        )
    n = np.full(a.shape[1], a.shape[0], dtype=np.int64)
    both = np.count_nonzero(a & b, axis=0).astype(np.int64)
    return (
        n,
        both,
        np.count_nonzero(a, axis=0).astype(np.int64),
        np.count_nonzero(b, axis=0).astype(np.int64),
    )


def binary_statistics(n: Any, both: Any, a_total: Any, b_total: Any) -> dict[str, np.ndarray]:
    """All point estimates and standard errors from counts; arrays of any (matching) shape.

    This is the vectorised core shared by :func:`binary_agreement` and the
    bootstrap. Returns a dict keyed like :class:`BinaryAgreement`'s fields
    (without the confidence limits).
    """
    n = np.asarray(n, dtype=float)
    n11 = np.asarray(both, dtype=float)
    na = np.asarray(a_total, dtype=float)
    nb = np.asarray(b_total, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p11, pa, pb = n11 / n, na / n, nb / n
        # Off-diagonal cells straight from integer counts, so "no disagreement" is an exact 0.
        p10, p01 = (na - n11) / n, (nb - n11) / n
    p00 = 1.0 - pa - pb + p11
    qa, qb = 1.0 - pa, 1.0 - pb
    d_o = p10 + p01  # observed disagreement, 1 - po
    po = 1.0 - d_o
    # Kappa is computed as 1 - d_o / d_e (disagreement form): equal to (po - pe) / (1 - pe), but a
    # perfect table gives exactly 1 instead of 0.9999999999999998.
    d_e = pa * qb + qa * pb  # 1 - pe
    pe = 1.0 - d_e
    # 0/0 exactly when both coders are constant and equal; test counts, not floats.
    constant = ((na == 0) & (nb == 0)) | ((na == n) & (nb == n))
    one_minus_pe = np.where(constant, 0.0, d_e)
    kappa = 1.0 - divide(d_o, one_minus_pe)
    k1 = 1.0 - kappa
    # Fleiss, Cohen & Everitt (1969), eq. (13), for a 2x2 table.
    var_k = (
        p11 * (1.0 - (pa + pb) * k1) ** 2
        + p00 * (1.0 - (qa + qb) * k1) ** 2
        + k1**2 * (p10 * (pb + qa) ** 2 + p01 * (qb + pa) ** 2)
        - (kappa - pe * k1) ** 2
    )
    kappa_se = sqrt_nonneg(variance(var_k, n * one_minus_pe**2))
    var_k0 = pe + pe**2 - (pa * pb * (pa + pb) + qa * qb * (qa + qb))
    kappa_se_null = sqrt_nonneg(variance(var_k0, n * one_minus_pe**2))
    kappa_max = 1.0 - divide(np.abs(pa - pb), one_minus_pe)  # 1 - po_max = |pA - pB|

    prev = (pa + pb) / 2.0
    d_e_pi = np.where(constant, 0.0, 2.0 * prev * (1.0 - prev))  # 1 - pe of Scott's pi
    pe_pi = 1.0 - d_e_pi
    s1 = divide(d_o, d_e_pi)  # 1 - pi
    scott = 1.0 - s1
    var_s = (
        p11 * (1.0 - 2.0 * s1 * prev) ** 2
        + p00 * (1.0 - 2.0 * s1 * (1.0 - prev)) ** 2
        + (p10 + p01) * s1**2
        - (po - 2.0 * s1 * pe_pi) ** 2
    )
    scott_se = sqrt_nonneg(variance(var_s, n * d_e_pi**2))

    # Gwet (2008): for q = 2 categories pe = 2 pi (1 - pi) <= 1/2, so AC1 is defined whenever n > 0.
    pe_g = 2.0 * prev * (1.0 - prev)
    d_e_g = prev**2 + (1.0 - prev) ** 2  # 1 - pe_g
    g1 = divide(d_o, d_e_g)  # 1 - AC1
    ac1 = 1.0 - g1
    var_g = (
        p11 * (1.0 - 2.0 * g1 * (1.0 - prev)) ** 2
        + p00 * (1.0 - 2.0 * g1 * prev) ** 2
        + (p10 + p01) * g1**2
        - (po - 2.0 * g1 * pe_g) ** 2
    )
    # Gwet (2014) linearisation over units, 1/(n(n-1)) sum (g*_i - g)^2: the table form above
    # times n/(n-1), the same SE `qualcode stats` (gwet_ac) gives for the same two-rater data.
    ac1_se = sqrt_nonneg(variance(var_g, (n - 1.0) * d_e_g**2))

    return {
        "percent_agreement": po,
        "chance_agreement": pe,
        "kappa": kappa,
        "kappa_se": kappa_se,
        "kappa_se_null": kappa_se_null,
        "kappa_max": kappa_max,
        "scott_pi": scott,
        "scott_pi_se": scott_se,
        "ac1": ac1,
        "ac1_se": ac1_se,
        "pabak": 2.0 * po - 1.0,
        "pabak_se": 2.0 * sqrt_nonneg(variance(po * (1.0 - po), n)),
        "prevalence_index": p11 - p00,
        "bias_index": p10 - p01,
    }


def binary_agreement(
    a: Any, b: Any, *, confidence: float = 0.95, codes: Sequence[str] | None = None
) -> BinaryAgreement:
    r"""Agreement of two coders on the presence of each code, all codes at once.

    Parameters
    ----------
    a, b : array_like of bool, shape (units, codes)
        ``a[i, j]`` is True when coder A applied code ``j`` to unit ``i``. Only
        units both coders finished belong here. 0/1 integers are accepted; a
        1-D array is one code.
    confidence : float
        Level of the Wald intervals (default 0.95).
    codes : sequence of str, optional
        Code names, kept for :meth:`BinaryAgreement.to_records`.

    Returns
    -------
    BinaryAgreement
        One value per code in every field.

    Notes
    -----
    With the 2x2 notation of this module, for each code:

    * Cohen's kappa: :math:`\kappa = (p_o - p_e)/(1 - p_e)`,
      :math:`p_e = p_A p_B + (1-p_A)(1-p_B)` (Cohen 1960).
    * Its SE (Fleiss, Cohen & Everitt 1969; the "ASE" of SAS PROC FREQ):
      :math:`\mathrm{Var}(\kappa) = [\sum_i p_{ii}(1-(p_{i\cdot}+p_{\cdot i})(1-\kappa))^2
      + (1-\kappa)^2\sum_{i\ne j}p_{ij}(p_{\cdot i}+p_{j\cdot})^2
      - (\kappa - p_e(1-\kappa))^2] / (n(1-p_e)^2)`;
      under :math:`\kappa = 0`:
      :math:`\mathrm{Var}_0 = [p_e + p_e^2
      - \sum_i p_{i\cdot}p_{\cdot i}(p_{i\cdot}+p_{\cdot i})]/(n(1-p_e)^2)`.
    * Maximum kappa: :math:`p_o^{max} = \sum_i \min(p_{i\cdot}, p_{\cdot i})` put into the
      kappa formula.
    * Scott's pi (1955): :math:`p_e = \pi^2 + (1-\pi)^2`, :math:`\pi = (p_A + p_B)/2`;
      SE from Gwet (2014, ch. 5) linearisation.
    * Gwet's AC1 (2008): :math:`p_e = 2\pi(1-\pi)`; SE
      :math:`\mathrm{Var} = [p_o(1-p_o) - 4(1-\gamma)(\sum_k p_{kk}(1-\pi_k) - p_o p_e)
      + 4(1-\gamma)^2(\sum_{kl}p_{kl}(1-(\pi_k+\pi_l)/2)^2 - p_e^2)]/((n-1)(1-p_e)^2)`,
      Gwet's (2014) linearisation over units (:math:`1/(n(n-1))\sum_i(\gamma^\star_i-\gamma)^2`,
      irrCAC's ``gwet.ac1.raw``; its ``gwet.ac1.table`` divides by n instead), so it equals
      :func:`qualcode.agreement.gwet_ac` on the same two columns.
    * PABAK = Brennan-Prediger with two categories: :math:`2p_o - 1`, SE
      :math:`2\sqrt{p_o(1-p_o)/n}`.
    * Byrt, Bishop & Carlin (1993): prevalence index :math:`PI = p_{11} - p_{00}`,
      bias index :math:`BI = p_{10} - p_{01}`; they satisfy
      :math:`\kappa = (PABAK - PI^2 + BI^2)/(1 - PI^2 + BI^2)`.

    Kappa, Scott's pi and maximum kappa are NaN when both coders are constant
    and equal (:math:`p_e = 1`); every statistic is NaN when there are no units.
    ``result.undefined`` says which and why.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational
    and Psychological Measurement, 20, 37-46.
    Fleiss, J. L., Cohen, J. & Everitt, B. S. (1969). Large sample standard errors
    of kappa and weighted kappa. Psychological Bulletin, 72, 323-327.
    Scott, W. A. (1955). Reliability of content analysis: the case of nominal scale
    coding. Public Opinion Quarterly, 19, 321-325.
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
    presence of high agreement. British Journal of Mathematical and Statistical
    Psychology, 61, 29-48.
    Byrt, T., Bishop, J. & Carlin, J. B. (1993). Bias, prevalence and kappa.
    Journal of Clinical Epidemiology, 46, 423-429.

    Examples
    --------
    Feinstein & Cicchetti (1990) give two 2x2 tables with the same 85 % agreement
    and very different kappas (cells both, A only, B only, neither:
    40, 9, 6, 45 and 80, 10, 5, 5). Columns are codes:

    >>> def units(both, only_a, only_b, neither):
    ...     a = [1] * both + [1] * only_a + [0] * only_b + [0] * neither
    ...     b = [1] * both + [0] * only_a + [1] * only_b + [0] * neither
    ...     return np.array(a, bool), np.array(b, bool)
    >>> (a1, b1), (a2, b2) = units(40, 9, 6, 45), units(80, 10, 5, 5)
    >>> r = binary_agreement(np.c_[a1, a2], np.c_[b1, b2])
    >>> r.percent_agreement
    array([0.85, 0.85])
    >>> r.kappa.round(2), r.ac1.round(2), r.prevalence_index.round(2)
    (array([0.7 , 0.32]), array([0.7 , 0.81]), array([-0.05,  0.75]))
    >>> r.kappa_se.round(4)
    array([0.0714, 0.1335])

    Perfect agreement has SE 0, so no interval (not a zero-width one):

    >>> p = binary_agreement(np.array([1, 0, 1, 0]), np.array([1, 0, 1, 0]))
    >>> p.kappa, p.kappa_low, p.interval_undefined[0].split(":")[0]
    (array([1.]), array([nan]), 'perfect agreement')
    """
    n, both, na, nb = binary_counts(a, b)
    if codes is not None and len(codes) != n.shape[0]:
        raise AgreementInputError(f"got {len(codes)} code names for {n.shape[0]} codes")
    stats = binary_statistics(n, both, na, nb)
    z = z_value(confidence)
    undefined = np.full(n.shape, "", dtype=object)
    constant = ((na == 0) & (nb == 0)) | ((na == n) & (nb == n))
    undefined[constant] = REASON_CONSTANT
    undefined[n == 0] = REASON_NO_UNITS
    kappa_low, kappa_high = wald(stats["kappa"], stats["kappa_se"], z)
    ac1_low, ac1_high = wald(stats["ac1"], stats["ac1_se"], z)
    interval_undefined = np.full(n.shape, "", dtype=object)
    one_constant = (na == 0) | (na == n) | (nb == 0) | (nb == n)
    perfect = (na == both) & (nb == both)
    interval_undefined[(n > 0) & one_constant & ~constant] = REASON_CONSTANT_RATER
    interval_undefined[(n > 0) & perfect] = REASON_PERFECT
    return BinaryAgreement(
        n=n,
        both=both,
        only_a=na - both,
        only_b=nb - both,
        neither=n - na - nb + both,
        kappa_low=kappa_low,
        kappa_high=kappa_high,
        ac1_low=ac1_low,
        ac1_high=ac1_high,
        undefined=undefined,
        interval_undefined=interval_undefined,
        confidence=float(confidence),
        codes=tuple(codes) if codes is not None else None,
        **stats,
    )
