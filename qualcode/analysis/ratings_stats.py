"""``qualcode stats``: every agreement coefficient of a plain ratings table, as JSON-ready data.

Keys (a statistic undefined for the data is ``None`` and ``warnings`` says why):
``n_units`` (units with at least one rating), ``n_raters``, ``categories``,
``percent_agreement``, ``cohen_kappa`` {``value``, ``se``, ``ci_low``, ``ci_high``,
``ci_note``} (two raters), ``weighted_kappa`` {same keys} (two raters, with weights),
``scott_pi`` (two raters), ``fleiss_kappa``, ``krippendorff_alpha`` (at ``level``),
``gwet_ac1`` {same keys}, ``brennan_prediger``, plus ``level``, ``weights``, ``scores``,
``categories_given``, ``raters``, ``methods`` and ``warnings``. All computed by
:mod:`qualcode.agreement`, with the same conventions as ``qualcode agreement`` and the
Python API: confidence limits cut to [-1, 1] and None where the SE is 0 (``ci_note``
says why), AC1's SE by Gwet's linearisation over units, weights placing the categories
by ``scores`` (``ranks`` by default, as ``cohen_kappa``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
from qualcode.agreement.intervals import clipped
from qualcode.agreement.weights import SCORES
from qualcode.errors import FormatError
from qualcode.interchange.readers.ratings import RatingsTable, parse_number

__all__ = ["LEVELS", "SCORES", "STATS_METHODS", "WEIGHTS", "ratings_statistics"]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("linear", "quadratic")
STATS_METHODS = {
    "percent_agreement": "share of agreeing rater pairs, averaged over units with two or more "
                         "ratings",
    "cohen_kappa": "Cohen (1960); SE Fleiss, Cohen & Everitt (1969); 95% Wald CI cut to "
                   "[-1, 1], null where the SE is 0 (see ci_note); units missing either "
                   "rating left out",
    "weighted_kappa": "Cohen (1968) with linear (Cicchetti-Allison) or quadratic (Fleiss-Cohen) "
                      "agreement weights; scores 'ranks' places the categories at equal steps "
                      "in their order (as scikit-learn's cohen_kappa_score and the Python API "
                      "by default), 'values' at their numbers (as irrCAC and statsmodels with "
                      "category scores)",
    "scott_pi": "Scott (1955)",
    "fleiss_kappa": "Fleiss (1971), missing ratings as in Gwet (2014)",
    "krippendorff_alpha": "Krippendorff (2011), coincidence matrix, at the chosen level",
    "gwet_ac1": "Gwet (2008); SE by Gwet's (2014) linearisation over units, 1/(n(n-1)) "
                "sum (g*_i - g)^2 (irrCAC gwet.ac1.raw), the same formula as qualcode "
                "agreement; 95% Wald CI cut to [-1, 1]",
    "brennan_prediger": "Brennan & Prediger (1981): chance agreement 1/q",
}


def _f(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _coef(c: Coefficient) -> dict[str, Any]:
    """Value, SE and CI as ``qualcode agreement`` gives them: in [-1, 1], None if not estimable."""
    return {"value": _f(c.value), "se": _f(c.se), "ci_low": clipped(c.ci_low),
            "ci_high": clipped(c.ci_high), "ci_note": c.ci_note or None}


def _check_level(table: RatingsTable, level: str, weights: str | None, scores: str,
                 ordered: bool) -> None:
    if level not in LEVELS:
        raise FormatError(f"unknown level {level!r}; use {', '.join(LEVELS)}", path=table.path)
    if weights is not None and weights not in WEIGHTS:
        raise FormatError(f"unknown weights {weights!r}; use {', '.join(WEIGHTS)}", path=table.path)
    if scores not in SCORES:
        raise FormatError(f"unknown scores {scores!r}; use {', '.join(SCORES)}", path=table.path)
    # Ranks need only an order, which --categories gives to text labels too.
    weights_need_numbers = weights is not None and (scores == "values" or not ordered)
    needs = [what for what, on in ((f"--level {level}", level != "nominal"),
                                   (f"--weights {weights} --scores {scores}",
                                    weights_need_numbers)) if on]
    if not needs:
        return
    for row, line in zip(table.values, table.lines, strict=True):
        for rater, v in zip(table.raters, row, strict=True):
            if v is not None and not isinstance(v, int | float):
                raise FormatError(f"rater {rater!r} gave {v!r}, not a number; {needs[0]} needs "
                                  "numeric ratings in their order (recode the categories as "
                                  "numbers, give their order with --categories for --scores "
                                  "ranks, or use --level nominal)", path=table.path, line=line)
            if level == "ratio" and v is not None and v < 0:
                raise FormatError(f"rater {rater!r} gave {v!r}; --level ratio needs values of 0 "
                                  "or more", path=table.path, line=line)


def _declared(table: RatingsTable, categories: Sequence[str]) -> list[Any]:
    """``--categories`` as the ratings' own values (numbers when the ratings are numbers);
    every rating must be one of them."""
    names = [c.strip() for c in categories if c.strip()]
    if len(set(names)) != len(names):
        raise FormatError(f"--categories names a category twice ({', '.join(names)}); name "
                          "each once", path=table.path)
    values: list[Any] = names
    if table.numeric:
        numbers = [parse_number(c) for c in names]
        bad = [c for c, x in zip(names, numbers, strict=True) if x is None]
        if bad:
            raise FormatError(f"--categories has {bad[0]!r}, but the ratings are numbers; give "
                              "the categories as numbers", path=table.path)
        values = numbers
    allowed = set(values)
    for row, line in zip(table.values, table.lines, strict=True):
        for rater, v in zip(table.raters, row, strict=True):
            if v is not None and v not in allowed:
                raise FormatError(f"rater {rater!r} gave {v!r}, which is not one of --categories "
                                  f"{', '.join(map(str, values))}; add it to --categories or fix "
                                  "the rating", path=table.path, line=line)
    return values


def ratings_statistics(table: RatingsTable, *, level: str = "nominal",
                       weights: str | None = None, scores: str = "ranks",
                       categories: Sequence[str] | None = None) -> dict[str, Any]:
    """All coefficients of a ratings table (see the module docstring for the keys).

    ``categories`` declares every possible category in order (text as typed on the command
    line): one nobody chose still counts in q for Brennan-Prediger and AC1, and fixes the
    steps of ``scores="ranks"`` weights.
    """
    _check_level(table, level, weights, scores, ordered=bool(categories) or table.numeric)
    warnings = list(table.notes)
    data = np.empty((len(table.values), len(table.raters)), dtype=object)
    data[:, :] = table.values
    rated = [v for row in table.values for v in row if v is not None]
    if not rated:
        raise FormatError("every cell is empty; there are no ratings", path=table.path)
    cats = (_declared(table, categories) if categories
            else sorted(set(rated), key=lambda v: (isinstance(v, str), v)))
    n_units = sum(1 for row in table.values if any(v is not None for v in row))
    pairable = sum(1 for row in table.values if sum(v is not None for v in row) >= 2)
    if n_units < len(table.values):
        warnings.append(f"{len(table.values) - n_units} rows with no rating left out")
    out: dict[str, Any] = {
        "n_units": n_units, "n_raters": len(table.raters), "raters": list(table.raters),
        "categories": cats, "categories_given": bool(categories), "level": level,
        "weights": weights, "scores": scores if weights is not None else None,
        "n_pairable_units": pairable,
    }
    unused = [c for c in cats if c not in set(rated)]
    if unused:
        warnings.append(f"{len(unused)} declared "
                        f"{'category was' if len(unused) == 1 else 'categories were'} "
                        f"never chosen ({', '.join(map(str, unused))}); they count in q for "
                        "Brennan-Prediger and AC1")
    if weights is not None and scores == "ranks" and _uneven(cats):
        warnings.append(f"the categories {', '.join(map(str, cats))} are not equally spaced: "
                        "--scores ranks weights them as equal steps; --scores values uses "
                        "their numeric distances (or declare the unused scale points with "
                        "--categories)")
    try:
        pa = percent_agreement(data, categories=cats)
        out["percent_agreement"] = _f(pa.value)
        two = len(table.raters) == 2
        if two:
            r1, r2 = data[:, 0], data[:, 1]
            ck = cohen_kappa(r1, r2, categories=cats)
            out["cohen_kappa"] = _coef(ck)
            _ci_note(warnings, "Cohen's kappa", ck)
            _note(warnings, "Cohen's kappa", ck)
            dropped = sum(1 for a, b in zip(r1, r2, strict=True)
                          if (a is None) != (b is None))
            if dropped:
                warnings.append(f"Cohen's kappa, weighted kappa and Scott's pi leave out "
                                f"{dropped} {'unit' if dropped == 1 else 'units'} rated by one "
                                "rater only")
            if weights is not None:
                wk = cohen_kappa(r1, r2, categories=cats, weights=weights, scores=scores)
                out["weighted_kappa"] = _coef(wk)
                _note(warnings, "weighted kappa", wk)
                _ci_note(warnings, "weighted kappa", wk)
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
        out["gwet_ac1"] = _coef(ac1)
        _note(warnings, "Gwet's AC1", ac1)
        _ci_note(warnings, "Gwet's AC1", ac1)
        bp = brennan_prediger(data, categories=cats)
        out["brennan_prediger"] = _f(bp.value)
        _note(warnings, "Brennan-Prediger", bp)
    except AgreementInputError as error:
        raise FormatError(str(error), path=table.path) from None
    out["methods"] = dict(STATS_METHODS)
    out["warnings"] = warnings
    return out


def _uneven(cats: list[Any]) -> bool:
    """True for numeric categories whose steps differ (1, 2, 3, 5)."""
    if len(cats) < 3 or not all(isinstance(c, int | float) for c in cats):
        return False
    steps = np.diff(np.asarray(cats, dtype=float))
    return not np.allclose(steps, steps[0])


def _ci_note(warnings: list[str], name: str, c: Coefficient) -> None:
    if c.ci_note:
        warnings.append(f"{name}: {c.ci_note}")


def _note(warnings: list[str], name: str, c: Coefficient) -> None:
    if not math.isfinite(c.value):
        warnings.append(f"{name} is undefined: {c.note or 'no variation in the ratings'}")
