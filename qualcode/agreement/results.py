"""Result object shared by the scalar agreement coefficients (two raters and many raters)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qualcode.agreement._common import two_sided_p


@dataclass(frozen=True, eq=False)
class Coefficient:
    """One chance-corrected agreement coefficient with how it was computed.

    ``value = (percent_agreement - chance_agreement) / (1 - chance_agreement)``
    for every coefficient here; they differ in ``chance_agreement``. ``se`` is the
    large-sample standard error named in ``method``; ``ci_low`` / ``ci_high`` is the
    Wald interval ``value -/+ z * se`` at ``confidence`` (not clipped to [-1, 1]); it is
    NaN when ``se`` is 0 (perfect agreement, a constant rater), with the reason in
    ``ci_note`` (see :mod:`qualcode.agreement.intervals`).
    ``se_null`` is the standard error under "no agreement beyond chance" where the
    literature gives one (Cohen's kappa, Fleiss' kappa), NaN otherwise. ``note`` says
    why ``value`` is NaN when it is.
    """

    name: str
    value: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    percent_agreement: float
    chance_agreement: float
    n_units: int
    n_raters: int
    categories: tuple[Any, ...]
    weights: str = "identity"
    #: how named weights placed the categories: "ranks", "values", "custom" or "" (unweighted)
    scores: str = ""
    se_null: float = math.nan
    kappa_max: float = math.nan
    method: str = ""
    note: str = ""
    #: why ``ci_low``/``ci_high`` are NaN while ``value`` is defined ('' otherwise)
    ci_note: str = ""
    table: np.ndarray | None = field(default=None, repr=False)

    @property
    def z(self) -> float:
        """Test statistic for value = 0: ``value / se_null`` if there is a null SE, else by se."""
        den = self.se_null if math.isfinite(self.se_null) else self.se
        if not math.isfinite(den) or den == 0 or not math.isfinite(self.value):
            return math.nan
        return self.value / den

    @property
    def p_value(self) -> float:
        """Two-sided normal p-value of :attr:`z`."""
        return float(two_sided_p(self.z))

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python view for JSON and tables (the contingency table as nested lists)."""
        out: dict[str, Any] = {}
        for key in (
            "name",
            "value",
            "se",
            "ci_low",
            "ci_high",
            "confidence",
            "percent_agreement",
            "chance_agreement",
            "n_units",
            "n_raters",
            "weights",
            "scores",
            "se_null",
            "kappa_max",
            "method",
            "note",
            "ci_note",
        ):
            out[key] = getattr(self, key)
        out["categories"] = [c.item() if hasattr(c, "item") else c for c in self.categories]
        out["z"] = self.z
        out["p_value"] = self.p_value
        if self.table is not None:
            out["table"] = self.table.tolist()
        return out
