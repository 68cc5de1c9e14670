"""The user guide's commands are run, in order, on a fresh demo project (issue 13, item 6).

The README promises that "every command below was run as written on the demo project";
this test makes that a checked fact. What is run, and how:

- **Which lines.** Every line of every ```sh block after the "## User guide" heading, in
  the order of the README, in one temporary folder, after the commands `make demo` runs
  to build the demo projects (read from the Makefile's ``demo`` recipe).
- **Lines that are not `qualcode ...`** (``make``, ``python3 -m venv``, ``source``,
  ``.venv/bin/python -m pytest``) install qualcode, activate its environment or run this
  very suite: they are not run. Their first word must be in :data:`SETUP_PROGRAMS`, so a
  new kind of line (a ``cp`` that an example depends on, say) fails here until it is
  either run or added to that list on purpose.
- **Commands that open the terminal UI** (:data:`INTERACTIVE`: ``qualcode code``,
  ``qualcode adjudicate``, which have no non-interactive mode) are not run; the Pilot tests
  in ``tests/tui/`` drive those screens. A guard test checks that list against the
  commands whose code imports ``qualcode.tui``. Later lines need the consensus layer an
  adjudicator writes, so each ``qualcode adjudicate`` line is stood in for by the screen's
  Textual-free session (same options, same new-coder rule) doing what the README tells
  the adjudicator: ``g`` (copy the agreed units), then ``a`` on every disputed unit.
- **How.** A plain `qualcode ...` line runs in this process through click's
  :class:`~click.testing.CliRunner` (fast), with the working directory changed to the
  folder. A line with shell syntax (a pipe, a redirection, ``;``, ``&&``, ``$``, a
  backtick, ``cd``, or a leading ``NAME=value``) runs as ``bash -c LINE`` in the same
  folder, with this environment's ``qualcode`` first on ``PATH``.
- **Expected status.** A command exits 0, except one whose comment starts with
  ``stops`` (``# stops: both changed it``): the README shows it refused, so it must exit 1
  with one ``Error:`` line and no traceback.
- **Files.** ``corpora/`` and ``codebooks/`` (the demo's data) are copied into the folder,
  and so is every other relative path a command names that exists in the repository
  (``tests/data/stats/...``). A file the README shows inline, as a code block right after
  a line ending in ```NAME`:`` ("With `ratings.csv`:"), is written to NAME before the
  first command that names it. Every other file a command reads must be written by an
  earlier command. No command names an absolute path (``-o /tmp/x``), so the run writes
  nothing outside its folder.
- **Shown output.** A ```text block shows what the commands of the ```sh block before
  it print, in a terminal 100 columns wide (:data:`TERMINAL`): each of its lines must be a
  line one of them printed (trailing blanks cut; a backup's UTC time, a file's size and
  GUIDs, which differ from run to run, masked). A plain ``` block is an illustration (a
  file's content, an example error) and is not compared. A fenced block inside a list
  item (indented) counts like any other.
"""

from __future__ import annotations

import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from qualcode.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
USER_GUIDE_HEADING = "## User guide"
DEMO_DATA = ("corpora", "codebooks")
"""Folders `qualcode demo` reads from the working directory (see interchange/demo.py)."""
SETUP_PROGRAMS = frozenset({"make", "python3", "source", ".venv/bin/python", "pip"})
"""First words of user-guide lines that set qualcode up or test it: never run here."""
SERVER_PROGRAMS = frozenset({"initdb", "pg_ctl", "createuser", "createdb"})
"""First words of lines that start a PostgreSQL server: the session's throwaway server
(``pg_server_url``) stands in for them, and each ``postgresql://...`` URL of a line that
is run is pointed at it (its ``?project=`` kept); the grants the README shows are run by
tests/test_server_grants.py."""
SERVER_URL = re.compile(r"postgresql://[^\s\"']*")
SERVER: dict[str, str] = {}
SERVER_BASE: list[str] = []
"""The throwaway server's URL while the user guide runs (empty: no server, lines naming
one are left out with the reason)."""
ENVIRONMENT_PROGRAMS = frozenset({"export", "unset"})
"""First words of lines that set or clear an environment variable (``QUALCODE_PROJECT``)
for the lines after them: done in this process, undone when the test ends."""
INTERACTIVE = frozenset({("code",), ("adjudicate",)})
"""Commands that open the Textual UI (driven by the Pilot tests in tests/tui/ instead)."""
TERMINAL = {"COLUMNS": "100"}
"""The terminal width the README's ```text outputs were printed at (rich tables wrap)."""
SHELL_SYNTAX = re.compile(r"[|<>;&$`]|^\s*cd\s|^\s*[A-Za-z_][A-Za-z0-9_]*=")
"""What makes a line need a real shell: pipes, redirections, lists, variables, cd."""
REFUSED_MARK = "stops"
"""How a command's comment begins when the README shows it refused (exit status 1)."""


@dataclass(frozen=True, slots=True)
class ReadmeLine:
    """One line of a ```sh block: where it is, what runs, and its comment."""

    number: int
    command: str
    comment: str

    def __str__(self) -> str:
        """How a failure names the line: ``README.md line N: COMMAND``."""
        return f"README.md line {self.number}: {self.command}"


def split_comment(line: str) -> tuple[str, str]:
    """The command and its trailing comment (a ``#`` that starts a shell word)."""
    # Walk the line by hand: a '#' begins a comment only outside quotes, after whitespace.
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].strip(), line[index + 1:].strip()
    return line.strip(), ""


@dataclass(frozen=True, slots=True)
class Block:
    """A fenced block of the user guide: its language, first line's number and lines."""

    language: str
    number: int
    lines: tuple[str, ...]


def user_guide_blocks(text: str) -> list[Block]:
    """The fenced blocks after the user guide's heading (one in a list item dedented)."""
    blocks: list[Block] = []
    in_guide = False
    opening: tuple[int, str, str] | None = None  # line index, indentation, language
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("## "):
            in_guide = line.strip() == USER_GUIDE_HEADING
        if not line.lstrip().startswith("```"):
            continue
        if opening is None:
            indent = line[:len(line) - len(line.lstrip())]
            opening = (index, indent, line.strip()[3:])
            continue
        start, indent, language = opening
        opening = None
        if in_guide:
            body = tuple(text_line.removeprefix(indent) for text_line in lines[start + 1:index])
            blocks.append(Block(language, start + 2, body))
    return blocks


def user_guide_lines(text: str) -> list[ReadmeLine]:
    """Every non-blank line of the ```sh blocks after the user guide's heading."""
    lines: list[ReadmeLine] = []
    for block in user_guide_blocks(text):
        for offset, line in enumerate(block.lines if block.language == "sh" else ()):
            command, comment = split_comment(line)
            if command:
                lines.append(ReadmeLine(block.number + offset, command, comment))
    return lines


def inline_files(text: str) -> dict[str, str]:
    """Files the README shows whole: a code block right after a line ending in `NAME`:."""
    found = re.finditer(r"`(\w[\w.-]*)`:\n\n```(?!sh)[a-z]*\n(.*?)```", text, re.S)
    return {match.group(1): match.group(2) for match in found}


def make_demo_commands() -> list[list[str]]:
    """The `qualcode ...` commands of the Makefile's ``demo`` recipe, variables filled in."""
    makefile = MAKEFILE.read_text(encoding="utf-8")
    variables = dict(re.findall(r"^(\w+)\s*:=\s*(\S+)", makefile, re.M))
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile lost its demo target"
    commands = []
    for line in recipe.group(1).splitlines():
        line = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), line)
        words = shlex.split(line)
        if words and words[0].endswith("/qualcode"):
            commands.append(words[1:])
    return commands


def command_path(args: list[str]) -> tuple[str, ...]:
    """The (sub)command words at the start of an argument list."""
    group: click.Command = main
    path: list[str] = []
    for word in args:
        commands = getattr(group, "commands", None)
        if not commands or word not in commands:
            break
        path.append(word)
        group = commands[word]
    return tuple(path)


def is_interactive(args: list[str]) -> bool:
    """Whether the command opens the terminal UI."""
    return command_path(args)[:1] in INTERACTIVE


def copy_repository_files(args: list[str], folder: Path) -> None:
    """Copy into ``folder`` each relative path in ``args`` that names a repository file."""
    for word in args:
        if "/" not in word or word.startswith("/"):
            continue
        source = ROOT / word
        target = folder / word
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def run_in_process(args: list[str]) -> tuple[int, str]:
    """Run a qualcode command with click's runner; its exit code and all it printed."""
    result = CliRunner(env=TERMINAL).invoke(main, args, prog_name="qualcode")
    output = result.output  # click >= 8.2: stdout and stderr interleaved
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"raised {result.exception!r}\n{output}") from result.exception
    return result.exit_code, output


def run_in_shell(command: str, folder: Path) -> tuple[int, str]:
    """Run a line with shell syntax in bash, this environment's ``qualcode`` first on PATH."""
    environment = {**os.environ, **TERMINAL}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    done = subprocess.run(["bash", "-c", command], cwd=folder, env=environment,
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stdout + done.stderr


@dataclass(frozen=True, slots=True)
class ShownOutput:
    """A ```text block: what the ```sh block before it prints (README line numbers: that
    block's commands, and the output's first line)."""

    commands: range
    number: int
    lines: tuple[str, ...]


def shown_outputs(text: str) -> list[ShownOutput]:
    """Every user-guide ```text block, with the ```sh block before it."""
    shown: list[ShownOutput] = []
    commands = range(0)
    for block in user_guide_blocks(text):
        if block.language == "sh":
            commands = range(block.number, block.number + len(block.lines))
        elif block.language == "text":
            shown.append(ShownOutput(commands, block.number, block.lines))
    return shown


VARYING = ((re.compile(r"\d{8}T\d{6}\.\d+Z"), "<UTC time>"),
           (re.compile(r"\(\d[\d,]* bytes\)"), "(<size> bytes)"),
           (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
            "<GUID>"))
"""What differs from run to run in a shown output: a backup's time, a file's size, a GUID
(each project built gets its own)."""


def comparable(line: str) -> str:
    """A printed or shown line with times and sizes masked and trailing blanks cut."""
    for pattern, mask in VARYING:
        line = pattern.sub(mask, line)
    return line.rstrip()


def lines_not_printed(shown: ShownOutput, printed: str) -> list[str]:
    """The lines of a shown output that the commands before it did not print."""
    seen = {comparable(line) for line in printed.splitlines()}
    return [f"README.md line {shown.number + offset}: {line}"
            for offset, line in enumerate(shown.lines)
            if line.strip() and comparable(line) not in seen]


def run_line(line: ReadmeLine, folder: Path, files: dict[str, str]) -> str:
    """Run one README line in ``folder`` and return what it printed; fail naming the line
    when its exit status is not what the README says."""
    args = [on_test_server(word) for word in shlex.split(line.command)]
    outside = [word for word in args if word.startswith(("/", "~"))]
    assert not outside, f"{line}: write a relative path, not {outside[0]} (runs stay in a folder)"
    for name, content in files.items():
        if name in args and not (folder / name).exists():
            (folder / name).write_text(content, encoding="utf-8")
    copy_repository_files(args, folder)
    if args[0] in ENVIRONMENT_PROGRAMS:
        set_environment(args)
        return ""
    stand_in = STAND_INS.get(command_path(args[1:])[:1]) if args[0] == "qualcode" else None
    if stand_in is not None:
        stand_in(args[1:])
        return ""
    if SHELL_SYNTAX.search(line.command):
        status, output = run_in_shell(on_test_server(line.command), folder)
    else:
        status, output = run_in_process(args[1:])
    refused = line.comment.startswith(REFUSED_MARK)
    if refused:
        errors = [text for text in output.splitlines() if text.startswith("Error:")]
        assert status == 1 and len(errors) == 1 and "Traceback" not in output, (
            f"{line} should stop with one Error: line (its comment says so) but exited "
            f"{status}:\n{output}")
    else:
        assert status == 0, f"{line} exited {status}:\n{output}"
    return output


def set_environment(args: list[str]) -> None:
    """Do what ``export NAME=VALUE`` or ``unset NAME`` does to the lines after it."""
    for word in args[1:]:
        name, _, value = word.partition("=")
        if args[0] == "export":
            os.environ[name] = value
        else:
            os.environ.pop(name, None)


def on_test_server(text: str) -> str:
    """Point every ``postgresql://`` URL in ``text`` at the throwaway server, keeping its
    query (``?project=NAME``)."""
    def point(match: re.Match[str]) -> str:
        query = match.group(0).partition("?")[2]
        base = SERVER["url"]
        return f"{base}{'&' if '?' in base else '?'}{query}" if query else base

    return SERVER_URL.sub(point, text) if SERVER else text


def adjudicate_as_the_readme_says(args: list[str]) -> None:
    """Stand in for ``qualcode adjudicate ARGS``: press g, then a on each disputed unit."""
    from qualcode.cli.coders import check_new_coder
    from qualcode.storage import Store
    from qualcode.tui.adjudication_session import AdjudicationSession

    command = main.commands["adjudicate"]
    options = command.make_context("adjudicate", list(args[1:])).params
    store = Store.open(options["project"])
    try:
        check_new_coder(store, options["adjudicator"], new_coder=options["new_coder"])
        session = AdjudicationSession(store, options["adjudicator"], *options["coders"],
                                      level=options["level"], unit=options["unit"],
                                      group_by=options["group_by"])
        session.copy_agreed()
        for index, unit in enumerate(session.units):
            session.index = index
            if not session.is_settled(unit):
                session.decide("a")
    finally:
        store.close()


STAND_INS: dict[tuple[str, ...], Callable[[list[str]], None]] = {
    ("adjudicate",): adjudicate_as_the_readme_says}
"""What the test does in place of an interactive line whose result later lines use."""


def runnable(lines: list[ReadmeLine]) -> tuple[list[ReadmeLine], list[ReadmeLine]]:
    """The user-guide lines this test runs (or stands in for), and those it leaves out."""
    run, skipped = [], []
    for line in lines:
        words = shlex.split(line.command)
        needs_server = "postgresql://" in line.command and not SERVER
        if words[0] in ENVIRONMENT_PROGRAMS and not needs_server:
            run.append(line)
        elif words[0] == "qualcode" and not needs_server and (
                not is_interactive(words[1:]) or command_path(words[1:])[:1] in STAND_INS):
            run.append(line)
        else:
            skipped.append(line)
    return run, skipped


def test_every_user_guide_line_is_run_or_left_out_by_a_rule() -> None:
    """A line is run, opens the TUI, or sets qualcode up; nothing else is passed over."""
    lines = user_guide_lines(README.read_text(encoding="utf-8"))
    run, skipped = runnable(lines)
    assert len(run) > 60, "the user guide lost its commands, or the parser lost the blocks"
    for line in skipped:
        first = shlex.split(line.command)[0]
        assert first in SETUP_PROGRAMS | SERVER_PROGRAMS | ENVIRONMENT_PROGRAMS or (
            first == "qualcode"), (
            f"{line}: neither a qualcode command nor a set-up line; run it in this test "
            "or add its program to SETUP_PROGRAMS")


def test_the_interactive_commands_are_those_that_open_textual() -> None:
    """INTERACTIVE names exactly the commands whose code imports the TUI."""
    opening = {(name,) for name, command in main.commands.items()
               if command.callback and "qualcode.tui" in inspect.getsource(command.callback)}
    assert opening == INTERACTIVE


def test_parsing_rules(tmp_path: Path) -> None:
    """Comments, inline files, the refusal mark and shell lines work as documented."""
    text = ("intro\n## User guide\nWith `r.csv`:\n\n```\nid,a\nq1,2\n```\n\n```sh\n"
            "qualcode --help   # stops: never\n"
            "qualcode codebook add p \"A # b\" --coder x  # a comment\n"
            "qualcode --version | head -1 > version.txt\n```\n## Other\n```sh\nqualcode x\n```\n")
    lines = user_guide_lines(text)
    assert [(line.number, line.command, line.comment) for line in lines] == [
        (11, "qualcode --help", "stops: never"),
        (12, 'qualcode codebook add p "A # b" --coder x', "a comment"),
        (13, "qualcode --version | head -1 > version.txt", ""),
    ]
    assert inline_files(text) == {"r.csv": "id,a\nq1,2\n"}
    with pytest.raises(AssertionError, match="line 11: qualcode --help should stop"):
        run_line(lines[0], tmp_path, {})
    run_line(lines[2], tmp_path, {})
    assert (tmp_path / "version.txt").read_text().startswith("qualcode")


def test_shown_outputs_are_compared_line_by_line() -> None:
    """A text block is the output of the sh block before it; times and sizes are masked."""
    text = ("## User guide\n```sh\nqualcode backup p\n```\nprose\n\n```text\n"
            "Backed up p to p.backups/20261122T084606.690494Z-manual.qualcode (368,640 bytes).\n"
            "```\n\n```sh\nqualcode check p\n```\nprose\n```\nnot an output\n```\n")
    [shown] = shown_outputs(text)
    assert (list(shown.commands), shown.number) == ([3], 8)
    printed = "Backed up p to p.backups/20270101T000000.1Z-manual.qualcode (1 bytes).   \n"
    assert lines_not_printed(shown, printed) == []
    assert lines_not_printed(shown, printed.replace("Backed up p", "Copied p")) == [
        f"README.md line 8: {shown.lines[0]}"]


def test_user_guide_commands_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          request: pytest.FixtureRequest) -> None:
    """Every runnable user-guide command, in README order, exits as the README says."""
    text = README.read_text(encoding="utf-8")
    try:
        monkeypatch.setitem(SERVER, "url", request.getfixturevalue("pg_server_url"))
    except pytest.skip.Exception as why:  # no server here: its lines are left out, said
        print(f"lines naming a PostgreSQL server left out: {why}")
    else:  # the server outlives this test: drop the projects the README made on it
        from helpers.store_engines import drop_project

        for name in sorted(set(re.findall(r"postgresql://\S*?[?&]project=(\w+)", text))):
            request.addfinalizer(lambda name=name: drop_project(SERVER_BASE[0], name))
        SERVER_BASE[:] = [SERVER["url"]]
    for line in user_guide_lines(text):  # what the README exports is undone at the end
        if line.command.startswith(tuple(ENVIRONMENT_PROGRAMS)):
            for word in shlex.split(line.command)[1:]:
                monkeypatch.delenv(word.partition("=")[0], raising=False)
    for folder in DEMO_DATA:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    for args in make_demo_commands():
        if not is_interactive(args):
            status, output = run_in_process(args)
            assert status == 0, f"Makefile demo recipe: qualcode {shlex.join(args)}:\n{output}"
    run, _ = runnable(user_guide_lines(text))
    files = inline_files(text)
    printed = {line.number: run_line(line, tmp_path, files) for line in run}
    for shown in shown_outputs(text):
        output = "\n".join(printed[number] for number in shown.commands if number in printed)
        assert output, f"README.md line {shown.number}: an output shown after no command run"
        missing = lines_not_printed(shown, output)
        assert not missing, ("shown in the README but not printed by the commands above it:\n"
                             + "\n".join(missing))
