"""A folder of ``.txt`` / ``.md`` files: one source per file, read one file at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import (
    MAX_FIELD_BYTES,
    MAX_FIELD_LABEL,
    ReadOptions,
    Skipped,
)
from qualcode.interchange.readers.encoding import read_text_file
from qualcode.model import SourceRecord

TEXT_SUFFIXES = frozenset({".txt", ".md"})
FILE_KEY = "file"


def text_files(folder: Path) -> list[PurePosixPath]:
    """Return the relative paths of the .txt/.md files under ``folder``, sorted, hidden skipped."""
    found: list[PurePosixPath] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = PurePosixPath(Path(root).relative_to(folder).as_posix())
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in TEXT_SUFFIXES:
                found.append(base / name)
    return sorted(found, key=lambda p: p.parts)


def read_folder(path: Path, options: ReadOptions | None = None, *,
                skipped: Skipped | None = None) -> Iterator[SourceRecord]:
    """Yield one record per text file under ``path`` (sub-folders included), in sorted order.

    The id is the relative path without its extension (``interviews/p01``), the name is
    the file name, and the metadata is ``{"file": relative path}`` (none with ``--no-meta``).
    """
    options = options or ReadOptions()
    skipped = skipped if skipped is not None else Skipped()
    _refuse_table_options(options, path)
    keep_file = options.meta_cols is None or FILE_KEY in options.meta_cols
    files = text_files(path)
    if not files:
        raise FormatError("the folder has no .txt or .md files", path=str(path))
    owners: dict[str, PurePosixPath] = {}
    for relative in files:
        file_path = path.joinpath(*relative.parts)
        external_id = str(relative.with_suffix(""))
        if external_id in owners:
            raise FormatError(f"gives the same id {external_id!r} as {str(owners[external_id])!r}; "
                              "rename one of them", path=str(file_path))
        owners[external_id] = relative
        try:
            size = file_path.stat().st_size
        except OSError as error:
            raise FormatError(f"cannot read the file: {error.strerror}",
                              path=str(file_path)) from None
        if size > MAX_FIELD_BYTES:
            raise FormatError(f"the file is larger than {MAX_FIELD_LABEL}; split it into "
                              "several sources", path=str(file_path))
        text = read_text_file(file_path)
        if not text or text.isspace():
            if options.skip_empty:
                skipped.items.append(str(relative))
                continue
            raise FormatError("the file is empty; use --skip-empty to leave such files out",
                              path=str(file_path))
        metadata = {FILE_KEY: str(relative)} if keep_file else {}
        yield SourceRecord(external_id, text, relative.name, metadata, None)
    if len(skipped.items) == len(files):
        raise FormatError(f"all {len(files)} files are empty; nothing to import", path=str(path))


def _refuse_table_options(options: ReadOptions, path: Path) -> None:
    """Column options make no sense for a folder: say so rather than ignore them."""
    given = [flag for flag, value in (("--id-col", options.id_col),
                                      ("--text-col", options.text_col),
                                      ("--name-col", options.name_col),
                                      ("--sheet", options.sheet)) if value is not None]
    extra = [key for key in options.meta_cols or () if key != FILE_KEY]
    if extra:
        given.append(f"--meta {extra[0]}")
    if given:
        raise FormatError(f"{', '.join(given)} apply to tables, not to a folder of text files "
                          f"(each file is one source; its only metadata is {FILE_KEY!r})",
                          path=str(path))
