"""A folder of ``.txt`` / ``.md`` files and documents: one source per file, one at a time.

Documents (Word, OpenDocument, PDF, RTF, HTML, subtitles) are read by
:mod:`~qualcode.interchange.readers.documents`; text files are stored exactly as written.

Only regular files inside the folder are read. Everything else met on the walk is left
out, unread, and listed: symbolic links (to files outside the folder, to folders, to
devices, dangling or looping), named pipes, sockets and devices. ``follow_links`` (the
CLI's ``--follow-links``) is the one opt-in: it follows links whose target is a regular
file inside the folder. Each file is opened through
:mod:`~qualcode.interchange.readers.safe_open` as the very file the walk saw (same
inode, links not followed), so nothing swapped in after the walk is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import (
    MAX_FIELD_BYTES,
    ReadOptions,
    Skipped,
)
from qualcode.interchange.readers.documents import (
    DOCUMENT_EXTENSIONS,
    METADATA_KEYS,
    Progress,
    read_document,
)
from qualcode.interchange.readers.documents.speakers import speaker_turns
from qualcode.interchange.readers.encoding import read_text_file
from qualcode.interchange.readers.safe_open import describe_mode
from qualcode.model import ParagraphAttributes, SourceRecord
from qualcode.segmentation import paragraphs as paragraph_spans

TEXT_SUFFIXES = frozenset({".txt", ".md"})
READ_SUFFIXES = TEXT_SUFFIXES | frozenset(DOCUMENT_EXTENSIONS)
FILE_KEY = "file"
FOLLOW_HINT = "use --follow-links to import links to files inside the folder"


@dataclass(frozen=True, slots=True)
class TextFile:
    """One file to import: its place in the folder, where to read it, what the walk saw."""

    relative: PurePosixPath
    path: Path
    seen: os.stat_result


@dataclass(slots=True)
class FolderListing:
    """The text files of a folder, and the entries left out unread (``path: why``)."""

    files: list[TextFile] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)


def is_text_name(name: str) -> bool:
    """True for a visible file name the folder import reads (``.txt``, ``.md``, documents)."""
    return not name.startswith(".") and Path(name).suffix.lower() in READ_SUFFIXES


def list_folder(folder: Path, *, follow_links: bool = False) -> FolderListing:
    """Walk ``folder`` (hidden entries skipped) without following links or opening anything.

    Files are sorted by their relative path; ``not_read`` names every link, pipe, socket
    and device met (whatever its name), with the reason it is not read.
    """
    root = Path(os.path.realpath(folder))
    listing = FolderListing()
    pending: list[tuple[Path, PurePosixPath]] = [(folder, PurePosixPath())]
    while pending:
        directory, base = pending.pop()
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError as error:
            raise FormatError(f"cannot list the folder ({error.strerror}); check its "
                              "permissions", path=str(directory)) from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = base / entry.name
            try:
                seen = entry.stat(follow_symlinks=False)
            except OSError as error:
                listing.not_read.append(f"{relative}: cannot be examined ({error.strerror})")
                continue
            if stat.S_ISDIR(seen.st_mode):
                pending.append((Path(entry.path), relative))
            elif stat.S_ISREG(seen.st_mode):
                if is_text_name(entry.name):
                    listing.files.append(TextFile(relative, Path(entry.path), seen))
            elif stat.S_ISLNK(seen.st_mode):
                _add_link(listing, Path(entry.path), relative, root, follow_links)
            else:
                listing.not_read.append(f"{relative}: {describe_mode(seen.st_mode)}")
    listing.files.sort(key=lambda item: item.relative.parts)
    listing.not_read.sort()
    return listing


def _add_link(listing: FolderListing, link: Path, relative: PurePosixPath, root: Path,
              follow_links: bool) -> None:
    """File a link: followed (to a regular file inside the folder, when asked) or listed."""
    try:
        target = Path(os.path.realpath(link, strict=True))
        found = os.stat(target)
    except (OSError, RuntimeError):
        listing.not_read.append(f"{relative}: a symbolic link to nothing (dangling, or a loop)")
        return
    kind = describe_mode(found.st_mode)
    if not target.is_relative_to(root):
        listing.not_read.append(f"{relative}: a symbolic link to {target}, {kind} outside the "
                                "folder; never followed")
    elif stat.S_ISDIR(found.st_mode):
        listing.not_read.append(f"{relative}: a symbolic link to a folder; folder links are "
                                "never followed")
    elif not stat.S_ISREG(found.st_mode):
        listing.not_read.append(f"{relative}: a symbolic link to {kind}; never followed")
    elif not is_text_name(link.name):
        return  # a link to another kind of file, passed over like that file would be
    elif not follow_links:
        listing.not_read.append(f"{relative}: a symbolic link; {FOLLOW_HINT}")
    else:
        listing.files.append(TextFile(relative, target, found))


def read_folder(path: Path, options: ReadOptions | None = None, *,
                skipped: Skipped | None = None,
                progress: Progress | None = None) -> Iterator[SourceRecord]:
    """Yield one record per readable file under ``path`` (sub-folders included), sorted.

    The id is the relative path without its extension (``interviews/p01``), the name is
    the file name, and the metadata is ``{"file": relative path}`` plus a document's own
    (title, author, created, pages; none with ``--no-meta``). Entries that are not regular
    files are listed in ``skipped.not_read``, unread.
    """
    options = options or ReadOptions()
    skipped = skipped if skipped is not None else Skipped()
    refuse_table_options(options, path)
    listing = list_folder(path, follow_links=options.follow_links)
    skipped.not_read.extend(listing.not_read)
    if not listing.files:
        unread = (f"; {len(listing.not_read)} entries are not regular files and were not read, "
                  f"such as {listing.not_read[0]}" if listing.not_read else "")
        raise FormatError(f"the folder has no files qualcode reads ({supported_names()})"
                          f"{unread}", path=str(path))
    owners: dict[str, PurePosixPath] = {}
    for item in listing.files:
        relative = item.relative
        file_path = path.joinpath(*relative.parts)
        external_id = str(relative.with_suffix(""))
        if external_id in owners:
            raise FormatError(f"gives the same id {external_id!r} as {str(owners[external_id])!r}; "
                              "rename one of them", path=str(file_path))
        owners[external_id] = relative
        record = read_one_file(item.path, relative, options, same_as=item.seen,
                               follow_links=False, progress=progress, shown_path=file_path)
        if record is None:
            skipped.items.append(str(relative))
            continue
        yield record
    if len(skipped.items) == len(listing.files):
        raise FormatError(f"all {len(listing.files)} files are empty; nothing to import",
                          path=str(path))


def read_one_file(path: Path, relative: PurePosixPath, options: ReadOptions, *,
                  same_as: os.stat_result | None = None, follow_links: bool = True,
                  progress: Progress | None = None, fmt: str | None = None,
                  shown_path: Path | None = None) -> SourceRecord | None:
    """Read one text file or document as a record; None when empty and ``--skip-empty``."""
    shown = str(shown_path or path)
    if fmt is None and relative.suffix.lower() in TEXT_SUFFIXES:
        text = read_text_file(path, limit=MAX_FIELD_BYTES, advice="split it into several "
                              "sources", follow_links=follow_links, same_as=same_as)
        facts: dict[str, object] = {}
        paragraphs: tuple[ParagraphAttributes, ...] = ()
    else:
        try:
            document = read_document(path, fmt, follow_links=follow_links, same_as=same_as,
                                     progress=progress)
        except FormatError as error:
            if options.skip_empty and error.message.startswith("holds no text"):
                return None
            raise
        text, facts, paragraphs = document.text, dict(document.metadata), document.attributes()
    if not text or text.isspace():
        if options.skip_empty:
            return None
        raise FormatError("the file is empty; use --skip-empty to leave such files out",
                          path=shown)
    if options.speakers:
        paragraphs = with_speakers(text, paragraphs)
    facts = {FILE_KEY: str(relative), **facts}
    if options.meta_cols is not None:
        facts = {key: value for key, value in facts.items() if key in options.meta_cols}
    return SourceRecord(str(relative.with_suffix("")), text, relative.name, facts, None,
                        paragraphs)


def read_file(fmt: str | None) -> Callable[..., Iterator[SourceRecord]]:
    """Return a reader of one text file (``fmt`` None) or one document of format ``fmt``."""

    def read(path: Path, options: ReadOptions | None = None, *, skipped: Skipped | None = None,
             progress: Progress | None = None) -> Iterator[SourceRecord]:
        options = options or ReadOptions()
        refuse_table_options(options, path)
        record = read_one_file(path, PurePosixPath(path.name), options, fmt=fmt,
                               progress=progress)
        if record is None:
            if skipped is not None:
                skipped.items.append(path.name)
            return
        yield record

    return read


def with_speakers(text: str, known: Sequence[ParagraphAttributes]) -> tuple[
        ParagraphAttributes, ...]:
    """Add the speaker of each paragraph (:mod:`.documents.speakers`) to what is known."""
    spans = paragraph_spans(text)
    turns = speaker_turns([text[start:end] for start, end in spans])
    by_start = {p.start: p for p in known}
    merged = []
    for (start, end), speaker in zip(spans, turns, strict=True):
        found = by_start.pop(start, None) or ParagraphAttributes(start, end)
        if found.speaker is None and speaker is not None:
            found = replace(found, speaker=speaker)
        if found != ParagraphAttributes(start, end):
            merged.append(found)
    return tuple(sorted([*merged, *by_start.values()], key=lambda p: p.start))


def supported_names() -> str:
    """The file extensions a folder import reads, for messages."""
    return ", ".join(sorted(READ_SUFFIXES))


def refuse_table_options(options: ReadOptions, path: Path) -> None:
    """Column options make no sense for a folder: say so rather than ignore them."""
    given = [flag for flag, value in (("--id-col", options.id_col),
                                      ("--text-col", options.text_col),
                                      ("--name-col", options.name_col),
                                      ("--sheet", options.sheet)) if value is not None]
    extra = [key for key in options.meta_cols or () if key not in (FILE_KEY, *METADATA_KEYS)]
    if extra:
        given.append(f"--meta {extra[0]}")
    if given:
        keys = ", ".join((FILE_KEY, *METADATA_KEYS))
        raise FormatError(f"{', '.join(given)} apply to tables, not to text files or documents "
                          f"(each file is one source; its metadata can be {keys})",
                          path=str(path))
