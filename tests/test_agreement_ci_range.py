"""Reported kappa CIs stay inside kappa's range, where the raw Wald interval may not."""

from __future__ import annotations

from pathlib import Path

from qualcode.analysis.agreement_report import agreement_report
from qualcode.interchange.demo import build_demo_project
from qualcode.storage import Store

ROOT = Path(__file__).resolve().parents[1]


def test_demo_kappa_intervals_are_truncated_to_minus_one_one(tmp_path: Path) -> None:
    """Wald limits kappa -/+ 1.96 se (Fleiss, Cohen & Everitt 1969) are cut at [-1, 1]."""
    path = build_demo_project(tmp_path / "demo.qualcode", data_root=ROOT).path
    with Store.open(path) as store:
        report = agreement_report(store, ["alice", "bob"], level="both")
    rows = [r for r in report.rows if r.kappa is not None and r.kappa_se is not None]
    assert rows
    raw_above_one = [r for r in rows if r.kappa + 1.959963984540054 * r.kappa_se > 1.0 + 1e-9]
    assert raw_above_one, "the demo should have a row whose raw Wald upper limit exceeds 1"
    for row in rows:
        if row.kappa_se == 0:  # perfect agreement or a one-sided code: no zero-width interval
            assert row.kappa_ci_low is None and row.kappa_ci_high is None and row.ci_note
            continue
        assert -1.0 <= row.kappa_ci_low <= row.kappa <= row.kappa_ci_high <= 1.0, row.path
    for row in raw_above_one:
        assert row.kappa_ci_high == 1.0
