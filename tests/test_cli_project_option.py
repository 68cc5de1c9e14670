"""PROJECT named once: ``--project`` or ``QUALCODE_PROJECT`` in place of the argument.

Each test runs on a project file and on a server project (the session's throwaway
PostgreSQL server), since the long URL is what a team on a server wants to type once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpers.store_engines import ENGINES, engine_location
from qualcode.cli import main

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "balint.yaml"
CORPUS = ROOT / "corpora" / "balint_metasynthesis.csv"
CODINGS = ROOT / "corpora" / "codings"


@pytest.fixture(params=ENGINES)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty project: what a user types for it (a path, or a URL)."""
    for location in engine_location(request, tmp_path):
        yield str(location)


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    """Run ``qualcode`` with the given environment (QUALCODE_PROJECT unset unless given)."""
    environment = {"QUALCODE_PROJECT": ""} | (env or {})
    return CliRunner(env=environment).invoke(main, [str(a) for a in args])


def ok(*args: object, env: dict[str, str] | None = None) -> str:
    done = run(*args, env=env)
    assert done.exit_code == 0, (args, done.output)
    return done.output


def flat(output: str) -> str:
    """The output with its line wrapping undone."""
    return " ".join(output.split())


def test_project_option_fills_project_before_the_other_arguments(project: str) -> None:
    """``--project`` anywhere on the line; FILE keeps its place after PROJECT."""
    ok("codebook", "import", CODEBOOK, "--project", project)
    ok("import", f"--project={project}", CORPUS)
    ok("codings", "import", "--project", project, CODINGS / "metasynthesis_alice.csv",
       "--coder", "alice")
    status = ok("status", "--project", project)
    assert "174 sources" in flat(status) and "1 coder" in flat(status)
    assert ok("status", project) == status  # the argument works as before


def test_project_option_may_come_before_the_command_name(project: str) -> None:
    """``qualcode --project P status`` and ``codebook --project P add NAME``, as git's
    ``-C`` comes first: each group passes it on to its command."""
    ok("--project", project, "codebook", "add", "Listening")
    ok("codebook", f"--project={project}", "add", "Empathy")
    shown = ok("--project", project, "codebook", "show")
    assert "Listening" in shown and "Empathy" in shown
    assert ok("--project", project, "status") == ok("status", project)


@pytest.mark.parametrize(("args", "said"), [
    (["--project", "p.qualcode", "demo", "--force"], "before 'demo' is not taken"),
    (["--project", "p.qualcode"], "no command after it"),
    (["--project"], "needs a project after it"),
    (["--project", "--", "status"], "needs a project after it"),
])
def test_a_project_option_before_the_command_that_cannot_apply_is_refused(
        tmp_path: Path, args: list[str], said: str) -> None:
    """Never a rebuild of the project named before ``demo`` (a shell alias holding
    ``--project`` must not reach it), and a ``--project`` with no value or no command is
    one usage line, exit 2; nothing is created."""
    done = CliRunner().invoke(main, args, catch_exceptions=False)
    assert done.exit_code == 2 and said in done.output, done.output
    assert not (tmp_path / "p.qualcode").exists() and not Path("p.qualcode").exists()


def test_help_and_version_still_show_after_a_leading_project_option() -> None:
    assert "COMMAND [ARGS]" in ok("--project", "p.qualcode", "--help")
    assert "version" in ok("--project", "p.qualcode", "--version")


def test_the_environment_variable_names_the_project_left_out(project: str) -> None:
    """QUALCODE_PROJECT fills PROJECT only when the line leaves it out."""
    env = {"QUALCODE_PROJECT": project}
    ok("codebook", "import", CODEBOOK, env=env)
    ok("import", CORPUS, env=env)
    for coder in ("alice", "bob"):
        ok("codings", "import", CODINGS / f"metasynthesis_{coder}.csv", "--coder", coder,
           env=env)
    assert "2 coders" in flat(ok("status", env=env))
    by_option = ok("agreement", "--coders", "alice", "bob", "--format", "json", env=env)
    by_words = ok("agreement", "alice", "bob", "--format", "json", env=env)
    named = ok("agreement", project, "alice", "bob", "--format", "json", env=env)
    assert by_option == by_words == named
    assert '"kappa"' in named


def test_an_argument_wins_over_the_environment(project: str, tmp_path: Path) -> None:
    """A PROJECT typed on the line is used even when QUALCODE_PROJECT names another."""
    other = tmp_path / "other.qualcode"
    ok("init", other)
    ok("import", project, CORPUS, env={"QUALCODE_PROJECT": str(other)})
    assert "0 sources" in flat(ok("status", other))
    assert "174 sources" in flat(ok("status", env={"QUALCODE_PROJECT": project}))


def test_no_project_anywhere_says_the_three_ways(tmp_path: Path) -> None:
    done = run("status")
    assert done.exit_code == 2
    assert "Give it as an argument, with --project, or in QUALCODE_PROJECT." in done.output
    done = run("status", "--project")
    assert done.exit_code == 2 and "requires an argument" in done.output


def test_help_names_the_option_and_the_variable() -> None:
    shown = ok("export", "themes", "--help")
    assert "--project PROJECT" in shown and "QUALCODE_PROJECT" in shown
    assert "--project" not in ok("stats", "--help")  # stats reads a table, not a project


def test_demo_never_takes_the_project_in_use_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``demo --force`` with QUALCODE_PROJECT set rebuilds demo.qualcode, not that project."""
    study = tmp_path / "study.qualcode"
    ok("init", study)
    ok("import", study, CORPUS)
    monkeypatch.chdir(tmp_path)
    ok("demo", "--force", "--data", ROOT, env={"QUALCODE_PROJECT": str(study)})
    assert (tmp_path / "demo.qualcode").exists()
    assert "174 sources" in flat(ok("status", study))
    assert "--project PROJECT" in ok("demo", "--help")
