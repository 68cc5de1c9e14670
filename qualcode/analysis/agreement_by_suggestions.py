"""Does the model sway the coders? Agreement on units coded with and without suggestions shown.

The coding screen logs every suggestion it shows (:mod:`qualcode.storage.suggestion_log`).
A unit of analysis counts as **shown** for a coder pair when either coder was shown
suggestions (mode ``on``) on a coding-screen unit overlapping it *before* marking that
unit done; ``--suggest after`` showings (after the unit was done) and the consensus layer
do not count. Every counted unit is in exactly one of the two groups, so the two
kappas come from disjoint sets of units and the difference's standard error is
``sqrt(se_shown^2 + se_not_shown^2)`` (independent samples, Wald).

How to read it: if suggestions anchor both coders on the model's proposals, agreement
is higher where they were shown, without the coding being more valid; if the groups
agree about equally, the model did not make the coders converge. The groups are not
randomised (a coder may have turned suggestions on for the harder sources), so a
difference is a prompt to look, not proof of influence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualcode.agreement import binary_agreement
from qualcode.agreement._common import z_value
from qualcode.agreement.intervals import clipped
from qualcode.agreement.spans import SpanUnits, overlap_presence
from qualcode.model import Code, Codebook
from qualcode.storage.suggestion_log import shown_before_done_spans

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = ["SplitRow", "SplitSide", "shown_units", "split_rows", "suggestions_note"]


@dataclass(frozen=True)
class SplitSide:
    """Agreement of a coder pair on one code or theme over one group of units."""

    n_units: int
    kappa: float | None
    kappa_ci_low: float | None
    kappa_ci_high: float | None
    ac1: float | None
    ac1_ci_low: float | None
    ac1_ci_high: float | None
    percent_agreement: float | None
    a_count: int
    b_count: int
    note: str  #: why a value or interval is None ('' when all are given)


@dataclass(frozen=True)
class SplitRow:
    """One code or theme: agreement where suggestions were shown before coding, and where not."""

    level: str
    code_id: int
    path: str
    name: str
    coder_a: str
    coder_b: str
    shown: SplitSide
    not_shown: SplitSide
    kappa_difference: float | None  #: kappa(shown) - kappa(not shown)
    difference_ci_low: float | None
    difference_ci_high: float | None


def shown_units(store: ProjectStore, units: SpanUnits, coder_id: int | None) -> np.ndarray:
    """Per unit of analysis: was the coder shown suggestions before finishing a part of it?"""
    if coder_id is None:  # the consensus layer: nobody was shown suggestions as "consensus"
        return np.zeros(units.n_units, dtype=bool)
    spans = np.array(shown_before_done_spans(store, coder_id), dtype=np.int64).reshape(-1, 3)
    column = np.zeros(len(spans), dtype=np.int64)
    return overlap_presence(units, spans[:, 0], spans[:, 1], spans[:, 2], column, 1)[:, 0]


def _side(pa: np.ndarray, pb: np.ndarray, z: float) -> tuple[SplitSide, float, float]:
    """Statistics over one group of units, plus kappa and its SE for the difference."""
    n = pa.shape[0]
    if n == 0:
        return SplitSide(0, None, None, None, None, None, None, None, 0, 0,
                         "no units in this group"), math.nan, math.nan
    r = binary_agreement(pa[:, None], pb[:, None])
    a_count, b_count = int(pa.sum()), int(pb.sum())
    if a_count == 0 and b_count == 0:
        return SplitSide(n, None, None, None, None, None, None, None, 0, 0,
                         "not applicable: neither coder used it on these units"), math.nan, math.nan

    def num(x: float) -> float | None:
        return None if math.isnan(x) else float(x)

    note = str(r.undefined[0]) or str(r.interval_undefined[0])
    side = SplitSide(n, num(r.kappa[0]), clipped(r.kappa_low[0]), clipped(r.kappa_high[0]),
                     num(r.ac1[0]), clipped(r.ac1_low[0]), clipped(r.ac1_high[0]),
                     num(r.percent_agreement[0]), a_count, b_count, note)
    se = float(r.kappa_se[0]) if r.kappa_se[0] > 0 else math.nan
    return side, float(r.kappa[0]), se


def split_rows(level: str, columns: Sequence[Code], book: Codebook, names: Sequence[str],
               a: str, b: str, pa: np.ndarray, pb: np.ndarray, shown: np.ndarray,
               confidence: float = 0.95) -> list[SplitRow]:
    """One :class:`SplitRow` per column (code or theme) for one coder pair.

    ``pa``/``pb`` are the (units, columns) presence of the two coders, ``shown`` the
    boolean per unit, ``names`` the unique row names in column order.
    """
    z = z_value(confidence)
    out = []
    for j, code in enumerate(columns):
        yes, k1, s1 = _side(pa[shown, j], pb[shown, j], z)
        no, k0, s0 = _side(pa[~shown, j], pb[~shown, j], z)
        diff = k1 - k0 if yes.kappa is not None and no.kappa is not None else math.nan
        se = math.sqrt(s1**2 + s0**2)
        ok = math.isfinite(diff) and math.isfinite(se)
        out.append(SplitRow(
            level=level, code_id=code.id, path=book.path(code), name=names[j], coder_a=a,
            coder_b=b, shown=yes, not_shown=no,
            kappa_difference=diff if math.isfinite(diff) else None,
            difference_ci_low=clipped(diff - z * se, -2.0, 2.0) if ok else None,
            difference_ci_high=clipped(diff + z * se, -2.0, 2.0) if ok else None))
    return out


def suggestions_note(shown: dict[str, int], n_units: int) -> str:
    """One sentence naming who saw suggestions before coding the units counted (or '')."""
    seen = {name: n for name, n in shown.items() if n}
    if not seen:
        return ""
    parts = ", ".join(f"{name} on {n} of {n_units}" for name, n in seen.items())
    others = [name for name in shown if name not in seen]
    rest = f" ({', '.join(others)}: none)" if others else ""
    return (f"code suggestions were shown before coding to {parts} units counted{rest}; "
            "agreement may partly reflect the model (compare with --split-by-suggestions)")
