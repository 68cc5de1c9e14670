"""``qualcode stats``: every agreement coefficient of a plain ratings table, as JSON-ready data.

Keys (a statistic undefined for the data is ``None`` and ``warnings`` says why):
``n_units`` (units with at least one rating), ``n_raters``, ``categories``,
``percent_agreement``, ``cohen_kappa`` {``value``, ``se``, ``ci_low``, ``ci_high``} (two
raters), ``weighted_kappa`` {same keys} (two raters, with weights), ``scott_pi`` (two
raters), ``fleiss_kappa``, ``krippendorff_alpha`` (at ``level``), ``gwet_ac1`` {``value``,
``se``}, ``brennan_prediger``, plus ``level``, ``weights``, ``raters``, ``methods`` and
``warnings``. All computed by :mod:`qualcode.agreement`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from qualcode.agreement import (
    AgreementInputError,
    Coefficient,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from qualcode.errors import FormatError
from qualcode.interchange.agreement_ratings import RatingsTable

__all__ = ["LEVELS", "STATS_METHODS", "WEIGHTS", "ratings_statistics"]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("linear", "quadratic")
STATS_METHODS = {
    "percent_agreement": "share of agreeing rater pairs, averaged over units with two or more "
                         "ratings",
    "cohen_kappa": "Cohen (1960); SE Fleiss, Cohen & Everitt (1969); 95% Wald CI; units "
                   "missing either rating left out",
    "weighted_kappa": "Cohen (1968) with linear (Cicchetti-Allison) or quadratic (Fleiss-Cohen) "
                      "agreement weights on the numeric ratings",
    "scott_pi": "Scott (1955)",
    "fleiss_kappa": "Fleiss (1971), missing ratings as in Gwet (2014)",
    "krippendorff_alpha": "Krippendorff (2011), coincidence matrix, at the chosen level",
    "gwet_ac1": "Gwet (2008); SE by linearisation (Gwet 2014)",
    "brennan_prediger": "Brennan & Prediger (1981): chance agreement 1/q",
}


def _f(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _coef(c: Coefficient, keys: tuple[str, ...] = ("value", "se", "ci_low", "ci_high")
          ) -> dict[str, float | None]:
    return {k: _f(getattr(c, k)) for k in keys}


def _check_level(table: RatingsTable, level: str, weights: str | None) -> None:
    if level not in LEVELS:
        raise FormatError(f"unknown level {level!r}; use {', '.join(LEVELS)}", path=table.path)
    if weights is not None and weights not in WEIGHTS:
        raise FormatError(f"unknown weights {weights!r}; use {', '.join(WEIGHTS)}", path=table.path)
    needs = [what for what, on in ((f"--level {level}", level != "nominal"),
                                   (f"--weights {weights}", weights is not None)) if on]
    if not needs:
        return
    for row, line in zip(table.values, table.lines, strict=True):
        for rater, v in zip(table.raters, row, strict=True):
            if v is not None and not isinstance(v, int | float):
                raise FormatError(f"rater {rater!r} gave {v!r}, not a number; {needs[0]} needs "
                                  "numeric ratings in their order (recode the categories as "
                                  "numbers, or use --level nominal)", path=table.path, line=line)
            if level == "ratio" and v is not None and v < 0:
                raise FormatError(f"rater {rater!r} gave {v!r}; --level ratio needs values of 0 "
                                  "or more", path=table.path, line=line)


def ratings_statistics(table: RatingsTable, *, level: str = "nominal",
                       weights: str | None = None) -> dict[str, Any]:
    """All coefficients of a ratings table (see the module docstring for the keys)."""
    _check_level(table, level, weights)
    warnings = list(table.notes)
    data = np.empty((len(table.values), len(table.raters)), dtype=object)
    data[:, :] = table.values
    rated = [v for row in table.values for v in row if v is not None]
    if not rated:
        raise FormatError("every cell is empty; there are no ratings", path=table.path)
    cats = sorted(set(rated), key=lambda v: (isinstance(v, str), v))
    n_units = sum(1 for row in table.values if any(v is not None for v in row))
    pairable = sum(1 for row in table.values if sum(v is not None for v in row) >= 2)
    if n_units < len(table.values):
        warnings.append(f"{len(table.values) - n_units} rows with no rating left out")
    out: dict[str, Any] = {
        "n_units": n_units, "n_raters": len(table.raters), "raters": list(table.raters),
        "categories": cats, "level": level, "weights": weights, "n_pairable_units": pairable,
    }
    try:
        pa = percent_agreement(data, categories=cats)
        out["percent_agreement"] = _f(pa.value)
        two = len(table.raters) == 2
        if two:
            r1, r2 = data[:, 0], data[:, 1]
            ck = cohen_kappa(r1, r2, categories=cats)
            out["cohen_kappa"] = _coef(ck)
            _note(warnings, "Cohen's kappa", ck)
            dropped = sum(1 for a, b in zip(r1, r2, strict=True)
                          if (a is None) != (b is None))
            if dropped:
                warnings.append(f"Cohen's kappa, weighted kappa and Scott's pi leave out "
                                f"{dropped} {'unit' if dropped == 1 else 'units'} rated by one rater only")
            if weights is not None:
                wk = cohen_kappa(r1, r2, categories=cats, weights=_weights(weights, cats))
                out["weighted_kappa"] = _coef(wk)
                _note(warnings, "weighted kappa", wk)
            else:
                out["weighted_kappa"] = None
            sp = scott_pi(r1, r2, categories=cats)
            out["scott_pi"] = _f(sp.value)
            _note(warnings, "Scott's pi", sp)
        else:
            out["cohen_kappa"] = out["weighted_kappa"] = out["scott_pi"] = None
            warnings.append(f"Cohen's kappa, weighted kappa and Scott's pi are for two raters; "
                            f"with {len(table.raters)} raters see fleiss_kappa and "
                            "krippendorff_alpha")
        fk = fleiss_kappa(data, categories=cats)
        out["fleiss_kappa"] = _f(fk.value)
        _note(warnings, "Fleiss' kappa", fk)
        alpha = krippendorff_alpha(data, level=level, categories=cats)
        out["krippendorff_alpha"] = _f(alpha.alpha)
        if alpha.note or not math.isfinite(alpha.alpha):
            warnings.append(f"Krippendorff's alpha is undefined: "
                            f"{alpha.note or 'no variation among the pairable values'}")
        ac1 = gwet_ac(data, categories=cats)
        out["gwet_ac1"] = _coef(ac1, ("value", "se"))
        _note(warnings, "Gwet's AC1", ac1)
        bp = brennan_prediger(data, categories=cats)
        out["brennan_prediger"] = _f(bp.value)
        _note(warnings, "Brennan-Prediger", bp)
    except AgreementInputError as error:
        raise FormatError(str(error), path=table.path) from None
    out["methods"] = dict(STATS_METHODS)
    out["warnings"] = warnings
    return out


def _weights(kind: str, cats: list[Any]) -> np.ndarray:
    """Agreement weights on the numeric distances between the categories seen."""
    from qualcode.agreement import weight_matrix

    return weight_matrix(kind, scores=[float(c) for c in cats])


def _note(warnings: list[str], name: str, c: Coefficient) -> None:
    if not math.isfinite(c.value):
        warnings.append(f"{name} is undefined: {c.note or 'no variation in the ratings'}")
