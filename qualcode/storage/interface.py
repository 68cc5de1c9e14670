"""The project store's public surface: what every layer above storage may ask of a project.

A project is read and written through one object, a :class:`ProjectStore`. This module
states that object's surface as typed :class:`typing.Protocol` classes, one per concern,
composed into :class:`ProjectStore`:

- :class:`ProjectFile`: the open project itself: its path, whether it is read-only,
  closing it, grouping calls into one write transaction, its settings and integrity.
- :class:`Coders`: the people (and the adjudicator) who code, created on first use.
- :class:`SourcesAndUnits`: the corpus: streaming import of sources, the sources, and the
  units (whole source, sentence, paragraph) that codings and done marks hang on.
- :class:`CodebookEditing`: the shared codebook: reading it, and each edit (add, change,
  move, delete, merge, import) as one undoable event that keeps the codebook's shape rules.
- :class:`CodingsAndReviews`: codings, "done" marks (reviews) and the coders' progress.
- :class:`Memos`: one memo per coder on a project, source, unit, code or coding.
- :class:`EventLog`: the append-only event log, undo and redo, and the row-level steps
  (soft delete, recode) undo replays.

Reads return the frozen dataclasses of :mod:`qualcode.model`; every write is one
transaction committed before the call returns, and every user action appends an event.

One class implements it, :class:`qualcode.storage.Store`, on either engine: a SQLite file
(the default) or a schema of a PostgreSQL database (``postgresql://...?project=NAME``);
the engine is the connection adapter the store holds (:mod:`qualcode.storage.backends`,
see docs/architecture.md, "Two engines, one store"). ``store.py`` checks ``Store`` against
:class:`ProjectStore` so mypy fails when the two drift, and ``tests/test_store_interface.py``
checks that they list the same public methods. Code above ``qualcode/storage/`` (analysis,
interchange, tui, cli) annotates the stores it receives as :class:`ProjectStore`; it gets
one from ``Store.open``/``Store.create`` or :func:`qualcode.storage.open_project`, given a
path or a server URL. A method added to ``Store`` for the layers above must be added here
too.

Storage functions that take a :class:`ProjectStore` and run portable SQL themselves (pins,
the suggestion log, stored suggester models, consensus, column reads in ``arrays``,
``blank_codings``, ``unit_texts``, the coding queue, event descriptions, REFI details and
export reads, the export marker, ``undo.merge_after``, ``merge_apply``) reach the
connection through ``store_base.store_db`` and work on both engines. SQLite-only, because
the concept has no server twin: PRAGMAs and the file header, WAL checkpoints (a no-op on a
server), the backup API and automatic backups, ``/proc/locks``, and the checks of
``qualcode check`` that read SQLite's own structures (a server project gets the row
checks, ``check.SERVER_CHECKS``); these take ``store_base.sqlite_db``,
which refuses a server project in one line. No module above storage may call either
(``tests/test_store_interface.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, Self, TypedDict

from qualcode.model import (
    Code,
    Codebook,
    CodeKind,
    Coder,
    CodeSpec,
    Coding,
    CodingRecord,
    Event,
    ImportReport,
    Layer,
    Memo,
    ParagraphAttributes,
    Review,
    Source,
    SourceRecord,
    Unit,
    UnitKind,
)

__all__ = ["CodebookEditing", "CoderStatus", "Coders", "CodingsAndReviews", "EventLog", "Memos",
           "ProjectFile", "ProjectStore", "SourcesAndUnits"]


class CoderStatus(TypedDict):
    """One coder's progress, as :meth:`CodingsAndReviews.status` gives it."""

    coder: Coder
    done: int
    """Whole sources this coder marked done."""
    codings: int
    """Live codings in the coder layer."""
    per_code: dict[int, int]
    """Live codings per code id."""


class ProjectFile(Protocol):
    """The open project: where it is, how it is opened, and its settings."""

    @property
    def path(self) -> Path:
        """The project's location (for SQLite, the ``.qualcode`` file)."""
        ...

    @property
    def readonly(self) -> bool:
        """True when opened for reading only: every write fails with one clear line."""
        ...

    def close(self) -> None:
        """Close the project (committed work is already saved)."""

    def __enter__(self) -> Self:
        ...

    def __exit__(self, *exc: object) -> None:
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Run a block of store calls as one write transaction (nested use joins the outer)."""
        ...

    def checkpoint(self) -> None:
        """Make everything committed durable in the main store (SQLite: empty the WAL)."""

    def project_info(self) -> dict[str, str]:
        """Return the project's key/value settings (guid, created_at, ...)."""
        ...

    def integrity_ok(self) -> bool:
        """Return True when the store's own integrity checks pass."""
        ...


class Coders(Protocol):
    """The coders, by name."""

    def coder(self, name: str, *, create: bool = True) -> Coder:
        """Return the coder of this name, creating them on first use unless told not to."""
        ...

    def coders(self) -> list[Coder]:
        """Return every coder, in the order they joined."""
        ...


class SourcesAndUnits(Protocol):
    """The corpus: sources and the units cut from them."""

    def import_sources(self, records: Iterable[SourceRecord], *, update: bool = False,
                       path: str | None = None, actor_id: int | None = None,
                       on_progress: Callable[[int], None] | None = None) -> ImportReport:
        """Store sources (one whole-source unit each) from a stream, in one transaction."""
        ...

    def source_count(self) -> int:
        """Return the number of sources."""
        ...

    def source(self, source_id: int) -> Source:
        """Return one source by id."""
        ...

    def source_by_external_id(self, external_id: str) -> Source:
        """Return one source by the id it had in its input file."""
        ...

    def source_ids_by_external_id(self, external_ids: Iterable[str]) -> dict[str, int]:
        """Map the external ids that exist to source ids (missing ones are left out)."""
        ...

    def iter_sources(self, batch_size: int = 1_000) -> Iterator[Source]:
        """Yield every source in id order, a batch at a time (bounded memory)."""
        ...

    def metadata_fields(self) -> list[str]:
        """Return the metadata keys used by any source, sorted."""
        ...

    def paragraph_attributes(self, source_id: int) -> list[ParagraphAttributes]:
        """Return what is known of a source's paragraphs (speaker, page, cue times)."""
        ...

    def speakers(self) -> dict[str, int]:
        """Return each speaker named in the project with the number of their paragraphs."""
        ...

    def speaker_spans(self) -> list[tuple[int, int, str]]:
        """Return ``(source id, paragraph start, speaker)`` of every paragraph with a speaker."""
        ...

    def unit_count(self, kind: UnitKind = UnitKind.SOURCE) -> int:
        """Return the number of units of one kind."""
        ...

    def unit(self, unit_id: int) -> Unit:
        """Return one unit by id."""
        ...

    def units_of_source(self, source_id: int, kind: UnitKind = UnitKind.SOURCE) -> list[Unit]:
        """Return the units of one kind cut from a source, in text order."""
        ...

    def units(self, kind: UnitKind = UnitKind.SOURCE, *, offset: int = 0,
              limit: int | None = None) -> list[Unit]:
        """Return a page of units of one kind, in source order."""
        ...

    def whole_unit(self, source_id: int) -> Unit:
        """Return the whole-source unit of a source."""
        ...

    def store_units(self, source_id: int, kind: UnitKind,
                    spans: Sequence[tuple[int, int]]) -> list[Unit]:
        """Store a source's units of one kind when it has none yet; return them."""
        ...


class CodebookEditing(Protocol):
    """The shared codebook and its edits (each one undoable event)."""

    def codebook(self) -> Codebook:
        """Return the live codebook (deleted codes are left out)."""
        ...

    def code(self, code_id: int) -> Code:
        """Return one live code by id."""
        ...

    def coding_counts(self) -> dict[int, int]:
        """Return the number of live codings per code id, all coders and layers."""
        ...

    def deleted_code_names(self) -> dict[int, str]:
        """Return the names of the deleted codes by id (what older records may still name)."""
        ...

    def add_code(self, name: str, *, parent_id: int | None = None,
                 kind: CodeKind = CodeKind.CODE, description: str = "", inclusion: str = "",
                 exclusion: str = "", examples: Sequence[str] = (), colour: str | None = None,
                 shortcut: str | None = None, codable: bool | None = None,
                 guid: str | None = None, actor_id: int | None = None) -> Code:
        """Add a code to the shared codebook (one event)."""
        ...

    def update_code(self, code_id: int, *, actor_id: int | None = None,
                    **fields: Any) -> Code:
        """Change a code's editable fields (one event)."""
        ...

    def move_code(self, code_id: int, new_parent_id: int | None, *,
                  actor_id: int | None = None) -> Code:
        """Move a code under another parent (None: to the top level; one event)."""
        ...

    def shape_problems(self) -> list[str]:
        """Return how the live codebook breaks the shape rules (depth, placement, codable)."""
        ...

    def keep_shape(self, before: Sequence[str]) -> None:
        """Refuse, inside the caller's transaction, a write that broke a shape rule."""

    def delete_code(self, code_id: int, *, force: bool = False,
                    actor_id: int | None = None) -> int:
        """Delete a code (and its subtree and codings, with ``force``); undo restores them."""
        ...

    def merge_codes(self, from_id: int, into_id: int, *, actor_id: int | None = None) -> Code:
        """Move one code's codings onto another and delete it (one event)."""
        ...

    def import_codebook(self, roots: Sequence[CodeSpec], *,
                        actor_id: int | None = None) -> ImportReport:
        """Add a codebook tree in one transaction and one event."""
        ...


class CodingsAndReviews(Protocol):
    """Codings, done marks (reviews) and progress."""

    def add_coding(self, coder_id: int, source_id: int, code_id: int, start: int | None = None,
                   end: int | None = None, *, layer: Layer = Layer.CODER) -> Coding:
        """Apply a code to a span (or, with no span, the whole source): one event."""
        ...

    def remove_coding(self, coding_id: int, *, actor_id: int | None = None) -> None:
        """Remove a coding (undo restores it)."""

    def coding(self, coding_id: int) -> Coding:
        """Return one live coding by id."""
        ...

    def codings(self, *, coder_id: int | None = None, layer: Layer | None = None,
                source_id: int | None = None) -> list[Coding]:
        """Return live codings, optionally of one coder, layer or source."""
        ...

    def import_codings(self, records: Iterable[CodingRecord], coder_id: int, *,
                       mark_done: bool = True, layer: Layer = Layer.CODER,
                       path: str | None = None,
                       done_unit_ids: Collection[int] | None = None) -> ImportReport:
        """Store codings from a file for one coder, in one transaction and one event."""
        ...

    def mark_done(self, unit_id: int, coder_id: int, *, layer: Layer = Layer.CODER) -> bool:
        """Mark a unit done for a coder; return False when it already was."""
        ...

    def mark_not_done(self, unit_id: int, coder_id: int, *,
                      layer: Layer = Layer.CODER) -> bool:
        """Take back a "done" mark; return False when the unit was not done."""
        ...

    def is_done(self, unit_id: int, coder_id: int, *, layer: Layer = Layer.CODER) -> bool:
        """Return True when the coder has marked the unit done."""
        ...

    def reviews(self, *, coder_id: int | None = None,
                layer: Layer = Layer.CODER) -> list[Review]:
        """Return the done marks of one layer, optionally of one coder."""
        ...

    def done_count(self, coder_id: int, *, kind: UnitKind = UnitKind.SOURCE,
                   layer: Layer = Layer.CODER) -> int:
        """Return how many units of one kind a coder has marked done."""
        ...

    def done_marks_by_source(self, *, layer: Layer | None = None
                             ) -> Iterator[tuple[int, int, Layer, UnitKind, int, int, str]]:
        """Yield (source id, coder id, layer, unit kind, start, end, done at), by source."""
        ...

    def adjudicator_ids(self) -> set[int]:
        """Return the ids of the coders with live consensus codings or consensus done marks."""
        ...

    def status(self) -> list[CoderStatus]:
        """Per coder: units done, live codings, and codings per code id."""
        ...


class Memos(Protocol):
    """Memos: one per coder and target."""

    def set_memo(self, target_kind: str, target_guid: str, text: str, *,
                 coder_id: int | None = None) -> Memo | None:
        """Create, change or (with empty text) remove this coder's memo on a target."""
        ...

    def memos(self, target_kind: str, target_guid: str) -> list[Memo]:
        """Return the live memos on a target, oldest first."""
        ...

    def live_memos(self) -> list[Memo]:
        """Return every live memo, on any target, oldest first."""
        ...


class EventLog(Protocol):
    """The event log, undo and redo, and the row steps undo replays."""

    def events(self, *, coder_id: int | None = None, since: int = 0) -> list[Event]:
        """Return the event log (optionally one coder's), oldest first."""
        ...

    def events_by_id(self, ids: Sequence[int]) -> list[Event]:
        """Return the events with these ids, in id order."""
        ...

    def undo(self, coder_id: int) -> Event | None:
        """Revert this coder's most recent action not yet undone; None when there is none."""
        ...

    def redo(self, coder_id: int) -> Event | None:
        """Apply again the action this coder undid last; None when there is none."""
        ...

    def undo_target(self, coder_id: int, *, redo: bool = False) -> Event | None:
        """Return the event an undo (or redo) of this coder would act on, without acting."""
        ...

    def set_deleted(self, table: str, ids: Sequence[int], when: str | None) -> None:
        """Mark rows deleted (``when`` a timestamp) or live again (``when`` None)."""

    def set_code(self, table: str, ids: Sequence[int], code_id: int) -> None:
        """Point rows of ``table`` (codings) at another code."""


class ProjectStore(ProjectFile, Coders, SourcesAndUnits, CodebookEditing, CodingsAndReviews,
                   Memos, EventLog, Protocol):
    """Everything the layers above storage may ask of a project (see the module docstring)."""
