"""``qualcode stats``: published worked examples through the command line, cross-checks, and errors.

Fixtures and their sources: tests/data/stats/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from qualcode.cli import main

DATA = Path(__file__).parent / "data" / "stats"
KEYS = {"n_units", "n_raters", "categories", "percent_agreement", "cohen_kappa", "weighted_kappa",
        "scott_pi", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger",
        "warnings"}


def stats_json(*args: str) -> dict:
    result = CliRunner().invoke(main, ["stats", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fails(*args: str) -> str:
    result = CliRunner().invoke(main, ["stats", *args])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_sas_proc_freq_agreement_study() -> None:
    """SAS/STAT PROC FREQ "Agreement Study" (SkinCondition): kappa 0.3449, ASE 0.0724, 95% CI
    0.2030-0.4868; Cicchetti-Allison (linear) weighted kappa 0.5082, ASE 0.0655,
    CI 0.3798-0.6366."""
    out = stats_json(str(DATA / "sas_skin_condition.csv"), "--id-col", "patient",
                     "--weights", "linear")
    assert KEYS <= out.keys()
    assert (out["n_units"], out["n_raters"], out["categories"]) == (88, 2, [1, 2, 3, 4])
    k, kw = out["cohen_kappa"], out["weighted_kappa"]
    assert [round(k[x], 4) for x in ("value", "se", "ci_low", "ci_high")] == [
        0.3449, 0.0724, 0.2030, 0.4868]
    assert [round(kw[x], 4) for x in ("value", "se", "ci_low", "ci_high")] == [
        0.5082, 0.0655, 0.3798, 0.6366]
    # Agreement: the diagonal of SAS's table, 10 + 10 + 12 + 13 = 45 of 88.
    assert out["percent_agreement"] == pytest.approx(45 / 88)
    assert out["warnings"] == []


@pytest.mark.parametrize(("level", "published"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_reliability_data_at_all_four_levels(
    level: str, published: float
) -> None:
    """Krippendorff (2011), section C: alpha 0.743 / 0.815 / 0.849 / 0.797 (with missing values)."""
    out = stats_json(str(DATA / "krippendorff_2011.csv"), "--level", level)
    assert round(out["krippendorff_alpha"], 3) == published
    assert out["n_raters"] == 4 and out["n_units"] == 12
    assert out["cohen_kappa"] is None and any("two raters" in w for w in out["warnings"])
    # The "unit" column was taken as the id, and the table says so.
    assert any("'unit' taken as the unit id" in w for w in out["warnings"])


def test_gwet_handbook_four_raters_with_missing_ratings() -> None:
    """Gwet (2014) Handbook, 4th ed., p. 120 (Krippendorff's data transposed); irrCAC prints
    Fleiss 0.76117, AC1 0.77544 (SE 0.14295), Brennan-Prediger 0.773, pa 0.81818."""
    out = stats_json(str(DATA / "krippendorff_2011.csv"), "--id-col", "unit")
    assert round(out["fleiss_kappa"], 5) == 0.76117
    assert [round(out["gwet_ac1"][x], 5) for x in ("value", "se")] == [0.77544, 0.14295]
    assert round(out["brennan_prediger"], 3) == 0.773
    assert round(out["percent_agreement"], 5) == 0.81818


def test_fleiss_1971_six_psychiatrists_tsv_with_text_categories() -> None:
    """Fleiss (1971) Table 1: kappa = .430 (R irr::kappam.fleiss 0.4302445)."""
    out = stats_json(str(DATA / "fleiss_1971.tsv"), "--id-col", "patient")
    assert out["fleiss_kappa"] == pytest.approx(0.4302445, abs=5e-8)
    assert out["n_units"] == 30 and out["n_raters"] == 6
    assert out["categories"] == sorted(["depression", "personality disorder", "schizophrenia",
                                        "neurosis", "other"])


def test_cohen_1960_table_1_from_a_spreadsheet(tmp_path: Path) -> None:
    """Cohen (1960) Table 1: po = .29, pc = .35, kappa = -.092 (marginals A .50 .30 .20,
    B .40 .30 .30, N = 100); read from an .xlsx with an id column and a distractor column."""
    from openpyxl import Workbook

    table = [[25, 13, 12], [12, 2, 16], [3, 15, 2]]
    book = Workbook()
    sheet = book.active
    sheet.append(["case", "judge A", "judge B", "comment"])
    n = 0
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            for _ in range(count):
                n += 1
                sheet.append([f"c{n}", "xyz"[i], "xyz"[j], "note"])
    book.save(tmp_path / "cohen.xlsx")
    out = stats_json(str(tmp_path / "cohen.xlsx"), "--raters", "judge A", "judge B")
    assert out["percent_agreement"] == pytest.approx(0.29)
    assert round(out["cohen_kappa"]["value"], 3) == -0.092


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_raters_match_scikit_learn_on_random_data(tmp_path: Path, seed: int) -> None:
    """Cross-check: Cohen's kappa and quadratic-weighted kappa equal scikit-learn's
    cohen_kappa_score over the units both rated (missing cells dropped)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 6, 80)
    b = np.where(rng.random(80) < 0.6, a, rng.integers(1, 6, 80))
    gaps = rng.random(80) < 0.1
    rows = [[i, x, None if g else y] for i, (x, y, g) in enumerate(zip(a, b, gaps, strict=True))]
    out = stats_json(str(_write(tmp_path / "r.csv", ["id", "a", "b"], rows)), "--weights",
                     "quadratic")
    keep = ~gaps
    assert out["cohen_kappa"]["value"] == pytest.approx(cohen_kappa_score(a[keep], b[keep]))
    # Default --scores ranks: scikit-learn weights by label rank too, gaps or not.
    assert out["scores"] == "ranks"
    assert out["weighted_kappa"]["value"] == pytest.approx(
        cohen_kappa_score(a[keep], b[keep], weights="quadratic"))


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_many_raters_match_krippendorff_and_statsmodels(tmp_path: Path, level: str) -> None:
    """Cross-check: alpha equals the krippendorff package (with missing values) at each level;
    Fleiss' kappa equals statsmodels' on the complete rows."""
    rng = np.random.default_rng(7)
    truth = rng.integers(1, 5, 60)
    data = np.where(rng.random((60, 4)) < 0.7, truth[:, None], rng.integers(1, 5, (60, 4)))
    data = data.astype(float)
    data[rng.random((60, 4)) < 0.15] = np.nan
    rows = [[i, *[None if np.isnan(v) else int(v) for v in r]] for i, r in enumerate(data)]
    path = _write(tmp_path / "many.csv", ["id", "r1", "r2", "r3", "r4"], rows)
    out = stats_json(str(path), "--level", level)
    assert out["krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=data.T, level_of_measurement=level))
    complete = data[~np.isnan(data).any(axis=1)].astype(int)
    path2 = _write(tmp_path / "complete.csv", ["r1", "r2", "r3", "r4"], complete.tolist())
    table, _ = aggregate_raters(complete)
    assert stats_json(str(path2))["fleiss_kappa"] == pytest.approx(sm_fleiss_kappa(table))


def test_undefined_statistics_are_null_with_a_reason(tmp_path: Path) -> None:
    path = _write(tmp_path / "same.csv", ["a", "b"], [["x", "x"]] * 5)
    out = stats_json(str(path))
    assert out["cohen_kappa"]["value"] is None and out["krippendorff_alpha"] is None
    assert out["percent_agreement"] == 1.0
    assert any(w.startswith("Cohen's kappa is undefined") for w in out["warnings"])
    assert any(w.startswith("Krippendorff's alpha is undefined") for w in out["warnings"])


def test_table_output_names_every_statistic() -> None:
    result = CliRunner().invoke(main, ["stats", str(DATA / "sas_skin_condition.csv"),
                                       "--id-col", "patient", "--weights", "quadratic"])
    assert result.exit_code == 0, result.output
    for name in (
        "Cohen's kappa",
        "weighted kappa (quadratic, ranks)",
        "Scott's pi",
        "Fleiss' kappa",
        "Krippendorff's alpha (nominal)",
        "Gwet's AC1",
        "Brennan-Prediger",
        "0.3449",
        "0.0724",
    ):
        assert name in result.output


def test_raters_may_come_before_the_file() -> None:
    out = stats_json("--raters", "derm2", "derm1", str(DATA / "sas_skin_condition.csv"))
    assert out["raters"] == ["derm2", "derm1"] and out["n_units"] == 88


def test_bad_inputs_give_one_line_naming_file_and_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"a,b\n1,2\ncaf\xe9,1\n")
    assert "latin.csv, line 3" in fails(str(latin)) and "UTF-8" in fails(str(latin))
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n1,2,3\n", encoding="utf-8")
    assert "ragged.csv, line 3: this row has 3 cells" in fails(str(ragged))
    assert "did you mean 'derm1'" in fails(str(DATA / "sas_skin_condition.csv"), "--raters",
                                           "Derm1", "derm3")
    one = _write(tmp_path / "one.csv", ["id", "a"], [[1, 2]])
    assert "at least two" in fails(str(one))
    text = _write(tmp_path / "text.csv", ["a", "b"], [["low", "high"]])
    assert "text.csv, line 2" in fails(str(text), "--level", "interval")
    assert "text.csv, line 2" in fails(str(text), "--weights", "linear")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "empty" in fails(str(empty))
    header_only = _write(tmp_path / "h.csv", ["a", "b"], [])
    assert "no rows of ratings" in fails(str(header_only))
    assert "cannot read" in fails(str(tmp_path / "missing.csv"))
    quote = tmp_path / "quote.csv"
    quote.write_text('a,b\n1,"2\n', encoding="utf-8")
    assert "quote.csv, line 2" in fails(str(quote))
