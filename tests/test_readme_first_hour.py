"""The README as a new user follows it (issue 17, item 7): the command is found after
``pip install .``, projects are copied safely, and the demo examples run after ``make demo``."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from qualcode.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_lines() -> list[str]:
    """Every line of the README's ```sh blocks, comments cut off."""
    return [line.split("  #")[0].strip()
            for block in re.findall(r"```sh\n(.*?)```", README, re.S)
            for line in block.splitlines() if line.strip()]


def built_by_make_demo() -> set[str]:
    """The project files `make demo` builds (the Makefile's DEMO and DEMO_SURVEY)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^DEMO(?:_SURVEY)?\s*:=\s*(\S+)", makefile, re.M))


def test_the_install_block_says_how_to_reach_the_command() -> None:
    block = README.split("### Install", 1)[1].split("<!-- section:", 1)[0]
    assert "pip install ." in block
    assert "source .venv/bin/activate" in block and ".venv/bin/qualcode" in block


def test_no_example_copies_a_project_with_cp() -> None:
    copies = [line for line in shell_lines()
              if re.match(r"(cp|copy|rsync)\s", line) and ".qualcode" in line]
    assert copies == [], "copy projects with qualcode backup PROJECT -o COPY"
    assert "qualcode backup demo.qualcode -o bob.qualcode" in README


def test_demo_examples_run_after_make_demo() -> None:
    """A `qualcode demo` line on a file `make demo` already built must say --keep or --force
    (without either it is refused); the same goes for the command's own --help."""
    built = built_by_make_demo()
    assert built == {"demo.qualcode", "demo-survey.qualcode"}
    lines = [shlex.split(line)[1:] for line in shell_lines() if line.startswith("qualcode demo ")]
    help_text = CliRunner().invoke(main, ["demo", "--help"]).output
    lines += [shlex.split(line.strip())[1:] for line in help_text.splitlines()
              if line.strip().startswith("qualcode demo ")]
    assert lines
    for args in lines:
        if args[1] in built:
            assert {"--keep", "--force"} & set(args), f"fails after make demo: {args}"

