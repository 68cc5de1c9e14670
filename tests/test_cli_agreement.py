"""``qualcode agreement`` on the bundled demo project, checked against the coding files themselves.

The expected figures are recomputed here from corpora/codings/*.csv with the csv module and
scikit-learn's ``cohen_kappa_score``, independently of the project, the presence module and
the statistics library.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from qualcode.cli import main
from qualcode.interchange.demo import build_demo_project

ROOT = Path(__file__).resolve().parents[1]
CODINGS = ROOT / "corpora" / "codings"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.qualcode"
    build_demo_project(path, "metasynthesis", data_root=ROOT)
    return path


@pytest.fixture
def project(demo: Path, tmp_path: Path) -> Path:
    """A private copy of the demo project, for tests that change it."""
    copy = tmp_path / "demo.qualcode"
    shutil.copy(demo, copy)
    return copy


def coder_file(name: str) -> dict[str, set[str]]:
    """source id -> code paths, from a bundled coding file (an empty code = done, nothing)."""
    coded: dict[str, set[str]] = {}
    with (CODINGS / f"metasynthesis_{name}.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            coded.setdefault(row["source_id"], set())
            if row["code"]:
                coded[row["source_id"]].add(row["code"])
    return coded


def run(*args: str) -> str:
    # A wide virtual terminal, so table rows are not wrapped.
    result = CliRunner().invoke(main, ["agreement", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(*args: str) -> str:
    result = CliRunner().invoke(main, ["agreement", *args])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def present(paths: set[str], row: dict) -> bool:
    if row["level"] == "theme":
        return any(p == row["path"] or p.startswith(row["path"] + "/") for p in paths)
    return row["path"] in paths


def test_json_kappas_equal_scikit_learn_on_the_coding_files(demo: Path) -> None:
    alice, bob = coder_file("alice"), coder_file("bob")
    both = sorted(alice.keys() & bob.keys())
    out = json.loads(run(str(demo), "--coders", "alice", "bob", "--format", "json"))
    assert out["n_units"] == len(both)
    assert out["excluded"] == {"not done by bob": len(alice.keys() - bob.keys()),
                               "not done by alice": len(bob.keys() - alice.keys())}
    assert {r["level"] for r in out["rows"]} == {"theme", "code"}
    assert len(out["rows"]) == 5 + 21  # balint.yaml: 5 themes, 21 codes
    for row in out["rows"]:
        a = [present(alice[s], row) for s in both]
        b = [present(bob[s], row) for s in both]
        assert row["percent_agreement"] == pytest.approx(np.mean(np.equal(a, b)))
        assert (row["a_count"], row["b_count"]) == (sum(a), sum(b))
        if len(set(a) | set(b)) > 1:
            assert row["kappa"] == pytest.approx(cohen_kappa_score(a, b)), row["path"]
    for key in ("coders", "unit", "group_by", "level", "pooled", "multi_rater", "warnings",
                "methods"):
        assert key in out
    assert out["multi_rater"] == []


def test_table_shows_the_unit_counts_and_every_theme(demo: Path) -> None:
    alice, bob = coder_file("alice"), coder_file("bob")
    text = run(str(demo), "--coders", "alice", "bob")
    assert "Unit of analysis: whole sources" in text
    n = len(alice.keys() & bob.keys())
    assert f"{n} units counted" in text
    assert f"{len(alice.keys() - bob.keys())} not done by bob" in text
    for theme in ("Relationship with patients", "Psychological adjustment", "Challenges"):
        assert theme in text
    assert "Pooled κ over 21 codes" in text and "Pooled κ over 5 themes" in text
    assert "Landis-Koch" in text and "AC1" in text and "PABAK" in text


def test_markdown_is_a_pipe_table_with_a_legend(demo: Path) -> None:
    text = run(str(demo), "--coders", "alice", "bob", "--level", "theme", "--format", "markdown")
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| Theme / code"))
    assert lines[header + 1].startswith("|---")
    assert lines[header + 2].startswith("| **Relationship with patients** | ")
    assert all(line.count("|") == lines[header].count("|") for line in lines[header:header + 7])
    assert "Fleiss, Cohen & Everitt (1969)" in text and "Pooled κ over 5 themes" in text


def test_csv_has_one_line_per_row_and_the_documented_columns(demo: Path) -> None:
    from qualcode.analysis.agreement_format import CSV_COLUMNS

    text = run(str(demo), "--coders", "alice", "bob", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == CSV_COLUMNS and len(rows) == 26
    assert rows[0]["level"] == "theme" and rows[1]["level"] == "code"


def test_output_file_format_follows_its_suffix(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "agreement.md"
    result = CliRunner().invoke(main, ["agreement", str(demo), "--coders", "alice", "bob",
                                       "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("Agreement of alice, bob.")


def test_disagreements_are_the_units_where_the_files_differ(demo: Path) -> None:
    alice, bob = coder_file("alice"), coder_file("bob")
    out = json.loads(run(str(demo), "--coders", "alice", "bob", "--level", "code",
                         "--format", "json", "--disagreements"))
    expected = {(s, p) for s in alice.keys() & bob.keys() for p in alice[s] ^ bob[s]}
    found = {(d["unit"], d["path"]) for d in out["disagreements"]}
    assert found == expected
    first = out["disagreements"][0]
    assert first["text"] and first["a_present"] != first["b_present"]
    table = run(str(demo), "--coders", "alice", "bob", "--level", "code", "--disagreements")
    assert f"Disagreements, alice vs bob: {len(expected)}" in table


def test_bootstrap_is_reproducible_with_a_seed(demo: Path) -> None:
    args = (str(demo), "--coders", "alice", "bob", "--level", "theme", "--bootstrap", "200",
            "--seed", "5", "--format", "json")
    one, two = json.loads(run(*args)), json.loads(run(*args))
    assert [r["boot_ci_low"] for r in one["rows"]] == [r["boot_ci_low"] for r in two["rows"]]
    assert all(r["boot_ci_low"] <= r["kappa"] <= r["boot_ci_high"] for r in one["rows"])
    assert one["pooled"][0]["boot_ci_low"] is not None


def test_group_by_study_counts_only_finished_studies(demo: Path) -> None:
    alice, bob = coder_file("alice"), coder_file("bob")
    with (ROOT / "corpora" / "balint_metasynthesis.csv").open(encoding="utf-8") as handle:
        study = {row["id"]: row["study_id"] for row in csv.DictReader(handle)}
    findings: dict[str, set[str]] = {}
    for finding, s in study.items():
        findings.setdefault(s, set()).add(finding)
    finished = [s for s, f in findings.items() if f <= alice.keys() and f <= bob.keys()]
    out = json.loads(run(str(demo), "--coders", "alice", "bob", "--group-by", "study_id",
                         "--format", "json"))
    assert out["n_units"] == len(finished)
    assert sum(out["excluded"].values()) == len(findings) - len(finished)
    partial = json.loads(run(str(demo), "--coders", "alice", "bob", "--group-by", "study_id",
                             "--partial-groups", "--level", "theme", "--format", "json"))
    started = [s for s, f in findings.items() if f & alice.keys() & bob.keys()]
    assert partial["n_units"] == len(started)
    row = partial["rows"][0]
    a = [present(set().union(*(alice[f] for f in findings[s] & bob.keys() if f in alice)), row)
         for s in sorted(started)]
    b = [present(set().union(*(bob[f] for f in findings[s] & alice.keys() if f in bob)), row)
         for s in sorted(started)]
    assert (row["a_count"], row["b_count"]) == (sum(a), sum(b))


def test_sentence_units(demo: Path) -> None:
    out = json.loads(run(str(demo), "--coders", "alice", "bob", "--unit", "sentence",
                         "--level", "theme", "--format", "json"))
    assert out["unit"] == "sentence" and "segmentation" in out["unit_source"]
    assert out["n_units"] > len(coder_file("alice").keys() & coder_file("bob").keys())


def test_three_coders_give_pairwise_tables_and_alpha(project: Path, tmp_path: Path) -> None:
    carol = tmp_path / "carol.csv"
    with (CODINGS / "metasynthesis_alice.csv").open(encoding="utf-8") as src:
        rows = list(csv.DictReader(src))
    keep = [r for i, r in enumerate(rows) if i % 7]  # carol drops every 7th of alice's codings
    for r in rows:
        if r not in keep:  # still marks the unit done, with no code
            keep.append({"source_id": r["source_id"], "code": "", "start": "", "end": ""})
    with carol.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["source_id", "code", "start", "end"])
        writer.writeheader()
        writer.writerows(keep)
    result = CliRunner().invoke(main, ["codings", "import", str(project), str(carol),
                                       "--coder", "carol"])
    assert result.exit_code == 0, result.output
    out = json.loads(run(str(project), "--coders", "alice", "bob", "carol", "--level", "theme",
                         "--format", "json"))
    pairs = {(r["coder_a"], r["coder_b"]) for r in out["rows"]}
    assert pairs == {("alice", "bob"), ("alice", "carol"), ("bob", "carol")}
    assert len(out["multi_rater"]) == 5
    assert all(m["krippendorff_alpha"] is not None for m in out["multi_rater"])
    table = run(str(project), "--coders", "alice,bob,carol", "--level", "theme")
    assert "All coders (alice, bob, carol)" in table and "carol vs" not in table
    assert "bob vs carol" in table


def test_coders_may_come_before_the_project(demo: Path) -> None:
    out = json.loads(run("--coders", "alice", "bob", str(demo), "--format", "json",
                         "--level", "theme"))
    assert out["coders"] == ["alice", "bob"]


def test_user_mistakes_are_one_line_and_exit_1(project: Path) -> None:
    assert "no coder named 'zoe'" in fails(str(project), "--coders", "alice", "zoe")
    assert "at least two coders" in fails(str(project), "--coders", "alice")
    assert "metadata field 'site'" in fails(str(project), "--coders", "alice", "bob",
                                            "--group-by", "site")
    assert "consensus layer has no unit marked done" in fails(str(project), "--coders", "alice",
                                                              "consensus")
    result = CliRunner().invoke(main, ["codings", "import", str(project),
                                       str(CODINGS / "metasynthesis_alice.csv"), "--coder", "dan",
                                       "--no-mark-done"])
    assert result.exit_code == 0, result.output
    assert "'dan' has not marked any unit done" in fails(str(project), "--coders", "alice", "dan")
    assert "nope.qualcode" in fails(str(project.with_name("nope.qualcode")), "--coders", "a", "b")
