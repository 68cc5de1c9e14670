"""Files replaced whole or not at all (qualcode.storage.files), as every export writes them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qualcode.errors import QualcodeError
from qualcode.storage.files import open_replacing, write_replacing


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "themes.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), open_replacing(target) as handle:
        handle.write("half a new fi")
        raise RuntimeError("export failed midway")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["themes.csv"]


def test_a_complete_write_replaces_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "codebook.qdc"
    write_replacing(target, b"<CodeBook/>")
    assert target.read_bytes() == b"<CodeBook/>"
    umask = os.umask(0)
    os.umask(umask)
    # mkstemp creates 0600 files; an export must be readable like any file the user saves.
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codebook.qdc"]


def test_text_mode_keeps_line_endings_as_written(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with open_replacing(target) as handle:
        handle.write("a,b\r\nç,😀\r\n")
    assert target.read_bytes() == "a,b\r\nç,😀\r\n".encode()


def test_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QualcodeError, match="does not exist; create it first"):
        write_replacing(tmp_path / "nowhere" / "x.csv", b"")


def test_a_pipe_target_is_written_into_not_replaced(tmp_path: Path) -> None:
    """-o onto a device or pipe (/dev/null, a FIFO) writes into it; renaming would replace it."""
    import stat
    import threading

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_replacing(fifo, b"complete output\n")
    reader.join(10)
    assert received == [b"complete output\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe, not a plain file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.fifo"]  # no temporary left
