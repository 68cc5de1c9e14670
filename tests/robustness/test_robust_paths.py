"""Paths from the user or from a file: only regular files are read, nothing blocks or leaks in.

The class: a symbolic link (to a file outside the folder, to /etc/passwd, to /dev/zero or
/dev/urandom, to a folder, dangling, looping), a named pipe, a socket or a device, met in an
imported folder, passed as the FILE of an importer, or named by a ``relative://`` path in
a .qdpx. Every member is generated here (in tmp_path). A folder import leaves them out
and lists them; a FILE argument is refused with one line. An audit hook records every
file Python opens during a run, to prove nothing outside the folder (and no special
file) was even opened; pytest-timeout turns a blocking open of a FIFO into a failure.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import stat
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.robust_harness import HOSTILE, IMPORTERS, digest, make_project, one_line_error, run_cli
from qualcode.errors import FormatError
from qualcode.interchange import codebook_yaml
from qualcode.interchange.readers import folder as folder_reader
from qualcode.interchange.readers import safe_open

pytestmark = [pytest.mark.timeout(60),
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types")]

SECRET = "SECRET-OUTSIDE-THE-FOLDER-5d1c"
PROC_STATUS = Path("/proc/self/status")

# -- which files Python opens during a run ---------------------------------------------------
_opened: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], str | bytes | Path):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@contextlib.contextmanager
def recording_opens() -> Iterator[list[str]]:
    """Collect the path of every file opened by Python code (open, os.open) in the block."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def opened_any(opened: list[str], forbidden: list[Path]) -> list[str]:
    """The opened paths that are (or resolve to) one of ``forbidden``."""
    targets = {str(p) for p in forbidden} | {os.path.realpath(p) for p in forbidden}
    return [p for p in opened if p in targets or os.path.realpath(p) in targets]


# -- members of the class, generated -----------------------------------------------------------
def make_socket(path: Path) -> Path:
    """A Unix socket file at ``path`` (bound from its folder: socket paths are short)."""
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(path.name)
    finally:
        os.chdir(here)
    return path


def hostile_folder(tmp_path: Path) -> tuple[Path, list[Path], dict[str, str]]:
    """A corpus folder with two good files and one of each hostile entry.

    Returns the folder, the paths that must never be opened, and the expected listing
    (entry -> words its line must hold).
    """
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "good.txt").write_text("A regular interview.", encoding="utf-8")
    (corpus / "sub" / "also.md").write_text("Another one.", encoding="utf-8")
    links = {
        "outside.txt": (Path("../secret.txt"), "outside the folder"),
        "passwd.txt": (Path("/etc/passwd"), "outside the folder"),
        "zero.txt": (Path("/dev/zero"), "character device"),
        "urandom.md": (Path("/dev/urandom"), "character device"),
        "status.txt": (PROC_STATUS, "outside the folder"),
        "loop.txt": (Path("loop.txt"), "dangling, or a loop"),
        "dangling.txt": (Path("missing.txt"), "dangling, or a loop"),
        "inner.txt": (Path("sub/also.md"), "--follow-links"),
        "folderlink": (Path("sub"), "folder links are never followed"),
        "sub/up": (Path(".."), "folder links are never followed"),
    }
    expected: dict[str, str] = {}
    for name, (target, words) in links.items():
        (corpus / name).symlink_to(target)
        expected[name] = words
    os.mkfifo(corpus / "pipe.txt")
    expected["pipe.txt"] = "named pipe"
    make_socket(corpus / "sock.txt")
    expected["sock.txt"] = "socket"
    (corpus / "pipe-link.txt").symlink_to("pipe.txt")
    expected["pipe-link.txt"] = "named pipe"
    forbidden = [secret, Path("/etc/passwd"), Path("/dev/zero"), Path("/dev/urandom"),
                 PROC_STATUS, corpus / "pipe.txt", corpus / "sock.txt"]
    return corpus, forbidden, expected


def project_text(project: Path) -> str:
    """Every value stored in the project, as one string (to look for leaked content)."""
    conn = sqlite3.connect(project)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def source_ids(project: Path) -> set[str]:
    """The external ids of the project's sources."""
    conn = sqlite3.connect(project)
    try:
        return {row[0] for row in conn.execute("select external_id from sources")}
    finally:
        conn.close()


# -- folder import ------------------------------------------------------------------------------
def test_folder_import_reads_only_regular_files_inside_and_lists_the_rest(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p.qualcode")
    corpus, forbidden, expected = hostile_folder(tmp_path)
    with recording_opens() as opened:
        run = run_cli(["import", str(project), str(corpus)])
    assert run.exception is None and run.exit_code == 0, run
    assert "2 added" in run.stdout
    assert source_ids(project) == {"r1", "r2", "r3", "good", "sub/also"}
    listed = {line.strip().split(":", 1)[0]: line for line in run.stdout.splitlines()
              if line.startswith("  ")}
    assert f"Not read, {len(expected)} entries" in run.stdout
    for name, words in expected.items():
        assert name in listed, (name, run.stdout)
        assert words in listed[name], (name, listed[name])
    assert not opened_any(opened, forbidden), opened
    stored = project_text(project)
    assert SECRET not in stored and "root:" not in stored and "VmRSS" not in stored
    assert "Traceback" not in run.stdout + run.stderr


def test_follow_links_imports_links_inside_the_folder_only(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p.qualcode")
    corpus, forbidden, expected = hostile_folder(tmp_path)
    with recording_opens() as opened:
        run = run_cli(["import", str(project), str(corpus), "--follow-links"])
    assert run.exception is None and run.exit_code == 0, run
    assert "3 added" in run.stdout
    assert source_ids(project) == {"r1", "r2", "r3", "good", "sub/also", "inner"}
    del expected["inner.txt"]
    assert f"Not read, {len(expected)} entries" in run.stdout
    assert "inner.txt" not in run.stdout
    for name in expected:
        assert f"  {name}: " in run.stdout, (name, run.stdout)
    assert not opened_any(opened, forbidden), opened
    assert SECRET not in project_text(project)


def test_follow_links_applies_to_folders_only(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p.qualcode")
    table = tmp_path / "answers.csv"
    table.write_text("id,text\n1,hello\n", encoding="utf-8")
    before = digest(project)
    run = run_cli(["import", str(project), str(table), "--follow-links"])
    assert one_line_error(run, table) is None, run
    assert "folders only" in run.stderr
    assert digest(project) == before


def test_folder_of_nothing_but_special_entries_is_refused_unchanged(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p.qualcode")
    corpus = tmp_path / "specials"
    corpus.mkdir()
    os.mkfifo(corpus / "a.txt")
    (corpus / "b.txt").symlink_to("/etc/passwd")
    (corpus / "c.txt").symlink_to("/dev/zero")
    make_socket(corpus / "d.txt")
    before = digest(project)
    with recording_opens() as opened:
        run = run_cli(["import", str(project), str(corpus)])
    assert one_line_error(run, corpus) is None, run
    assert "has no files qualcode reads" in run.stderr
    assert "4 entries are not regular files" in run.stderr
    assert digest(project) == before
    assert not opened_any(opened, [corpus / "a.txt", Path("/etc/passwd"), Path("/dev/zero"),
                                   corpus / "d.txt"]), opened


def test_folder_file_over_the_limit_is_refused_on_what_is_read_when_stat_lies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "p.qualcode")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small.txt").write_text("x" * 100, encoding="utf-8")
    (corpus / "big.txt").write_text("y" * 101, encoding="utf-8")
    monkeypatch.setattr(folder_reader, "MAX_FIELD_BYTES", 100)
    real_fstat = os.fstat

    def lying_fstat(fd: int) -> os.stat_result:  # like /proc: a regular file of "0 bytes"
        found = list(real_fstat(fd)[:10])
        found[stat.ST_SIZE] = 0
        return os.stat_result(found)

    before = digest(project)
    monkeypatch.setattr(safe_open.os, "fstat", lying_fstat)
    run = run_cli(["import", str(project), str(corpus)])
    monkeypatch.setattr(safe_open.os, "fstat", real_fstat)
    assert one_line_error(run, corpus / "big.txt") is None, run
    assert "larger than 100 bytes" in run.stderr and "split it" in run.stderr
    assert digest(project) == before
    (corpus / "big.txt").unlink()
    assert run_cli(["import", str(project), str(corpus)]).exit_code == 0  # exactly the limit


# -- a special file as the FILE argument of every importer ---------------------------------
SUFFIX = {"corpus": ".csv", "codebook": ".yaml", "codings": ".csv", "stats": ".csv",
          "qdc": ".qdc", "qdpx": ".qdpx", "merge": ".qualcode"}


def special_files(folder: Path, suffix: str) -> list[Path]:
    """A FIFO, a socket, links to devices, to a FIFO, dangling and looping, all named *suffix."""
    folder.mkdir()
    fifo = folder / f"pipe{suffix}"
    os.mkfifo(fifo)
    made = [fifo, make_socket(folder / f"sock{suffix}")]
    for name, target in (("zero", "/dev/zero"), ("urandom", "/dev/urandom"),
                         ("null", "/dev/null"), ("to-pipe", fifo.name),
                         ("dangling", "missing.csv"), ("loop", f"loop{suffix}")):
        link = folder / f"{name}{suffix}"
        link.symlink_to(target)
        made.append(link)
    return made


@pytest.mark.parametrize("importer", sorted(IMPORTERS))
def test_special_file_as_argument_is_refused_in_one_line(importer: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "p.qualcode")
    files = special_files(tmp_path / "specials", SUFFIX[importer])
    before = digest(project)
    problems = []
    for file in files:
        with recording_opens() as opened:
            run = run_cli(IMPORTERS[importer](project, file))
        problem = one_line_error(run, file)
        if problem is None and "give" not in run.stderr:
            problem = f"the error does not say what to do: {run.stderr!r}"
        if problem is None and opened_any(opened, [file]):
            problem = "opened it"
        if problem is not None:
            problems.append(f"{file.name}: {problem}")
    assert not problems, problems
    assert digest(project) == before


@pytest.mark.parametrize(("args", "name"), [
    (["import", "{project}", "/dev/zero", "--format", "csv"], "zero"),
    (["import", "{project}", "/dev/null", "--format", "jsonl"], "null"),
    (["codebook", "import", "{project}", "/dev/zero"], "zero"),
    (["stats", "/dev/zero"], "zero"),
])
def test_device_named_directly_is_refused(args: list[str], name: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "p.qualcode")
    before = digest(project)
    run = run_cli([arg.format(project=project) for arg in args])
    assert one_line_error(run, Path(f"/dev/{name}")) is None, run
    assert "character device" in run.stderr and "nothing was read" in run.stderr
    assert digest(project) == before


# -- what a .qdpx names beside itself (relative://) ------------------------------------------
def qdpx_with_relative_text(folder: Path, member: str) -> Path:
    """The hostile control project with source q2's text at ``relative://member``."""
    with zipfile.ZipFile(HOSTILE / "controls" / "control.qdpx") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    qde = members.pop("project.qde").replace(
        b'plainTextPath="internal://00000005-aaaa-4bbb-8ccc-000000000005.txt"',
        f'plainTextPath="relative://{member}"'.encode())
    members.pop("sources/00000005-aaaa-4bbb-8ccc-000000000005.txt")
    path = folder / "beside.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("kind", ["fifo", "socket", "zero", "outside", "passwd", "proc"])
def test_relative_text_that_is_not_a_regular_file_inside_is_left_out(kind: str,
                                                                      tmp_path: Path) -> None:
    project = tmp_path / "p.qualcode"
    assert run_cli(["init", str(project)]).exit_code == 0
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "shared"
    folder.mkdir()
    text = folder / "q2.txt"
    if kind == "fifo":
        os.mkfifo(text)
    elif kind == "socket":
        make_socket(text)
    else:
        target = {"zero": "/dev/zero", "outside": "../secret.txt", "passwd": "/etc/passwd",
                  "proc": str(PROC_STATUS)}[kind]
        text.symlink_to(target)
    archive = qdpx_with_relative_text(folder, "q2.txt")
    with recording_opens() as opened:
        run = run_cli(["import", str(project), str(archive)])
    assert run.exception is None and run.exit_code == 0, run
    assert "q2" in run.stdout and "regular file" in run.stdout, run.stdout
    assert not opened_any(opened, [text, tmp_path / "secret.txt", Path("/etc/passwd")]), opened
    stored = project_text(project)
    assert SECRET not in stored and "root:" not in stored


# -- the helper itself: swaps after the check, sizes on what is read ---------------------------
def test_fifo_swapped_in_after_the_check_is_refused_without_blocking(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("id,text\n", encoding="utf-8")
    checked = os.stat(path)
    path.unlink()
    os.mkfifo(path)  # the swap lands between the stat check and the open
    monkeypatch.setattr(safe_open, "regular_file_stat", lambda *args, **kwargs: checked)
    with pytest.raises(FormatError, match="changed while it was being opened"):
        safe_open.open_regular(path)


def test_link_swapped_in_after_a_folder_walk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("fine", encoding="utf-8")
    seen = os.lstat(path)
    path.unlink()
    path.symlink_to("/etc/passwd")
    with recording_opens() as opened, pytest.raises(FormatError, match="symbolic link"):
        safe_open.open_regular(path, follow_links=False, same_as=seen)
    assert not opened_any(opened, [Path("/etc/passwd")])
    other = tmp_path / "b.txt"  # made while the link exists: a different inode, surely
    other.write_text("another file now", encoding="utf-8")
    os.replace(other, path)
    with pytest.raises(FormatError, match="changed while it was being opened"):
        safe_open.open_regular(path, follow_links=False, same_as=seen)


@pytest.mark.skipif(not PROC_STATUS.exists(), reason="needs /proc")
def test_size_limit_counts_what_is_read_not_what_stat_says(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert os.stat(PROC_STATUS).st_size == 0  # the premise: stat says this file is empty
    with pytest.raises(FormatError, match="larger than 100 bytes"):
        safe_open.read_limited(PROC_STATUS, 100, what="a test file", advice="fine")
    assert b"Name:" in safe_open.read_limited(PROC_STATUS, 1 << 20, what="x", advice="y")
    project = make_project(tmp_path / "p.qualcode")
    link = tmp_path / "codebook.yaml"
    link.symlink_to(PROC_STATUS)  # named by the user: followed, and still a regular file
    monkeypatch.setattr(codebook_yaml, "MAX_BYTES", 100)
    before = digest(project)
    run = run_cli(["codebook", "import", str(project), str(link)])
    assert one_line_error(run, link) is None, run
    assert "larger than 100 bytes, the limit for a codebook" in run.stderr
    assert digest(project) == before
