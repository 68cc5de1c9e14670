"""`qualcode report`: its numbers are the other commands' numbers, its HTML valid and inert.

The demo project (two coders) is reported; the agreement section's table must hold the
numbers of ``qualcode agreement --format json`` (the same rows, kappa and AC1 with their
intervals), the theme table those of ``qualcode export themes`` for the same layer; the
page must parse as HTML5 with no error (html5lib, strict), fetch nothing, and keep hostile
names as text. A project with nothing to compare says so instead of failing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner

from helpers.report_projects import coded_project, demo_project
from qualcode.analysis.report.sections import ac1_interval, agreement_table, build_report
from qualcode.cli import main
from qualcode.model import SourceRecord
from qualcode.storage import Store

ROOT = Path(__file__).resolve().parents[2]


def run(*args: object) -> str:
    done = CliRunner().invoke(main, [str(a) for a in args])
    assert done.exit_code == 0, (args, done.output)
    return done.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_project(tmp_path_factory.mktemp("report") / "demo.qualcode")


def test_agreement_numbers_are_those_of_agreement_json(demo: Path) -> None:
    expected = json.loads(run("agreement", demo, "--coders", "alice", "bob", "--format", "json"))
    with Store.open(demo) as store:
        report = build_report(store, coders=["alice", "bob"])
    assert report.agreement_json is not None
    assert report.agreement_json["rows"] == expected["rows"]
    table = agreement_table(report.agreement)
    assert len(table.rows) == len(expected["rows"])
    for row, wanted in zip(table.rows, expected["rows"], strict=True):
        kappa, ac1 = row.cells[3], row.cells[4]
        assert (kappa.value, kappa.low, kappa.high) == (
            wanted["kappa"], wanted["kappa_ci_low"], wanted["kappa_ci_high"])
        assert ac1.value == wanted["ac1"]
        assert row.cells[2] == wanted["n_units"]
        assert (row.cells[6], row.cells[7]) == (wanted["prevalence_index"], wanted["bias_index"])


def test_ac1_interval_is_the_wald_interval_of_its_se() -> None:
    """AC1 +- 1.96 SE, cut to [-1, 1] (the convention of the kappa intervals)."""
    from qualcode.analysis.agreement_records import AgreementRow

    base = dict(level="code", code_id=1, path="a", coder_a="x", coder_b="y", n_units=50,
                percent_agreement=0.9, kappa=0.7, kappa_se=0.1, kappa_ci_low=0.5,
                kappa_ci_high=0.9, scott_pi=0.7, pabak=0.8, prevalence_index=0.1,
                bias_index=0.0, kappa_max=1.0, boot_ci_low=None, boot_ci_high=None,
                label="", note="", a_count=5, b_count=5, both_count=4)
    low, high = ac1_interval(AgreementRow(**base, ac1=0.8, ac1_se=0.05))
    assert (round(low, 4), round(high, 4)) == (0.702, 0.898)
    assert ac1_interval(AgreementRow(**base, ac1=0.95, ac1_se=0.1))[1] == 1.0
    assert ac1_interval(AgreementRow(**base, ac1=1.0, ac1_se=0.0)) == (None, None)


def test_theme_table_is_that_of_export_themes(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "themes.csv"
    run("export", "themes", demo, "--layer", "alice", "--kappa-coders", "alice", "bob",
        "-o", out)
    exported = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    with Store.open(demo) as store:
        report = build_report(store, coders=["alice", "bob"], layer="alice")
    assert report.themes is not None
    label = exported[0].index(report.themes.columns[0].header)  # CSV adds level, path first
    assert [str(r.cells[0]) for r in report.themes.rows] == [r[label] for r in exported[1:]]
    counts = exported[0].index("No. of units")
    units = [c.key for c in report.themes.columns].index("n_units")
    assert [str(r.cells[units]) for r in report.themes.rows] == [r[counts] for r in exported[1:]]


def test_html_is_valid_self_contained_and_sectioned(demo: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    run("report", demo, "-o", page)
    data = page.read_bytes()
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(data)
    assert not parser.errors
    text = data.decode("utf-8")
    assert "<script" not in text and not re.search(r'(src|href)="(https?:)?//', text)
    for anchor in ("methods", "agreement", "themes", "matrix", "frequencies", "cooccurrence",
                   "adjudication", "suggestions", "provenance"):
        assert f'<section id="{anchor}"' in text, anchor
    assert text.count('role="img"') == 3 and text.count("<title>") == 4
    assert "break-before: page" in text


def test_markdown_has_the_sections_and_its_figures(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    run("report", demo, "-o", target)
    text = target.read_text(encoding="utf-8")
    assert text.count("\n## ") == 9
    for name in ("agreement", "matrix", "frequencies"):
        assert f"(report_files/{name}.svg)" in text
        assert (tmp_path / "report_files" / f"{name}.svg").read_bytes().startswith(b"<?xml")


HOSTILE = "<script>alert(1)</script> [bold]x[/bold] \x1b[31m <img src=x onerror=alert(1)>"


def test_hostile_names_and_texts_stay_text(tmp_path: Path) -> None:
    project = coded_project(tmp_path / "hostile.qualcode", [
        SourceRecord("s1", f"A quote {HOSTILE} here.", metadata={"study_id": HOSTILE}),
        SourceRecord("s2", "Another text.", metadata={"study_id": "S2"})],
        "Code <section><script>", coders=("alice", "bob <b>"))
    page = tmp_path / "report.html"
    run("report", project, "-o", page, "--coders", "alice", "bob <b>", "--layer", "alice")
    data = page.read_bytes()
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(data)
    assert not parser.errors
    text = data.decode("utf-8")
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text


def test_a_project_with_nothing_to_compare_says_so(tmp_path: Path) -> None:
    project = tmp_path / "empty.qualcode"
    run("init", project)
    run("import", project, ROOT / "corpora" / "balint_survey.csv")
    page = tmp_path / "report.html"
    run("report", project, "-o", page)
    text = page.read_text(encoding="utf-8")
    assert "Fewer than two coders had finished units" in text
    assert "Agreement is not reported" in text and "not reported: nothing is coded" in text


def test_the_report_refuses_to_write_over_the_project(demo: Path) -> None:
    done = CliRunner().invoke(main, ["report", str(demo), "-o", str(demo)])
    assert done.exit_code == 1 and "is a qualcode project" in done.output


def test_adjudication_counts_the_disagreements_settled(tmp_path: Path) -> None:
    """After the adjudicator settles every disputed unit, all of them count as settled,
    and each coder's agreement with the consensus is reported."""
    from qualcode.analysis.agreement_report import disagreements
    from qualcode.tui.adjudication_session import AdjudicationSession

    project = demo_project(tmp_path / "demo.qualcode")
    with Store.open(project) as store:
        disputed = {d.unit.key for d in disagreements(store, "alice", "bob", level="code")}
        session = AdjudicationSession(store, "lead", "alice", "bob")
        session.copy_agreed()
        for index, unit in enumerate(session.units):
            session.index = index
            if not session.is_settled(unit):
                session.decide("a")
        report = build_report(store, coders=["alice", "bob"])
    assert report.settled == (len(disputed), len(disputed)) and disputed
    assert [r.coders for r in report.consensus] == [("alice", "consensus"), ("bob", "consensus")]
    page = tmp_path / "report.html"
    run("report", project, "-o", page)
    assert f"{len(disputed)} units had a disagreement" in page.read_text(encoding="utf-8")
