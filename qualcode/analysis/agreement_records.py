"""The records of an agreement report: one row per code or theme, pooled and multi-rater rows.

:func:`qualcode.analysis.agreement_report.agreement_report` fills them; the formats, the
screens and the paper's report read them. They hold numbers only, computed elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualcode.agreement.presence import AnalysisUnit
from qualcode.analysis.export_defaults import CONSENSUS
from qualcode.model import UnitKind

__all__ = ["CONSENSUS", "LEVELS", "AgreementReport", "AgreementRow", "Disagreement",
           "MultiRaterRow", "PooledKappa"]
LEVELS = ("code", "theme", "both")


@dataclass(frozen=True)
class AgreementRow:
    """Two coders' agreement on one theme or code; floats are None when undefined (see ``note``)."""

    level: str
    code_id: int
    path: str
    coder_a: str
    coder_b: str
    n_units: int
    percent_agreement: float | None
    kappa: float | None
    kappa_se: float | None
    kappa_ci_low: float | None
    kappa_ci_high: float | None
    scott_pi: float | None
    ac1: float | None
    ac1_se: float | None
    pabak: float | None
    prevalence_index: float | None
    bias_index: float | None
    kappa_max: float | None
    boot_ci_low: float | None
    boot_ci_high: float | None
    label: str
    note: str
    a_count: int
    b_count: int
    both_count: int
    name: str = ""  #: unique row name: the path, or "PATH (own codings)" (see the module docstring)
    ci_note: str = ""  #: why a kappa interval (Wald or bootstrap) is None while kappa is defined


@dataclass(frozen=True)
class PooledKappa:
    """Pooled kappa of one coder pair over one level's rows (De Vries et al. 2008), and the mean."""

    coder_a: str
    coder_b: str
    level: str
    kappa: float | None
    mean_kappa: float | None
    n_rows: int
    n_rows_with_kappa: int
    boot_ci_low: float | None = None
    boot_ci_high: float | None = None


@dataclass(frozen=True)
class MultiRaterRow:
    """Agreement of all coders at once on one theme or code (three or more coders)."""

    level: str
    code_id: int
    path: str
    n_units: int
    krippendorff_alpha: float | None
    fleiss_kappa: float | None
    fleiss_se: float | None
    fleiss_ci_low: float | None
    fleiss_ci_high: float | None
    percent_agreement: float | None
    label: str
    note: str
    name: str = ""  #: unique row name, as :attr:`AgreementRow.name`


@dataclass(frozen=True)
class AgreementReport:
    """Everything ``qualcode agreement`` prints; see the module docstring for what is counted.

    ``pooled`` holds one :class:`PooledKappa` per coder pair and level (code level first
    when both are reported); ``excluded`` maps a reason to a number of units.
    """

    rows: list[AgreementRow]
    pooled: list[PooledKappa]
    n_units: int
    excluded: dict[str, int]
    unit: UnitKind
    group_by: str | None
    coders: tuple[str, ...]
    multi_rater: list[MultiRaterRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    level: str = "both"
    bootstrap: int = 0
    seed: int = 0
    unit_source: str = ""  #: how the units were obtained (whole sources, stored units, cut by rule)
    partial_groups: bool = False
    #: coder -> units counted shown suggestions before done
    suggestions_shown: dict[str, int] = field(default_factory=dict)
    #: :class:`~qualcode.analysis.agreement_by_suggestions.SplitRow` rows
    split: list[Any] = field(default_factory=list)

    def pooled_for(self, coder_a: str, coder_b: str, level: str = "code") -> PooledKappa | None:
        """Return the pooled kappa of one pair at one level, if reported."""
        for p in self.pooled:
            if (p.coder_a, p.coder_b, p.level) == (coder_a, coder_b, level):
                return p
        return None


@dataclass(frozen=True)
class Disagreement:
    """One unit where two coders differ on one code or theme.

    ``source_ids`` are database ids of the sources the unit spans and ``sources`` their
    external ids (the ids users know, written to reports); ``text`` is the unit's text
    (the texts of a group's units joined by blank lines).
    """

    unit: AnalysisUnit
    source_ids: tuple[int, ...]
    text: str
    code_id: int
    path: str
    level: str
    a_present: bool
    b_present: bool
    sources: tuple[str, ...] = ()
    name: str = ""  #: the row's unique name, as :attr:`AgreementRow.name`
