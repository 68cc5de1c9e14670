"""Words beside the numbers: Landis & Koch bands and the kappa paradox warning."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def landis_koch(value: Any) -> Any:
    """Landis & Koch (1977) strength-of-agreement label for a kappa-type value (scalar or array).

    Bands: < 0 poor; 0-0.20 slight; 0.21-0.40 fair; 0.41-0.60 moderate;
    0.61-0.80 substantial; 0.81-1.00 almost perfect. The published bands are
    given to two decimals; here a value belongs to the band whose upper limit it
    does not exceed (0.40 is fair, 0.4001 moderate; 0 is slight). NaN gives
    ``"undefined"``. The bands are a convention "clearly arbitrary" in the
    authors' own words: print the number too.

    References
    ----------
    Landis, J. R. & Koch, G. G. (1977). The measurement of observer agreement for
    categorical data. Biometrics, 33, 159-174.

    Examples
    --------
    >>> landis_koch(0.70)
    'substantial'
    >>> landis_koch(np.array([-0.1, 0.0, 0.2, 0.41, 0.95, np.nan])).tolist()
    ['poor', 'slight', 'slight', 'moderate', 'almost perfect', 'undefined']
    """
    arr = np.asarray(value, dtype=float)
    limits = np.array([0.0, 0.20, 0.40, 0.60, 0.80])
    names = np.array(
        ["poor", "slight", "fair", "moderate", "substantial", "almost perfect", "undefined"],
        dtype=object,
    )
    # "poor" is strictly below 0, so 0 itself is slight; other limits close their band from above.
    idx = np.where(arr < 0, 0, np.searchsorted(limits, arr, side="left").clip(1, 5))
    idx = np.where(arr == 0, 1, idx)
    idx = np.where(np.isnan(arr), 6, idx)
    out = names[idx]
    return str(out) if arr.ndim == 0 else out


def prevalence_paradox(
    percent_agreement: Any, kappa: Any, *, min_agreement: float = 0.80, max_kappa: float = 0.40
) -> Any:
    """True where agreement is high but kappa is low: the first kappa paradox.

    Feinstein & Cicchetti (1990).

    Kappa's chance term grows when one category dominates (skewed prevalence),
    so coders who agree on 85-95 % of units can get a "fair" kappa. Where this
    flag is set, report Gwet's AC1 and PABAK with the prevalence index beside
    kappa (Byrt et al. 1993; Gwet 2008). Thresholds are conventions; undefined
    kappa (NaN) is not flagged.

    References
    ----------
    Feinstein, A. R. & Cicchetti, D. V. (1990). High agreement but low kappa:
    I. The problems of two paradoxes. Journal of Clinical Epidemiology, 43, 543-549.

    Examples
    --------
    Feinstein & Cicchetti's two tables: both po = 0.85, kappa 0.70 and 0.32:

    >>> prevalence_paradox([0.85, 0.85], [0.70, 0.32]).tolist()
    [False, True]
    """
    po = np.asarray(percent_agreement, dtype=float)
    k = np.asarray(kappa, dtype=float)
    with np.errstate(invalid="ignore"):
        flag = (po >= min_agreement) & (k < max_kappa) & ~np.isnan(k)
    return bool(flag) if flag.ndim == 0 else flag


def paradox_note(
    percent_agreement: float, kappa: float, ac1: float, pabak: float, prevalence_index: float
) -> str:
    """One sentence explaining a flagged code, or '' when :func:`prevalence_paradox` passes it.

    >>> print(paradox_note(0.85, 0.318, 0.806, 0.70, 0.75).replace(", which", ",\\nwhich"))
    agreement 85% but kappa 0.32 (prevalence index 0.75: one category dominates,
    which inflates chance agreement; Feinstein & Cicchetti 1990) - AC1 0.81, PABAK 0.70
    """
    if not prevalence_paradox(percent_agreement, kappa):
        return ""
    pi = "" if math.isnan(prevalence_index) else f"prevalence index {prevalence_index:.2f}: "
    return (
        f"agreement {percent_agreement:.0%} but kappa {kappa:.2f} ({pi}one category dominates, "
        "which inflates "
        f"chance agreement; Feinstein & Cicchetti 1990) - AC1 {ac1:.2f}, PABAK {pabak:.2f}"
    )
