"""``qualcode export themes|matrix|cooccurrence|chart`` from the shell."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html
from openpyxl import load_workbook

from helpers.store_engines import ENGINES, engine_location
from helpers.theme_project import build_project
from qualcode.cli import main
from qualcode.storage import Store


@pytest.fixture(params=ENGINES)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """The test project, as a file and on a server (helpers.store_engines)."""
    for path in engine_location(request, tmp_path, "study.qualcode"):
        with Store.open(path) as store:
            build_project(store)
        yield path


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_themes_markdown_on_stdout_by_default(project: Path) -> None:
    code, out, err = run("export", "themes", project)
    assert code == 0, err
    assert out.startswith("| Theme / sub-theme / code | Definition | Contributing studies |")
    assert "| Kappa (95% CI) |" in out.splitlines()[0]  # two coders did units: automatic


@pytest.mark.parametrize("suffix", [".md", ".csv", ".xlsx", ".html", ".tex"])
def test_format_follows_the_output_suffix(project: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"themes{suffix}"
    code, _, err = run("export", "themes", project, "--layer", "alice", "--study-label",
                       "author_year", "-o", out)
    assert code == 0, err
    assert f"Wrote {out}" in err
    if suffix == ".xlsx":
        assert load_workbook(out).active["A1"].value == "Theme / sub-theme / code"
    elif suffix == ".csv":
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert rows[0][:3] == ["level", "path", "Theme / sub-theme / code"]
    elif suffix == ".html":
        assert lxml_html.fromstring(out.read_text(encoding="utf-8")).xpath("//table")
    elif suffix == ".tex":
        assert r"\begin{longtable}" in out.read_text(encoding="utf-8")
    else:
        assert out.read_text(encoding="utf-8").startswith("| Theme")


def test_explicit_format_and_options(project: Path) -> None:
    code, out, err = run("export", "themes", project, "--format", "csv", "--quotes", "0",
                         "--no-studies", "--no-kappa")
    assert code == 0, err
    assert next(csv.reader(io.StringIO(out))) == ["level", "path", "Theme / sub-theme / code",
                                                  "Definition", "No. of units"]
    code, out, _ = run("export", "themes", project, "--format", "csv", "--kappa-coders",
                       "alice", "bob", "--quotes", "1")
    assert code == 0
    assert next(csv.reader(io.StringIO(out)))[-3:] == ["Kappa", "Kappa CI low", "Kappa CI high"]


@pytest.mark.parametrize("args,message", [
    (["--layer", "lead"], "coder 'lead' has no codings"),
    (["--layer", "zoe"], "no coder named 'zoe'"),
    (["--format", "xlsx"], "binary format; name a file with -o"),
    (["-o", "out.txt"], "cannot tell the format from the suffix '.txt'"),
    (["--study-field", "trial"], "no source has a metadata field 'trial'"),
])
def test_mistakes_are_one_line_errors(project: Path, args: list[str], message: str) -> None:
    code, out, err = run("export", "themes", project, *args)
    assert code == 1
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_failed_export_leaves_the_old_file(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "themes.md"
    out.write_text("keep me", encoding="utf-8")
    code, _, _ = run("export", "themes", project, "--layer", "zoe", "-o", out)
    assert code == 1
    assert out.read_text(encoding="utf-8") == "keep me"
    beside = ["themes.md"] if project.parent != tmp_path else ["study.qualcode", "themes.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == beside  # no stray temporary file


def test_matrix_and_cooccurrence(project: Path, tmp_path: Path) -> None:
    code, out, err = run("export", "matrix", project, "--rows", "theme", "--cols", "study",
                         "--study-label", "author_year")
    assert code == 0, err
    assert out.splitlines()[0] == ("| Theme | Torppa 2008 | Kjeldmand 2008 | Olds 2019 | "
                                   "Ng 2022 | No. of studies |")
    code, out, err = run("export", "matrix", project, "--rows", "code", "--cols", "coder",
                         "--count", "--format", "csv")
    assert code == 0, err
    assert next(csv.reader(io.StringIO(out)))[2:] == ["Theme / sub-theme / code", "alice",
                                                      "bob", "consensus"]
    out_file = tmp_path / "co.xlsx"
    code, _, err = run("export", "cooccurrence", project, "--level", "theme", "-o", out_file)
    assert code == 0, err
    sheet = load_workbook(out_file).active
    assert [c.value for c in sheet[1]] == ["Theme", "Relationship", "Challenges", "Unused"]


def test_chart_writes_svg_and_png(project: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    svg, png = tmp_path / "f.svg", tmp_path / "k.png"
    code, _, err = run("export", "chart", project, "--kind", "frequencies", "--layer", "alice",
                       "--layer", "bob", "-o", svg)
    assert code == 0, err
    assert svg.read_bytes().lstrip().startswith(b"<?xml")
    code, _, err = run("export", "chart", project, "--kind", "kappa", "--dpi", "72", "-o", png)
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run("export", "chart", project, "--kind", "kappa", "-o", tmp_path / "k.pdf")
    assert code == 1 and ".svg or .png" in err


def test_importing_the_cli_loads_no_plotting_or_spreadsheet_library() -> None:
    code = ("import sys, qualcode.cli; "
            "print(sorted(m for m in ('matplotlib', 'openpyxl', 'lxml') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
