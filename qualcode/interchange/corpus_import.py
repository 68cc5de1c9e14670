"""Corpus import: read CSV, TSV, JSONL, XLSX or a folder of text files as a stream of sources.

Every reader streams: it holds one row (or one file) at a time, so a million-row CSV
imports in bounded memory. Problems are raised as :class:`~qualcode.errors.FormatError`
naming the file and line while streaming; :meth:`Store.import_sources` runs the whole
import in one transaction, so an error anywhere leaves the project as it was.

Columns: ``id`` and ``text`` by default (``--id-col`` / ``--text-col`` to choose others),
an optional name column, and every other column becomes metadata unless ``meta_cols``
restricts them (an empty list keeps none).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "answers.csv").write_text("id,text,age\\n1,Too much paperwork,34\\n",
...                                         encoding="utf-8")
>>> [(r.external_id, r.text, dict(r.metadata), r.line)
...  for r in read_corpus(folder / "answers.csv")]
[('1', 'Too much paperwork', {'age': '34'}, 2)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import FormatError
from qualcode.interchange.readers.columns import ReadOptions, Skipped
from qualcode.interchange.readers.delimited import read_csv, read_tsv
from qualcode.interchange.readers.documents import (
    DOCUMENT_EXTENSIONS,
    DOCUMENT_FORMATS,
    Progress,
    document_format,
)
from qualcode.interchange.readers.folder import read_file, read_folder
from qualcode.interchange.readers.jsonl import read_jsonl
from qualcode.interchange.readers.safe_open import regular_file_stat
from qualcode.interchange.readers.xlsx import read_xlsx
from qualcode.model import ImportReport, SourceRecord

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = [
    "FORMATS",
    "CorpusStream",
    "ReadOptions",
    "detect_format",
    "import_corpus",
    "read_corpus",
    "read_csv",
    "read_folder",
    "read_jsonl",
    "read_tsv",
    "read_xlsx",
]

Reader = Callable[..., Iterator[SourceRecord]]
READERS: dict[str, Reader] = {
    "csv": read_csv,
    "tsv": read_tsv,
    "jsonl": read_jsonl,
    "xlsx": read_xlsx,
    "folder": read_folder,
    "text": read_file(None),
    **{fmt: read_file(fmt) for fmt in DOCUMENT_FORMATS},
}
FORMATS = tuple(READERS)
PAGED = frozenset({"folder", "text", *DOCUMENT_FORMATS})
"""Formats read file by file, which report progress through long documents."""
EXTENSIONS = {
    ".txt": "text",
    ".md": "text",
    **DOCUMENT_EXTENSIONS,
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
HINTS = {
    ".xls": "old .xls workbooks are not supported; save it as .xlsx or as CSV UTF-8",
    ".json": "a .json file: convert it to JSON Lines (one object per line), or use "
             "--format jsonl if it already is",
}


def detect_format(path: Path) -> str:
    """Return the format of a corpus path from its extension (a folder is ``folder``)."""
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    document_format(path)  # refuses .docm, .doc, ... saying what to do
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    hint = HINTS.get(suffix, f"supported: a folder, {', '.join(sorted(EXTENSIONS))} (or pass "
                             f"--format {'|'.join(FORMATS)})")
    what = f"the extension {suffix!r}" if suffix else "a file without an extension"
    raise FormatError(f"cannot tell the corpus format from {what}; {hint}", path=str(path))


class CorpusStream(Iterator[SourceRecord]):
    """An iterator of records that also tells, once consumed, what ``--skip-empty`` left out."""

    def __init__(self, records: Iterator[SourceRecord], skipped: Skipped, fmt: str) -> None:
        self._records = records
        self._skipped = skipped
        self.format = fmt

    def __next__(self) -> SourceRecord:
        return next(self._records)

    def __iter__(self) -> CorpusStream:
        return self

    def close(self) -> None:
        """Stop reading early and release the file."""
        close = getattr(self._records, "close", None)
        if close is not None:
            close()

    @property
    def skipped(self) -> tuple[str, ...]:
        """Rows (``line 12``) or files left out for their empty text, so far."""
        return tuple(self._skipped.items)

    @property
    def not_read(self) -> tuple[str, ...]:
        """A folder's entries left unread: not regular files (``path: why``)."""
        return tuple(self._skipped.not_read)


@dataclasses.dataclass(frozen=True, slots=True)
class CorpusImportReport(ImportReport):
    """An import's counts, plus the folder entries that were not read (links, pipes, devices)."""

    not_read: tuple[str, ...] = ()


def read_corpus(path: Path | str, *, id_col: str | None = None, text_col: str | None = None,
                name_col: str | None = None, meta_cols: Sequence[str] | None = None,
                skip_empty: bool = False, sheet: str | None = None,
                fmt: str | None = None, follow_links: bool = False,
                on_pages: Progress | None = None, speakers: bool = False) -> CorpusStream:
    """Stream the sources of a corpus file or folder, choosing the reader by extension.

    ``meta_cols`` None keeps every other column as metadata; a list keeps those only; an
    empty list keeps none. ``fmt`` (one of :data:`FORMATS`) overrides the extension.
    ``follow_links`` (folders only) follows symbolic links to files inside the folder.
    ``on_pages(done, total)`` is called per page of a long document (PDF). ``speakers``
    (text files and documents) records each paragraph's speaker (``Name:`` turns).
    Errors surface while iterating, as ``FormatError`` naming file and line.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise FormatError("no such file or folder; check the path", path=str(path))
    if not path.is_dir():  # a folder is walked entry by entry; anything else must be a file
        regular_file_stat(path, hint="give the path of a table (.csv, .tsv, .jsonl, .xlsx), "
                                     "a text file or document, or a folder of them")
    if fmt is None:
        fmt = detect_format(path)
    elif fmt not in READERS:
        raise FormatError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}",
                          path=str(path))
    if (fmt == "folder") != path.is_dir():
        raise FormatError("is a folder; use --format folder (or no --format) to import its "
                          "files" if path.is_dir()
                          else "--format folder needs a folder of text files or documents, "
                               "not a file",
                          path=str(path))
    if sheet is not None and fmt not in ("xlsx", "folder"):
        raise FormatError("--sheet applies to .xlsx workbooks only", path=str(path))
    if speakers and fmt not in PAGED:
        raise FormatError("--speakers applies to text files and documents (transcripts), "
                          "not to tables", path=str(path))
    if follow_links and fmt != "folder":
        raise FormatError("--follow-links applies to folders only", path=str(path))
    options = ReadOptions(id_col=id_col, text_col=text_col, name_col=name_col,
                          meta_cols=None if meta_cols is None else tuple(meta_cols),
                          skip_empty=skip_empty, sheet=sheet, follow_links=follow_links,
                          speakers=speakers)
    skipped = Skipped()
    extra = {"progress": on_pages} if fmt in PAGED else {}
    return CorpusStream(READERS[fmt](path, options, skipped=skipped, **extra), skipped, fmt)


def import_corpus(store: ProjectStore, path: Path | str, *, update: bool = False,
                  coder: str | None = None, on_progress: Callable[[int], None] | None = None,
                  **read_options: Any) -> CorpusImportReport:  # read_options: see read_corpus
    """Read a corpus and store it in one transaction; the report lists the rows skipped.

    ``read_options`` are those of :func:`read_corpus`; see :meth:`Store.import_sources`
    for ``update``. ``coder`` (created on first use) is recorded as the actor of the
    import event; creating them is part of the same transaction, so a failed import
    leaves no trace at all.
    """
    stream = read_corpus(path, **read_options)
    try:
        with store.transaction():
            actor_id = None if coder is None else store.coder(coder).id
            report = store.import_sources(stream, update=update, path=str(path),
                                          actor_id=actor_id, on_progress=on_progress)
    finally:
        stream.close()
    counts = {field.name: getattr(report, field.name) for field in dataclasses.fields(report)}
    return CorpusImportReport(**{**counts, "skipped": stream.skipped},
                              not_read=stream.not_read)
