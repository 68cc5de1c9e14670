"""A mistyped coder is not a new coder (issue 17, item 4).

``code --coder`` and ``adjudicate --as`` refuse any name that is not a coder of the project
unless ``--new-coder`` is given; ``codings import --coder`` creates a new name but refuses
one that looks like a typo of an existing coder; commands that only read or step back a
coder's work refuse unknown names. Every refusal is one line with the closest existing
name, and leaves the project unchanged (no stray coder).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from helpers.robust_harness import digest, make_project, one_line_error, run_cli
from qualcode.storage import Store

TYPOS = ["alcie", "Alcie", "alicee", "lice", "Ａｌｉｃｅ", "alice_"]
"""Ways to mean alice and type something else (swap, extra, missing letter, full width,
punctuation). ``Alice`` is not among them: the project matches coder names regardless of
ASCII case, so it IS alice."""
UNLIKE = "zoltan"
"""A name close to no coder's."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = make_project(tmp_path / "study.qualcode")
    with Store.open(path) as store:
        store.coder("bob")
    return path


def coders(project: Path) -> list[str]:
    with Store.open(project) as store:
        return [c.name for c in store.coders()]


def codings_csv(folder: Path) -> Path:
    path = folder / "codings.csv"
    path.write_text("source_id,code\nr1,Listening\n", encoding="utf-8")
    return path


class _NoScreen:
    """Stands in for a Textual app: the tests check what happens before a screen opens."""

    opened: list[str] = []

    def __init__(self, name: str) -> None:
        self.name = name

    def run(self) -> None:
        _NoScreen.opened.append(self.name)


@pytest.fixture
def no_screen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import qualcode.tui.adjudication_app as adjudication_app
    import qualcode.tui.app as app

    _NoScreen.opened = []

    def coding(store: Any, coder: Any, **options: Any) -> _NoScreen:
        return _NoScreen(coder.name)

    def adjudication(store: Any, adjudicator: str, *args: Any, **options: Any) -> _NoScreen:
        store.coder(adjudicator)  # as the session does, once the request is valid
        return _NoScreen(adjudicator)

    monkeypatch.setattr(app, "make_app", coding)
    monkeypatch.setattr(adjudication_app, "make_adjudication_app", adjudication)
    return _NoScreen.opened


def refused(project: Path, args: list[str], name: str, *, suggestion: str | None) -> str:
    before = digest(project)
    run = run_cli(args)
    problem = one_line_error(run, project)
    assert problem is None, problem
    line = run.stderr.strip()
    assert repr(name.strip()) in line and "--new-coder" in line, line
    if suggestion:
        assert f"did you mean {suggestion!r}?" in line, line
    else:
        assert "did you mean" not in line and "coders: alice, bob" in line, line
    assert digest(project) == before  # no stray coder, nothing else either
    return line


@pytest.mark.parametrize("name", [*TYPOS, UNLIKE])
def test_the_coding_screen_refuses_a_name_that_is_not_a_coder(project: Path, name: str,
                                                              no_screen: list[str]) -> None:
    refused(project, ["code", str(project), "--coder", name], name,
            suggestion=None if name == UNLIKE else "alice")
    assert no_screen == []


@pytest.mark.parametrize("name", [*TYPOS[:2], UNLIKE])
def test_adjudication_refuses_a_name_that_is_not_a_coder(project: Path, name: str,
                                                         no_screen: list[str]) -> None:
    refused(project, ["adjudicate", str(project), "--coders", "alice", "bob", "--as", name],
            name, suggestion=None if name == UNLIKE else "alice")
    assert no_screen == []


@pytest.mark.parametrize("command", ["code", "adjudicate"])
def test_new_coder_starts_a_new_coder_and_a_known_one_needs_nothing(
        project: Path, command: str, no_screen: list[str]) -> None:
    def args(name: str, *more: str) -> list[str]:
        who = ["--as", name] if command == "adjudicate" else ["--coder", name]
        start = ["adjudicate", str(project), "--coders", "alice", "bob"] if (
            command == "adjudicate") else ["code", str(project)]
        return [*start, *who, *more]

    assert run_cli(args("alcie", "--new-coder")).exit_code == 0
    assert run_cli(args("alice")).exit_code == 0
    assert run_cli(args("alcie")).exit_code == 0  # known now
    assert no_screen == ["alcie", "alice", "alcie"]
    assert coders(project) == ["alice", "bob", "alcie"]


@pytest.mark.parametrize("name", TYPOS)
def test_codings_import_refuses_a_likely_typo(project: Path, tmp_path: Path, name: str) -> None:
    refused(project, ["codings", "import", str(project), str(codings_csv(tmp_path)),
                      "--coder", name], name, suggestion="alice")


def test_codings_import_creates_an_unlike_name_and_says_so(project: Path,
                                                           tmp_path: Path) -> None:
    file = codings_csv(tmp_path)
    run = run_cli(["codings", "import", str(project), str(file), "--coder", UNLIKE])
    assert run.exit_code == 0, run.stderr
    assert f"for {UNLIKE} (new coder)" in run.stdout
    again = run_cli(["codings", "import", str(project), str(file), "--coder", "alcie",
                     "--new-coder"])
    assert again.exit_code == 0, again.stderr
    known = run_cli(["codings", "import", str(project), str(file), "--coder", "alice"])
    assert known.exit_code == 0 and "for alice (" in known.stdout
    assert coders(project) == ["alice", "bob", UNLIKE, "alcie"]


@pytest.mark.parametrize("args", [
    ["suggest", "{p}", "--coder", "{n}"],
    ["evaluate", "{p}", "--coder", "{n}"],
    ["undo", "{p}", "--coder", "{n}"],
    ["redo", "{p}", "--coder", "{n}"],
    ["log", "{p}", "--coder", "{n}"],
    ["agreement", "{p}", "--coders", "bob", "{n}"],
], ids=lambda a: a[0])
@pytest.mark.parametrize("name", ["alcie", "Ａｌｉｃｅ"])
def test_reading_commands_suggest_the_closest_coder(project: Path, args: list[str],
                                                    name: str) -> None:
    before = digest(project)
    run = run_cli([a.format(p=project, n=name) for a in args])
    assert run.exception is None and run.exit_code == 1, (run.stdout, run.stderr)
    [line] = run.stderr.strip().splitlines()
    assert f"no coder named {name!r} (did you mean 'alice'? coders: alice, bob)" in line, line
    assert digest(project) == before


def test_a_name_in_another_ascii_case_is_the_same_coder(project: Path,
                                                        no_screen: list[str]) -> None:
    assert run_cli(["code", str(project), "--coder", "ALICE"]).exit_code == 0
    assert no_screen == ["alice"] and coders(project) == ["alice", "bob"]


@pytest.mark.parametrize(("first", "second"), [("Annotator1", "Annotator2"),
                                               ("rater A", "rater B"), ("Rater 9", "Rater 10"),
                                               ("coder_a", "coder_b")])
def test_a_numbered_series_is_not_a_typo(tmp_path: Path, first: str, second: str) -> None:
    """Teams number their coders; the next number is a new coder, not a misspelt one."""
    project = make_project(tmp_path / "series.qualcode")
    file = codings_csv(tmp_path)
    for name in (first, second):
        run = run_cli(["codings", "import", str(project), str(file), "--coder", name])
        assert run.exit_code == 0, run.stderr
        assert f"for {name} (new coder)" in run.stdout
    # A real typo of a numbered name (two letters of its stem swapped) is still caught.
    typo = second[1] + second[0] + second[2:]
    before = digest(project)
    run = run_cli(["codings", "import", str(project), str(file), "--coder", typo])
    assert one_line_error(run, project) is None, run.stderr
    assert f"did you mean {second!r}?" in run.stderr and "--new-coder" in run.stderr
    assert digest(project) == before


def _attribution_args(command: str, project: Path, tmp_path: Path, run: int = 0) -> list[str]:
    """A command that records its action under --coder, ready for --coder NAME (``run``
    numbers the calls, so each adds something new)."""
    other = tmp_path / f"other{run}.qualcode"
    if command == "merge":
        shutil.copy(project, other)  # closed here: a copy of the file is a copy of the project
    corpus = tmp_path / f"more{run}.csv"
    corpus.write_text(f"id,text\nextra{run},One more answer.\n", encoding="utf-8")
    return {
        "codebook add": ["codebook", "add", str(project), f"Fatigue {run}"],
        "codebook edit": ["codebook", "edit", str(project), "Listening", "--description",
                          f"take {run}"],
        "import": ["import", str(project), str(corpus)],
        "merge": ["merge", str(project), str(other)],
    }[command]


ATTRIBUTION = ["codebook add", "codebook edit", "import", "merge"]


@pytest.mark.parametrize("name", ["alcie", "Ａｌｉｃｅ"])
@pytest.mark.parametrize("command", ATTRIBUTION)
def test_commands_that_record_a_coder_refuse_a_likely_typo(project: Path, tmp_path: Path,
                                                           command: str, name: str) -> None:
    refused(project, [*_attribution_args(command, project, tmp_path), "--coder", name], name,
            suggestion="alice")


@pytest.mark.parametrize("command", ATTRIBUTION)
def test_commands_that_record_a_coder_create_a_new_name(project: Path, tmp_path: Path,
                                                        command: str) -> None:
    args = _attribution_args(command, project, tmp_path)
    run = run_cli([*args, "--coder", UNLIKE])
    assert run.exit_code == 0, run.stderr
    assert UNLIKE in coders(project) and "alcie" not in coders(project)
    forced = run_cli([*_attribution_args(command, project, tmp_path, 1), "--coder", "alcie",
                      "--new-coder"])
    assert forced.exit_code == 0, forced.stderr
    assert "alcie" in coders(project)
