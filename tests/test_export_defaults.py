"""Theme tables and matrices for any study design: the layer and the study field by default.

A survey coded by one person (no consensus, no ``study_id``) must export with no options;
several coders and no consensus is one line listing them; a ``study`` field in any case is
found; ``--study-field ward`` names its columns "Wards"; ``--no-studies`` leaves every
mention of studies out, notes included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.robust_harness import digest
from qualcode.analysis.export_defaults import AUTO, choose_studies, grouping_words
from qualcode.cli import main
from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store

ANSWERS = ["I waited all day.",
           "The nurses explained every step of the operation to me, which calmed me down a lot.",
           "Nobody told me when the doctor would come, so I sat there for hours wondering.",
           "Food was cold.",
           "My daughter could visit every evening and the staff always made her welcome."]


def survey(path: Path, *, coders: tuple[str, ...] = ("alice",), fields: dict[str, str] | None
           = None, consensus: bool = False) -> Path:
    """A survey project: answers with the given metadata field names, coded by ``coders``."""
    names = fields or {"participant": "P", "ward": "W"}
    with Store.create(path) as store:
        store.import_sources([SourceRecord(f"A{i}", text, metadata={
            field: f"{prefix}{i % 3}" for field, prefix in names.items()})
            for i, text in enumerate(ANSWERS)], path="survey.csv")
        theme = store.add_code("Care", kind=CodeKind.THEME)
        waiting = store.add_code("Waiting", parent_id=theme.id)
        kindness = store.add_code("Kindness", parent_id=theme.id)
        for n, name in enumerate(coders):
            coder = store.coder(name)
            for i, source in enumerate(store.iter_sources()):
                code = waiting if i in (0, 2) else kindness
                if (i + n) % 5 != 4:
                    store.add_coding(coder.id, source.id, code.id)
        if consensus:
            lead = store.coder("lead")
            for source in store.iter_sources():
                store.add_coding(lead.id, source.id, waiting.id, layer=Layer.CONSENSUS)
    return path


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def notes(out: str) -> str:
    """The Markdown table's notes, with escaped underscores read back."""
    return "\n".join(line for line in out.splitlines()
                     if line.startswith("*Note.*")).replace("\\_", "_")


@pytest.mark.parametrize("command", [["export", "themes"], ["export", "matrix", "--cols", "source"],
                                     ["export", "cooccurrence"]])
def test_one_coder_and_no_consensus_needs_no_options(tmp_path: Path, command: list[str]) -> None:
    project = survey(tmp_path / "s.qualcode")
    code, out, err = run(*command, project)
    assert code == 0, err
    assert "alice's codings" in notes(out)


def test_the_theme_table_says_there_are_no_studies(tmp_path: Path) -> None:
    project = survey(tmp_path / "s.qualcode")
    code, out, err = run("export", "themes", project)
    assert code == 0, err
    header = out.splitlines()[0]
    assert "studies" not in header.lower() and "No. of units" in header
    assert "No studies: no source metadata field is named study_id or study" in notes(out)


@pytest.mark.parametrize("coders", [("alice", "bob"), ("alice", "bob", "carol")])
@pytest.mark.parametrize("command", [["export", "themes"], ["export", "matrix"],
                                     ["export", "cooccurrence"]])
def test_several_coders_and_no_consensus_is_one_line_listing_them(
        tmp_path: Path, coders: tuple[str, ...], command: list[str]) -> None:
    project = survey(tmp_path / "s.qualcode", coders=coders)
    before = digest(project)
    code, out, err = run(*command, project)
    assert code != 0 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    for name in coders:
        assert f"--layer {name}" in lines[0]
    assert digest(project) == before


def test_consensus_wins_when_it_has_codings(tmp_path: Path) -> None:
    project = survey(tmp_path / "s.qualcode", coders=("alice", "bob"), consensus=True)
    code, out, err = run("export", "themes", project)
    assert code == 0, err
    assert "in the consensus layer" in notes(out)


def test_nobody_coded_is_one_line(tmp_path: Path) -> None:
    project = survey(tmp_path / "s.qualcode", coders=())
    code, _, err = run("export", "themes", project)
    assert code != 0 and len(err.strip().splitlines()) == 1 and "nobody has coded" in err


@pytest.mark.parametrize("field", ["study", "Study", "STUDY", "study_id"])
def test_a_study_field_is_found_by_its_name(tmp_path: Path, field: str) -> None:
    project = survey(tmp_path / "s.qualcode", fields={field: "S", "participant": "P"})
    code, out, err = run("export", "themes", project)
    assert code == 0, err
    assert "| Contributing studies | No. of studies |" in out.splitlines()[0]
    assert f"Studies are the values of the source metadata field {field}" in notes(out)
    code, out, err = run("export", "matrix", project)
    assert code == 0, err
    assert "S0" in out.splitlines()[0] and "No. of studies" in out.splitlines()[0]


def test_study_id_is_preferred_to_study(tmp_path: Path) -> None:
    assert choose_studies(["Study", "study_id"], AUTO).field == "study_id"
    assert choose_studies(["participant", "sTuDy"], AUTO).field == "sTuDy"
    assert choose_studies(["studies", "study_name"], AUTO).field is None


@pytest.mark.parametrize("field,plural", [("ward", "Wards"), ("site_id", "Sites"),
                                          ("Country", "Countries"), ("class", "Classes")])
def test_a_named_field_names_its_columns(tmp_path: Path, field: str, plural: str) -> None:
    project = survey(tmp_path / "s.qualcode", fields={field: "X", "participant": "P"})
    code, out, err = run("export", "themes", project, "--study-field", field)
    assert code == 0, err
    header = out.splitlines()[0]
    assert f"| {plural} | No. of {plural.lower()} |" in header
    assert "studies" not in out.lower().replace("no studies", "")
    assert f"{plural} are the values of the source metadata field" in notes(out)
    code, out, err = run("export", "matrix", project, "--study-field", field)
    assert code == 0, err
    assert f"No. of {plural.lower()}" in out.splitlines()[0]
    assert f"by {grouping_words(field)[0]}" in out


def test_no_studies_leaves_every_mention_out(tmp_path: Path) -> None:
    project = survey(tmp_path / "s.qualcode", fields={"study_id": "S", "participant": "P"})
    code, out, err = run("export", "themes", project, "--no-studies")
    assert code == 0, err
    assert "stud" not in out.lower()


@pytest.mark.parametrize("field", ["trial", "Ward ", "study_ids"])
def test_a_missing_field_is_one_line_naming_the_fields(tmp_path: Path, field: str) -> None:
    project = survey(tmp_path / "s.qualcode")
    for command in (["export", "themes"], ["export", "matrix"]):
        code, out, err = run(*command, project, "--study-field", field)
        assert code != 0 and out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and repr(field) in lines[0] and "participant, ward" in lines[0]


def test_a_matrix_by_study_without_a_study_field_says_what_to_do(tmp_path: Path) -> None:
    project = survey(tmp_path / "s.qualcode")
    code, _, err = run("export", "matrix", project)
    assert code != 0 and len(err.strip().splitlines()) == 1
    assert "--study-field FIELD" in err and "--cols source" in err


def test_chart_frequencies_default_to_the_only_coder(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    project = survey(tmp_path / "s.qualcode")
    code, _, err = run("export", "chart", project, "--kind", "frequencies", "-o",
                       tmp_path / "f.svg")
    assert code == 0, err
    assert (tmp_path / "f.svg").stat().st_size > 0


def test_a_study_label_without_studies_says_to_name_the_field(tmp_path: Path) -> None:
    project = survey(tmp_path / "s.qualcode")
    code, out, err = run("export", "themes", project, "--study-label", "participant")
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1
    assert "--study-field FIELD" in err
    code, out, err = run("export", "themes", project, "--study-field", "ward",
                         "--study-label", "participant")
    assert code == 0, err
    assert "Wards are the values of the source metadata field ward, shown by participant" \
        in notes(out)
