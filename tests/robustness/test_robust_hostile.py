"""Hostile and malformed input: every bad file gets one clear line and changes nothing.

The committed corpus is ``tests/data/hostile/<importer>/`` (see its README.md); files
too big or too dangerous to commit (a 100 MB field, a ZIP bomb, symlink loops) are
generated in a temporary folder. For each: the CLI exits 1, stderr is exactly one line
naming the file, no exception escapes, and the project file and its -wal have the same
sha256 before and after (checkpointed first). New importers: see robust_harness.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.robust_harness import (
    GENERATED,
    HOSTILE,
    IMPORTERS,
    digest,
    make_project,
    one_line_error,
    run_cli,
)

COMMITTED = [(importer, path) for importer in IMPORTERS if (HOSTILE / importer).is_dir()
             for path in sorted((HOSTILE / importer).iterdir()) if path.is_file()]
TOLERATED = [(importer, path) for importer in IMPORTERS
             if (HOSTILE / "tolerated" / importer).is_dir()
             for path in sorted((HOSTILE / "tolerated" / importer).iterdir())]
"""Files an importer accepts by design, leaving out what is wrong and saying so (REFI-QDA
files from other tools: a selection past the end of its text, a missing source file...)."""

KNOWN_ISSUES: dict[str, str] = {}


def _id(importer: str, path: Path) -> str:
    return f"{importer}/{path.name}"


def _marks(importer: str, path: Path) -> list[pytest.MarkDecorator]:
    reason = KNOWN_ISSUES.get(_id(importer, path))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small project, copied for each case so every case starts from the same bytes."""
    return make_project(tmp_path_factory.mktemp("hostile") / "base.qualcode")


def _assert_refused_cleanly(base: Path, tmp_path: Path, importer: str, bad: Path) -> None:
    project = tmp_path / "study.qualcode"
    shutil.copy(base, project)
    if bad.is_file():  # a copy: opening a bad project file in place would leave -wal/-shm
        (tmp_path / "input").mkdir(exist_ok=True)
        bad = Path(shutil.copy(bad, tmp_path / "input" / bad.name))
    before = digest(project)
    run = run_cli(IMPORTERS[importer](project, bad))
    problem = one_line_error(run, bad)
    assert problem is None, f"{importer} {bad.name}: {problem}"
    assert digest(project) == before, f"{importer} {bad.name} changed the project"


def test_the_corpus_is_big_enough() -> None:
    generated = sum(len(makers) for makers in GENERATED.values())
    assert len(COMMITTED) >= 30 and len(COMMITTED) + generated >= 35
    assert {importer for importer, _ in COMMITTED} >= {"corpus", "codebook", "codings"}


@pytest.mark.parametrize(("importer", "bad"), [
    pytest.param(i, p, id=_id(i, p), marks=_marks(i, p)) for i, p in COMMITTED])
def test_committed_bad_file(base_project: Path, tmp_path: Path, importer: str, bad: Path) -> None:
    _assert_refused_cleanly(base_project, tmp_path, importer, bad)


GENERATED_CASES = [(importer, maker) for importer, makers in GENERATED.items()
                   if importer in IMPORTERS for maker in makers]


@pytest.mark.parametrize(("importer", "maker"), GENERATED_CASES,
                         ids=[f"{i}/{m.__name__}" for i, m in GENERATED_CASES])
def test_generated_bad_file(base_project: Path, tmp_path: Path, importer: str, maker) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    made = maker(folder)
    for bad in made if isinstance(made, list) else [made]:
        _assert_refused_cleanly(base_project, tmp_path, importer, bad)
        (tmp_path / "study.qualcode").unlink()


@pytest.mark.parametrize(("importer", "odd"), TOLERATED, ids=[_id(i, p) for i, p in TOLERATED])
def test_tolerated_file_leaves_out_what_is_wrong(base_project: Path, tmp_path: Path,
                                                  importer: str, odd: Path) -> None:
    """Accepted (what was left out is listed on stdout), and nothing broken lands in the
    file (no coding outside its text, no orphan): `qualcode check` stays clean."""
    from qualcode.storage.check import check_project

    project = tmp_path / "study.qualcode"
    shutil.copy(base_project, project)
    odd = Path(shutil.copy(odd, tmp_path / odd.name))
    run = run_cli(IMPORTERS[importer](project, odd))
    assert run.exception is None and run.exit_code == 0, run.stderr
    assert odd.name in run.stdout
    assert check_project(project) == []


@pytest.mark.parametrize(("importer", "control"), [("qdpx", "control.qdpx"),
                                                   ("qdc", "control.qdc")])
def test_controls_are_accepted(base_project: Path, tmp_path: Path, importer: str,
                               control: str) -> None:
    """The valid files the REFI-QDA hostile files were cut from import cleanly: the refusals
    above come from what was broken, not from the template."""
    from qualcode.storage.check import check_project

    project = tmp_path / "study.qualcode"
    shutil.copy(base_project, project)
    run = run_cli(IMPORTERS[importer](project, HOSTILE / "controls" / control))
    assert run.exit_code == 0 and run.exception is None, run.stderr
    assert check_project(project) == []


def test_yaml_tags_run_nothing(base_project: Path, tmp_path: Path) -> None:
    """The !!python/object file would create this marker if its tag were honoured."""
    marker = Path("/tmp/qualcode-pwned")
    marker.unlink(missing_ok=True)
    _assert_refused_cleanly(base_project, tmp_path, "codebook",
                            HOSTILE / "codebook" / "python_object_tag.yaml")
    assert not marker.exists()


@pytest.mark.parametrize("bad", ["corpus/lone_surrogate.jsonl", "codebook/billion_laughs.yaml",
                                 "codings/huge_offset.csv"])
def test_real_process_prints_one_line(base_project: Path, tmp_path: Path, bad: str) -> None:
    """The same through a real `python -m qualcode` process: exit 1, one line, no traceback."""
    project = tmp_path / "study.qualcode"
    shutil.copy(base_project, project)
    before = digest(project)
    importer, _ = bad.split("/")
    args = IMPORTERS[importer](project, HOSTILE / bad)
    done = subprocess.run([sys.executable, "-m", "qualcode", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and Path(bad).name in lines[0] and lines[0].startswith("Error: ")
    assert digest(project) == before
