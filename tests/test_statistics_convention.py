"""One statistics convention in the Python API, ``qualcode stats`` and ``qualcode agreement``.

* Weights: ``--weights linear --scores ranks|values`` (CLI) and ``weights=..., scores=...``
  (API) give the same number, cross-checked on categories with gaps against
  scikit-learn's ``cohen_kappa_score`` (ranks: it weights label positions) and
  statsmodels' ``cohens_kappa(table, weights=<category values>, wt=...)`` (values), and a
  hand-worked example of Cohen's (1968) definition.
* Intervals at the edges: no zero-width interval (Brown, Cai & DasGupta 2001 on the Wald
  interval at the boundary); limits cut to [-1, 1] in ``stats`` as in ``agreement``.
* Gwet's AC1 SE: the same unit-level linearisation (Gwet 2014) in both commands.
* ``--categories`` fixes q (Brennan & Prediger 1981: chance 1/q; Gwet 2008: AC1 chance
  ``1/(q-1) sum pi_k (1 - pi_k)``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from qualcode.agreement import cohen_kappa, contingency_table, gwet_ac
from qualcode.analysis.agreement_report import agreement_report
from qualcode.cli import main
from qualcode.model import SourceRecord
from qualcode.storage import Store

CATS = [1, 2, 3, 5, 8]  # a scale with gaps: ranks and values differ


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stats_json(*args: str) -> dict:
    result = CliRunner().invoke(main, ["stats", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def stats_table(*args: str) -> str:
    result = CliRunner().invoke(main, ["stats", *args])
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = CliRunner().invoke(main, ["stats", *args])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def _pair(seed: int, n: int = 70) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.choice(CATS, n)
    b = np.where(rng.random(n) < 0.55, a, rng.choice(CATS, n))
    return a, b


def _csv(tmp_path: Path, a: np.ndarray, b: np.ndarray) -> str:
    rows = [[i, int(x), int(y)] for i, (x, y) in enumerate(zip(a, b, strict=True))]
    return str(_write(tmp_path / "pair.csv", ["id", "a", "b"], rows))


# -- item 9: weights mean one thing --------------------------------------------------------
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ranks_cli_equals_api_equals_scikit_learn(tmp_path: Path, weights: str, seed: int) -> None:
    """Default scores (ranks): scikit-learn's cohen_kappa_score weights |i - j| (or squared)
    on label positions, so 5 -> 8 is one step like 1 -> 2."""
    a, b = _pair(seed)
    out = stats_json(_csv(tmp_path, a, b), "--weights", weights)
    api = cohen_kappa(a, b, weights=weights)
    reference = cohen_kappa_score(a, b, weights=weights, labels=CATS)
    assert out["weights"] == weights and out["scores"] == "ranks" and api.scores == "ranks"
    assert out["weighted_kappa"]["value"] == pytest.approx(api.value, abs=1e-12)
    assert api.value == pytest.approx(reference, abs=1e-12)
    # Naming --scores ranks explicitly is the same as the default.
    named = stats_json(_csv(tmp_path, a, b), "--weights", weights, "--scores", "ranks")
    assert named["weighted_kappa"] == out["weighted_kappa"]


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_values_cli_equals_api_equals_statsmodels(tmp_path: Path, weights: str, seed: int) -> None:
    """--scores values: statsmodels' cohens_kappa with the category values as scores
    (``weights=[1, 2, 3, 5, 8]``, ``wt='linear'`` / ``'quadratic'``) gives kappa and its
    Fleiss-Cohen-Everitt SE (``std_kappa``)."""
    a, b = _pair(seed)
    table, cats, _ = contingency_table(a, b, categories=CATS)
    reference = cohens_kappa(table, weights=np.array(cats, dtype=float), wt=weights)
    out = stats_json(_csv(tmp_path, a, b), "--weights", weights, "--scores", "values")
    api = cohen_kappa(a, b, weights=weights, scores="values")
    assert out["scores"] == "values" and api.scores == "values"
    assert out["weighted_kappa"]["value"] == pytest.approx(api.value, abs=1e-12)
    assert api.value == pytest.approx(reference.kappa, abs=1e-10)
    assert out["weighted_kappa"]["se"] == pytest.approx(reference.std_kappa, abs=1e-10)
    # The gap matters on this data: the two conventions really differ.
    assert abs(api.value - cohen_kappa(a, b, weights=weights).value) > 1e-3


def test_hand_worked_linear_weights_with_a_gap(tmp_path: Path) -> None:
    """Cohen (1968): kappa_w = (p_o - p_e) / (1 - p_e), p_o = mean w(a_i, b_i),
    p_e = mean over all 36 (a_i, b_j) of w. Values 1, 2, 3, 5 (span 4), linear weights
    w = 1 - |x - y| / 4. Pairs (1,1) (2,3) (3,3) (5,5) (5,3) (1,2): w = 1, .75, 1, 1, .5, .75,
    p_o = 5/6; the 36 cross pairs sum to 21, p_e = 21/36; kappa_w = (30 - 21)/(36 - 21) = 0.6.
    With ranks (1, 2, 3, 4 in steps of 1/3) the same data give 0.6087 (scikit-learn)."""
    a, b = [1, 2, 3, 5, 5, 1], [1, 3, 3, 5, 3, 2]
    w = lambda x, y: 1 - abs(x - y) / 4  # noqa: E731
    assert sum(w(x, y) for x, y in zip(a, b, strict=True)) == 5
    assert sum(w(x, y) for x in a for y in b) == 21
    path = _write(tmp_path / "gap.csv", ["a", "b"], [list(p) for p in zip(a, b, strict=True)])
    values = stats_json(str(path), "--weights", "linear", "--scores", "values")
    assert values["weighted_kappa"]["value"] == pytest.approx(0.6, abs=1e-12)
    assert cohen_kappa(a, b, weights="linear", scores="values").value == pytest.approx(0.6)
    ranks = stats_json(str(path), "--weights", "linear")
    assert ranks["weighted_kappa"]["value"] == pytest.approx(
        cohen_kappa_score(a, b, weights="linear"), abs=1e-12)
    assert round(ranks["weighted_kappa"]["value"], 4) == 0.6087
    # Uneven steps under ranks get a warning pointing at --scores values.
    assert any("not equally spaced" in x for x in ranks["warnings"])
    assert not any("not equally spaced" in x for x in values["warnings"])
    assert "weighted kappa (linear, values)" in stats_table(str(path), "--weights", "linear",
                                                            "--scores", "values")


def test_ranks_of_text_categories_follow_the_declared_order(tmp_path: Path) -> None:
    """Ranks need only an order: --categories low,mid,high weights text like scikit-learn
    with labels=['low', 'mid', 'high']; --scores values needs numbers (one-line error)."""
    a = ["low", "mid", "high", "high", "low", "mid", "mid"]
    b = ["low", "high", "high", "mid", "mid", "mid", "low"]
    path = str(_write(tmp_path / "text.csv", ["a", "b"], [list(p) for p in zip(a, b, strict=True)]))
    out = stats_json(path, "--weights", "linear", "--categories", "low,mid,high")
    assert out["weighted_kappa"]["value"] == pytest.approx(
        cohen_kappa_score(a, b, weights="linear", labels=["low", "mid", "high"]), abs=1e-12)
    assert out["categories"] == ["low", "mid", "high"] and out["categories_given"] is True
    line = fails(path, "--weights", "linear", "--scores", "values", "--categories", "low,mid,high")
    assert "text.csv, line 2" in line and "numeric" in line


def test_api_rejects_values_for_text_categories() -> None:
    from qualcode.agreement import AgreementInputError

    with pytest.raises(AgreementInputError, match="numeric categories"):
        cohen_kappa(["a", "b"], ["b", "a"], weights="linear", scores="values")
    with pytest.raises(AgreementInputError, match="unknown scores"):
        cohen_kappa([1, 2], [2, 1], weights="linear", scores="steps")


# -- item 10: honest intervals -------------------------------------------------------------
@pytest.mark.parametrize("rows", [
    [[1, 1], [2, 2], [1, 1], [3, 3], [2, 2]],  # perfect agreement over three categories
    [["x", "x"], ["y", "y"]] * 4,  # perfect agreement, text
])
def test_perfect_agreement_has_no_zero_width_interval(tmp_path: Path, rows: list) -> None:
    """Kappa = AC1 = 1 with SE 0: the Wald interval [1, 1] would read as certainty
    (Brown, Cai & DasGupta 2001), so it is null with the reason."""
    path = str(_write(tmp_path / "perfect.csv", ["a", "b"], rows))
    out = stats_json(path)
    for key in ("cohen_kappa", "gwet_ac1"):
        assert out[key]["value"] == 1.0 and out[key]["se"] == 0.0
        assert out[key]["ci_low"] is None and out[key]["ci_high"] is None
        assert out[key]["ci_note"].startswith("perfect agreement")
    assert any(w.startswith("Cohen's kappa: perfect agreement") for w in out["warnings"])
    assert "not estimable" in stats_table(path)


def test_a_constant_rater_gets_no_zero_width_interval(tmp_path: Path) -> None:
    """Rater a says 1 every time: kappa is 0 by construction (p_o = p_e) and its FCE (1969)
    SE is 0; the interval [0, 0] would be certainty about nothing."""
    rows = [[1, b] for b in [1, 2, 1, 3, 1, 2, 1, 1, 3, 2]]
    out = stats_json(str(_write(tmp_path / "const.csv", ["a", "b"], rows)))
    k = out["cohen_kappa"]
    assert k["value"] == pytest.approx(0.0, abs=1e-12) and k["se"] == 0.0
    assert k["ci_low"] is None and "same value" in k["ci_note"]


def test_stats_cuts_limits_to_the_range_as_agreement_does(tmp_path: Path) -> None:
    """Twelve units, one disagreement: the raw Wald upper limit of kappa and of AC1 is above 1
    and is reported as 1, the rule (qualcode.agreement.intervals.clipped) agreement uses."""
    rows = [[1, 1]] * 5 + [[2, 2]] * 6 + [[1, 2]]
    out = stats_json(str(_write(tmp_path / "high.csv", ["a", "b"], rows)))
    for key in ("cohen_kappa", "gwet_ac1"):
        c = out[key]
        assert c["value"] + 1.959963984540054 * c["se"] > 1.0
        assert c["ci_high"] == 1.0 and -1.0 <= c["ci_low"] < c["value"]


def test_ac1_se_is_the_same_in_stats_and_agreement(store: Store, tmp_path: Path) -> None:
    """Gwet (2014) linearisation over units, 1/(n(n-1)) sum (g*_i - g)^2 (irrCAC
    gwet.ac1.raw): the report's AC1 and SE for a code equal stats' on the same 0/1 column."""
    present_a = [1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0]
    present_b = [1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0]
    store.import_sources([SourceRecord(f"s{i}", f"Text {i}.") for i in range(len(present_a))],
                         path="fixture.csv")
    code = store.add_code("Care")
    for name, column in (("alice", present_a), ("bob", present_b)):
        coder = store.coder(name)
        for i, present in enumerate(column):
            source = store.source_by_external_id(f"s{i}")
            if present:
                store.add_coding(coder.id, source.id, code.id)
            store.mark_done(store.whole_unit(source.id).id, coder.id)
    row = agreement_report(store, ["alice", "bob"], level="code").rows[0]
    rows = [list(p) for p in zip(present_a, present_b, strict=True)]
    out = stats_json(str(_write(tmp_path / "care.csv", ["alice", "bob"], rows)))
    assert row.ac1 == pytest.approx(out["gwet_ac1"]["value"], abs=1e-12)
    assert row.ac1_se == pytest.approx(out["gwet_ac1"]["se"], abs=1e-12)
    raw = gwet_ac(np.array(rows))
    assert row.ac1_se == pytest.approx(raw.se, abs=1e-12)


def test_declared_categories_fix_q(tmp_path: Path) -> None:
    """--categories a,b,c with only a and b chosen: q = 3. Brennan & Prediger (1981):
    (p_a - 1/q) / (1 - 1/q); Gwet (2008) AC1: p_e = 1/(q-1) sum_k pi_k (1 - pi_k)."""
    rows = [["a", "a"], ["a", "b"], ["b", "b"], ["a", "a"], ["b", "b"], ["b", "a"], ["a", "a"],
            ["a", "a"]]
    path = str(_write(tmp_path / "ab.csv", ["r1", "r2"], rows))
    out = stats_json(path, "--categories", "a,b,c")
    pa = 6 / 8
    pi_a = sum((x == "a") + (y == "a") for x, y in rows) / 16
    pi = [pi_a, 1 - pi_a, 0.0]
    assert out["brennan_prediger"] == pytest.approx((pa - 1 / 3) / (1 - 1 / 3), abs=1e-12)
    pe = sum(p * (1 - p) for p in pi) / 2
    assert out["gwet_ac1"]["value"] == pytest.approx((pa - pe) / (1 - pe), abs=1e-12)
    seen_only = stats_json(path)
    assert seen_only["brennan_prediger"] == pytest.approx((pa - 1 / 2) / (1 - 1 / 2), abs=1e-12)
    assert any("never chosen (c)" in w for w in out["warnings"])
    # Numeric ratings take numeric categories; a rating outside them is refused on its line.
    nums = str(_write(tmp_path / "n.csv", ["r1", "r2"], [[1, 1], [2, 1], [4, 2]]))
    assert stats_json(nums, "--categories", "1,2,3,4")["categories"] == [1, 2, 3, 4]
    line = fails(nums, "--categories", "1,2,3")
    assert "n.csv, line 4" in line and "4" in line and "--categories" in line
    assert "twice" in fails(nums, "--categories", "1,2,2,4")
