"""Tests of ``qualcode codebook ...`` (qualcode.cli.codebook) through click's CliRunner."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import qualcode.cli.codebook  # noqa: F401  (registers the group on main)
from helpers.store_engines import ENGINES, engine_location
from qualcode.cli.base import main
from qualcode.interchange.codebook_yaml import codebook_to_specs, parse_codebook_yaml
from qualcode.model import CodeKind, CodeSpec, SourceRecord
from qualcode.storage import Store

COMMANDS = ["import", "export", "show", "add", "rename", "move", "merge", "delete", "edit"]

CODEBOOK = """\
format: qualcode-codebook/1
name: Balint groups
themes:
  - name: Communication
    colour: "#1F77B4"
    subthemes:
      - name: Listening
        codes:
          - name: Attending
            description: The doctor attends to the patient.
            shortcut: a
    codes:
      - name: Feedback
        shortcut: f
  - name: Challenges
    codes:
      - name: Time pressure
        description: Sessions clash with shifts.
        shortcut: t
      - name: Feedback
"""


def run(*args: str) -> Result:
    """Invoke ``qualcode`` with these arguments."""
    return CliRunner().invoke(main, [str(a) for a in args])


@contextmanager
def opened(path: Path) -> Iterator[Store]:
    """Open the project for a look after a command ran."""
    store = Store.open(path)
    try:
        yield store
    finally:
        store.close()


def strip(specs: tuple[CodeSpec, ...]) -> tuple[CodeSpec, ...]:
    """Drop line numbers and guids, for comparing two projects' codebooks."""
    return tuple(dataclasses.replace(s, line=None, guid=None, children=strip(s.children))
                 for s in specs)


@pytest.fixture(params=ENGINES)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """An empty project: a file, and a server project (helpers.store_engines)."""
    yield from engine_location(request, tmp_path)


@pytest.fixture
def project(tmp_path: Path, empty: Path) -> Path:
    """A project with the codebook above, two sources and three codings by alice."""
    (tmp_path / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    with opened(empty) as store:
        store.import_codebook(parse_codebook_yaml(CODEBOOK))
        store.import_sources([SourceRecord("r1", "They listened to me."),
                              SourceRecord("r2", "No time after nights.")])
        book = store.codebook()
        alice = store.coder("alice").id
        r1, r2 = (store.source_by_external_id(x).id for x in ("r1", "r2"))
        attending = book.find("Attending")[0].id
        store.add_coding(alice, r1, attending)
        store.add_coding(alice, r2, attending, 0, 2)
        store.add_coding(alice, r2, book.find("Time pressure")[0].id)
    return empty


def actions(path: Path) -> list[str]:
    """Return the event log's actions, oldest first."""
    with opened(path) as store:
        return [e.action for e in store.events()]


# --- help ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_an_example(command: str | None) -> None:
    result = run("codebook", *([command] if command else []), "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output and "qualcode codebook" in result.output


# --- import / export -----------------------------------------------------------------


def test_import_reports_and_logs_an_event(tmp_path: Path, empty: Path) -> None:
    (tmp_path / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    result = run("codebook", "import", empty, tmp_path / "cb.yaml", "--coder", "alice")
    assert result.exit_code == 0, result.output
    assert "7 added, 0 updated, 0 unchanged" in result.output
    with opened(empty) as store:
        (event,) = [e for e in store.events() if e.action == "codebook.import"]
        assert event.coder_id == store.coder("alice").id
        assert len(store.codebook()) == 7
    again = run("codebook", "import", empty, tmp_path / "cb.yaml")
    assert "0 added, 0 updated, 7 unchanged" in again.output


def test_import_bad_file_names_file_and_line(tmp_path: Path, empty: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(CODEBOOK.replace("shortcut: t", "shortcut: a"), encoding="utf-8")
    result = run("codebook", "import", empty, bad)
    assert result.exit_code == 1
    assert f"{bad}, line 19: shortcut 'a'" in result.stderr
    assert "Traceback" not in result.output
    with opened(empty) as store:
        assert len(store.codebook()) == 0


def test_import_conflict_with_project_names_the_file(tmp_path: Path, project: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("format: qualcode-codebook/1\nthemes:\n  - name: New\n    shortcut: a\n",
                     encoding="utf-8")
    result = run("codebook", "import", project, other)
    assert result.exit_code == 1
    assert str(other) in result.stderr and "already taken" in result.stderr


def test_export_to_stdout_round_trips(project: Path) -> None:
    result = run("codebook", "export", project)
    assert result.exit_code == 0, result.output
    with opened(project) as store:
        expected = codebook_to_specs(store.codebook())
    exported = parse_codebook_yaml(result.stdout)
    assert strip(exported) == strip(expected)
    assert [s.guid for s in exported] == [s.guid for s in expected]
    assert f"name: {project.stem}\n" in result.stdout  # p, or the server project's name


def test_export_to_file_then_import_into_a_new_project(tmp_path: Path, project: Path) -> None:
    out = tmp_path / "out.yaml"
    result = run("codebook", "export", project, "-o", out, "--name", "Balint")
    assert result.exit_code == 0, result.output
    assert "Wrote 7 codebook entries" in result.stderr
    assert "name: Balint" in out.read_text(encoding="utf-8")
    fresh = tmp_path / "fresh.qualcode"
    Store.create(fresh).close()
    assert run("codebook", "import", fresh, out).exit_code == 0
    with opened(project) as a, opened(fresh) as b:
        assert codebook_to_specs(a.codebook()) == codebook_to_specs(b.codebook())


def test_exported_file_reimports_as_unchanged(tmp_path: Path, project: Path) -> None:
    out = tmp_path / "out.yaml"
    run("codebook", "export", project, "-o", out)
    result = run("codebook", "import", project, out)
    assert "0 added, 0 updated, 7 unchanged" in result.output


# --- show ------------------------------------------------------------------------------


def test_show_tree_with_keys_and_counts(project: Path) -> None:
    result = run("codebook", "show", project)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Communication" in out and "Listening" in out
    assert "Attending  [a]  2 codings" in out
    assert "Time pressure  [t]  1 coding\n" in out
    assert "Communication  theme  2 codings in all" in out
    assert "Definition" not in out
    assert out.index("Communication") < out.index("Listening") < out.index("Attending")


def test_show_definitions(project: Path) -> None:
    result = run("codebook", "show", project, "--definitions")
    assert "Definition: The doctor attends to the patient." in result.output


def test_show_prints_markup_like_names_as_written(empty: Path) -> None:
    assert run("codebook", "add", empty, "[bold]odd").exit_code == 0
    assert "[bold]odd" in run("codebook", "show", empty).output


def test_show_empty_codebook(empty: Path) -> None:
    result = run("codebook", "show", empty)
    assert result.exit_code == 0 and "is empty" in " ".join(result.output.split())


def test_missing_project_is_one_line_error(tmp_path: Path) -> None:
    result = run("codebook", "show", tmp_path / "none.qualcode")
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1


# --- add -------------------------------------------------------------------------------


def test_add_theme_and_code_with_all_fields(empty: Path) -> None:
    assert run("codebook", "add", empty, "Trust").output == "Added theme 'Trust'.\n"
    result = run("codebook", "add", empty, "Safety", "--parent", "Trust",
                 "--description", "Feeling safe  \r\nto speak", "--inclusion", "in",
                 "--exclusion", "out", "--example", "e1", "--example", "e2",
                 "--colour", "#abc", "--shortcut", "s", "--coder", "bob")
    assert result.exit_code == 0, result.output
    assert "Added code 'Trust/Safety'" in result.output
    with opened(empty) as store:
        code = store.codebook().find("Trust/Safety")[0]
        assert (code.kind, code.description, code.inclusion, code.exclusion) == (
            CodeKind.CODE, "Feeling safe\nto speak", "in", "out")
        assert code.examples == ("e1", "e2") and code.colour == "#AABBCC"
        assert code.shortcut == "s" and code.codable
        assert store.codebook().find("Trust")[0].kind is CodeKind.THEME
        events = store.events()
        assert [e.action for e in events] == ["code.add", "code.add"]
        assert events[1].coder_id == store.coder("bob").id


def test_add_subtheme(project: Path) -> None:
    result = run("codebook", "add", project, "Group", "--parent", "Challenges",
                 "--kind", "subtheme")
    assert result.exit_code == 0, result.output
    with opened(project) as store:
        assert store.codebook().find("Challenges/Group")[0].kind is CodeKind.SUBTHEME


@pytest.mark.parametrize(("args", "phrase"), [
    (["--parent", "Attending"], "is a code and cannot hold"),
    (["--parent", "Listening", "--kind", "subtheme"], "holds codes only"),
    (["--parent", "Challenges", "--kind", "theme"], "top level"),
    (["--parent", "Nowhere"], "no code 'Nowhere'"),
    (["--parent", "Feedback"], "matches several codes (Challenges/Feedback, "
                               "Communication/Feedback)"),
    (["--colour", "blue"], "not a colour"),
    (["--shortcut", "q"], "reserved"),
    (["--shortcut", "a"], "already taken"),
])
def test_add_refusals(project: Path, args: list[str], phrase: str) -> None:
    before = actions(project)
    result = run("codebook", "add", project, "New", *args)
    assert result.exit_code == 1, result.output
    assert phrase in result.stderr
    assert actions(project) == before


def test_add_duplicate_sibling_is_refused(project: Path) -> None:
    result = run("codebook", "add", project, "time pressure", "--parent", "Challenges")
    assert result.exit_code == 1 and "already exists" in result.stderr


# --- rename / move / merge / delete / edit ----------------------------------------------


def test_rename_by_path_logs_an_event(project: Path) -> None:
    result = run("codebook", "rename", project, "Communication/Listening/Attending", "Heard")
    assert result.exit_code == 0, result.output
    assert "to 'Communication/Listening/Heard'" in result.output
    with opened(project) as store:
        assert store.codebook().find("Heard") and not store.codebook().find("Attending")
        assert store.events()[-1].action == "code.update"


def test_paths_forgive_case_and_spacing(project: Path) -> None:
    result = run("codebook", "rename", project, "communication / listening", "Hearing")
    assert result.exit_code == 0, result.output


def test_rename_ambiguous_bare_name_lists_paths(project: Path) -> None:
    result = run("codebook", "rename", project, "Feedback", "X")
    assert result.exit_code == 1
    assert "Challenges/Feedback, Communication/Feedback" in result.stderr


def test_move_to_parent_and_to_top(project: Path) -> None:
    result = run("codebook", "move", project, "Time pressure", "--to", "Communication")
    assert result.exit_code == 0, result.output
    assert "to 'Communication/Time pressure'" in result.output
    assert run("codebook", "move", project, "Listening", "--top").exit_code == 0
    assert run("codebook", "move", project, "Communication/Time pressure", "--to", "")\
        .exit_code == 0
    with opened(project) as store:
        book = store.codebook()
        assert {c.name for c in book.roots()} == {"Communication", "Challenges", "Listening",
                                                  "Time pressure"}
        assert actions(project)[-3:] == ["code.move"] * 3


@pytest.mark.parametrize(("args", "code", "phrase"), [
    ([], 2, "say where to"),
    (["--to", "Challenges", "--top"], 2, "not both"),
    (["--to", "Challenges"], 1, "deeper than theme > sub-theme > code"),
    (["--to", "Time pressure"], 1, "is a code"),
    (["--to", "Communication/Listening"], 1, "under itself"),
])
def test_move_refusals(project: Path, args: list[str], code: int, phrase: str) -> None:
    target = "Communication/Listening" if "under itself" in phrase else "Communication"
    if "is a code" in phrase:
        target = "Communication/Feedback"
    result = run("codebook", "move", project, target, *args)
    assert result.exit_code == code, result.output
    assert phrase in result.output


def test_merge_moves_codings_and_removes_source(project: Path) -> None:
    result = run("codebook", "merge", project, "Time pressure", "Attending", "--coder", "alice")
    assert result.exit_code == 0, result.output
    assert "(1 coding moved)" in result.output
    with opened(project) as store:
        book = store.codebook()
        assert not book.find("Time pressure")
        assert store.coding_counts()[book.find("Attending")[0].id] == 3
        assert store.events()[-1].action == "code.merge"


def test_delete_with_codings_needs_yes(project: Path) -> None:
    before = actions(project)
    result = run("codebook", "delete", project, "Attending")
    assert result.exit_code == 1
    assert "2 codings" in result.stderr and "--yes" in result.stderr
    assert actions(project) == before
    result = run("codebook", "delete", project, "Attending", "--yes")
    assert result.exit_code == 0, result.output
    assert "2 codings hidden" in result.output
    with opened(project) as store:
        assert not store.codebook().find("Attending")
        assert store.events()[-1].action == "code.delete"


def test_delete_theme_without_codings_needs_no_confirmation(project: Path) -> None:
    run("codebook", "add", project, "Spare")
    run("codebook", "add", project, "Leaf", "--parent", "Spare")
    result = run("codebook", "delete", project, "Spare")
    assert result.exit_code == 0, result.output
    assert "and 1 node below it; 0 codings hidden" in result.output


def test_edit_changes_fields_and_logs_one_event(project: Path) -> None:
    before = len(actions(project))
    result = run("codebook", "edit", project, "Time pressure", "--description", "New",
                 "--inclusion", "Inc", "--exclusion", "Exc", "--example", "Ex",
                 "--colour", "#ff0000", "--shortcut", "p")
    assert result.exit_code == 0, result.output
    with opened(project) as store:
        code = store.codebook().find("Time pressure")[0]
        assert (code.description, code.inclusion, code.exclusion, code.examples,
                code.colour, code.shortcut) == ("New", "Inc", "Exc", ("Ex",), "#FF0000", "p")
        events = store.events()
        assert len(events) == before + 1 and events[-1].action == "code.update"
    assert run("codebook", "edit", project, "Time pressure", "--colour", "",
               "--shortcut", "").exit_code == 0
    with opened(project) as store:
        code = store.codebook().find("Time pressure")[0]
        assert code.colour is None and code.shortcut is None


def test_edit_needs_something_to_change(project: Path) -> None:
    result = run("codebook", "edit", project, "Time pressure")
    assert result.exit_code == 2 and "nothing to change" in result.output


@pytest.mark.parametrize(("command", "formats"), [
    (["codebook", "import"], (".qdc", "REFI-QDA", "YAML")),
    (["import"], (".qdpx", ".qdc", "REFI-QDA", ".csv")),
])
def test_import_help_names_the_refi_formats(command: list[str], formats: tuple[str, ...]) -> None:
    import qualcode.cli  # noqa: F401  (registers every command, `import` included)

    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    for name in formats:
        assert name in result.output, name


def test_codebook_import_of_a_qdpx_points_to_qualcode_import(tmp_path: Path) -> None:
    project = tmp_path / "p.qualcode"
    Store.create(project).close()
    qdpx = Path(__file__).parent / "data" / "hostile" / "controls" / "control.qdpx"
    result = CliRunner().invoke(main, ["codebook", "import", str(project), str(qdpx)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {qdpx}: is a REFI-QDA project, not a codebook; bring its codebook in with "
        f"'qualcode import {project} {qdpx}' (sources and codings too)"]
