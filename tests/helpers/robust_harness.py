"""Shared machinery of the robustness tests: projects, checksums, CLI runs, importers.

To cover a new importer add ONE entry to :data:`IMPORTERS` (how to call the CLI on a file), put its
bad files in ``tests/data/hostile/<entry name>/``, and, if it needs generated files (ZIP slip, ZIP
bomb), one entry to :data:`GENERATED`. The hostile, fuzz and crash tests pick it up.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "hostile"

Args = Callable[[Path, Path], list[str]]
IMPORTERS: dict[str, Args] = {
    # name (= folder under tests/data/hostile) -> qualcode arguments for (project, file)
    "corpus": lambda project, file: ["import", str(project), str(file)],
    "codebook": lambda project, file: ["codebook", "import", str(project), str(file)],
    "codings": lambda project, file: ["codings", "import", str(project), str(file),
                                      "--coder", "mallory"],
    # `qualcode stats` reads a ratings table without a project (the project is a bystander).
    "stats": lambda project, file: ["stats", str(file)],
    # REFI-QDA: a .qdc codebook, a .qdpx project, and merging another file into the project.
    "qdc": lambda project, file: ["codebook", "import", str(project), str(file)],
    "qdpx": lambda project, file: ["import", str(project), str(file)],
    "merge": lambda project, file: ["merge", str(project), str(file)],
}


def make_project(path: Path, *, units: int = 3) -> Path:
    """A closed project: sources r1..rN, theme Communication > Listening (l), Time pressure (t)."""
    texts = ["The group helped me listen to patients.",
             "Sessions were too long after a night shift. \U0001F634",
             "Nothing to add."]
    with Store.create(path) as store:
        store.import_sources(SourceRecord(f"r{i + 1}", texts[i % 3] + (f" ({i})" if i >= 3 else ""),
                                          metadata={"study": f"S{i % 4:02d}"})
                             for i in range(units))
        theme = store.add_code("Communication", kind=CodeKind.THEME, colour="#1F77B4")
        store.add_code("Listening", parent_id=theme.id, shortcut="l")
        store.add_code("Time pressure", shortcut="t")
        store.coder("alice")
    return path


def digest(project: Path) -> str:
    """sha256 of the project file and its -wal (after a checkpoint), for before/after checks."""
    conn = sqlite3.connect(project)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    sha = hashlib.sha256()
    for path in (project, project.with_name(project.name + "-wal")):
        sha.update(path.name.encode())
        sha.update(path.read_bytes() if path.exists() else b"<absent>")
    return sha.hexdigest()


@dataclass(frozen=True)
class Run:
    """The outcome of one CLI run: exit code, stdout, stderr, and any unexpected exception."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def run_cli(args: list[str]) -> Run:
    """Run ``qualcode ARGS`` in-process (click's CliRunner), stdout and stderr apart."""
    from qualcode.cli import main

    result = CliRunner().invoke(main, args, catch_exceptions=True)
    unexpected = (
        None if isinstance(result.exception, (SystemExit, type(None))) else result.exception
    )
    return Run(result.exit_code, result.stdout, result.stderr, unexpected)


def one_line_error(run: Run, file: Path) -> str | None:
    """Return what is wrong with a failed run's report, or None when it is a clean error."""
    if run.exception is not None:
        return f"raised {type(run.exception).__name__}: {run.exception!s:.300}"
    if run.exit_code == 0:
        return f"accepted the file (stdout: {run.stdout.strip()[:200]!r})"
    lines = run.stderr.strip().splitlines()
    if len(lines) != 1:
        return f"stderr has {len(lines)} lines: {run.stderr[:400]!r}"
    if file.name not in lines[0]:
        return f"the error does not name the file: {lines[0][:300]!r}"
    if "Traceback" in run.stderr:
        return "printed a traceback"
    return None


# -- generated hostile files (too big or too dangerous to commit) ----------------------------
def huge_field_csv(folder: Path) -> Path:
    """A CSV whose one text field is 100 MB (written at test time, never committed)."""
    path = folder / "huge_field.csv"
    with path.open("wb") as handle:
        handle.write(b'id,text\n1,"')
        chunk = b"a" * (1 << 20)
        for _ in range(100):
            handle.write(chunk)
        handle.write(b'"\n')
    return path


def zip_with(folder: Path, name: str, members: dict[str, bytes]) -> Path:
    """A ZIP file holding ``members`` (name -> bytes), e.g. ``../../evil`` for a ZIP slip."""
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def zip_bomb(folder: Path, name: str, member: str, *, prefix: bytes = b"", suffix: bytes = b"",
             size: int = 1 << 27) -> Path:
    """A ZIP whose ``member`` inflates to ``size`` bytes of spaces (128 MB from ~130 kB)."""
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open(member, "w", force_zip64=True) as handle:
            handle.write(prefix)
            block = b" " * (8 << 20)
            for _ in range(size // len(block)):
                handle.write(block)
            handle.write(suffix)
    return path


def xlsx_bomb(folder: Path, *, blocks: int = 16) -> Path:
    """A workbook whose single text cell inflates to ``blocks`` x 8 MB (an .xlsx is a ZIP)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "text"])
    sheet.append(["1", "PLACEHOLDER"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = folder / "zip_bomb.xlsx"
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, data)
                continue
            head, tail = data.split(b"PLACEHOLDER")
            with dst.open(item.filename, "w", force_zip64=True) as handle:
                handle.write(head)
                block = b"x" * (8 << 20)
                for _ in range(blocks):
                    handle.write(block)
                handle.write(tail)
    return path


def folder_cases(folder: Path) -> list[Path]:
    """Bad corpus folders: empty, a Latin-1 file, a symlink loop."""
    empty = folder / "empty_folder"
    empty.mkdir()
    latin = folder / "latin1_folder"
    latin.mkdir()
    (latin / "a.txt").write_bytes("caf\u00e9".encode("latin-1"))
    looped = folder / "symlink_loop_folder"
    looped.mkdir()
    (looped / "loop").symlink_to(looped, target_is_directory=True)
    return [empty, latin, looped]


def _control_members() -> dict[str, bytes]:
    with zipfile.ZipFile(HOSTILE / "controls" / "control.qdpx") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def qdpx_bomb(folder: Path) -> Path:
    """A valid .qdpx plus a source text that inflates to 128 MB."""
    path = zip_bomb(folder, "bomb.qdpx", "sources/00000004-aaaa-4bbb-8ccc-000000000004.txt")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("project.qde", _control_members()["project.qde"])
    return path


def qdpx_project_bomb(folder: Path) -> Path:
    """A .qdpx whose project.qde inflates to 128 MB of whitespace inside the root element."""
    qde = _control_members()["project.qde"]
    head, tail = qde.split(b"<Users>", 1)
    return zip_bomb(folder, "qde_bomb.qdpx", "project.qde", prefix=head,
                    suffix=b"<Users>" + tail)


def qdpx_slip_variants(folder: Path) -> list[Path]:
    """ZIP slip through a backslash path, a drive letter and a symlink-like member name."""
    made = []
    for n, member in enumerate(["..\\..\\evil.txt", "C:/Windows/evil.txt",
                                "sources/../../evil.txt"]):
        made.append(zip_with(folder, f"slip{n}.qdpx", {**_control_members(), member: b"x"}))
    return made


# importer name -> functions making bad files in a temporary folder
GENERATED: dict[str, list[Callable[[Path], Path | list[Path]]]] = {
    "corpus": [huge_field_csv, xlsx_bomb, folder_cases],
    "stats": [xlsx_bomb],
    "qdpx": [qdpx_bomb, qdpx_project_bomb, qdpx_slip_variants],
}
