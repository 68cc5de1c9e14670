"""``qualcode merge``: bring another coder's qualcode file or a REFI-QDA .qdpx into a project.

The other file is read whole into a :class:`~qualcode.storage.snapshot.Snapshot`
(a qualcode file read-only, a .qdpx through the hardened REFI reader), an automatic
backup of the project is taken, and the snapshot is applied in one transaction by
:func:`qualcode.storage.merge_apply.apply_snapshot`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import FormatError, StoreError
from qualcode.interchange.readers.safe_open import regular_file_stat
from qualcode.interchange.refi.details import keep_refi_details, note_refi_details
from qualcode.interchange.refi.offsets import Counting
from qualcode.storage.failures import is_integrity_error
from qualcode.storage.merge_apply import Choice, MergeReport, apply_snapshot
from qualcode.storage.snapshot import Snapshot, read_snapshot
from qualcode.storage.snapshot_check import check_snapshot

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

QDPX_SUFFIX = ".qdpx"


def read_other(path: Path, *, counting: Counting | None = None,
               mark_done: bool = False) -> Snapshot:
    """Read a qualcode project or a .qdpx into a snapshot (nothing is written)."""
    # A regular file only: a pipe, socket or device (or a link to one) is refused unread.
    regular_file_stat(path, hint="give another coder's .qualcode file or a .qdpx")
    if path.suffix.lower() == QDPX_SUFFIX:
        from qualcode.interchange.refi.qdpx import read_qdpx

        return read_qdpx(path, counting=counting, mark_done=mark_done)
    if path.suffix.lower() in (".qdc", ".qde"):
        raise FormatError("is a REFI-QDA codebook or bare project XML; merge takes a qualcode "
                          "project or a .qdpx (import a .qdc with 'qualcode codebook import')",
                          path=str(path))
    return read_snapshot(path)


def merge_into(store: ProjectStore, other: Path, *, prefer: Choice | None = None,
               choices: dict[str, Choice] | None = None, actor_id: int | None = None,
               dry_run: bool = False, counting: Counting | None = None,
               mark_done: bool = False, backup: bool = True) -> MergeReport:
    """Merge ``other`` into ``store``; back the project up first unless it is a dry run.

    The backup is taken inside the merge's transaction, once the merge is known to
    change something: conflicts nobody decided stop it before any backup, and a merge
    that changes nothing takes no backup and writes no event.
    """
    if other.exists() and store.path.exists() and other.resolve() == store.path.resolve():
        raise StoreError("is the project itself; merge another coder's file into it",
                         path=str(other))
    snap = read_other(other, counting=counting, mark_done=mark_done)
    check_snapshot(snap)  # a damaged file is refused before a backup is taken for it
    action = "refi.import" if other.suffix.lower() == QDPX_SUFFIX else "merge"
    note_refi_details(store, snap)  # listed in the report and its event, like any left-out

    def take_backup() -> str:
        from qualcode.storage.backup import automatic_backup

        # By path, not through ``store``: a connection of its own sees the project as last
        # committed, before this merge's uncommitted writes.
        return str(automatic_backup(store.path, "before-merge"))
    try:
        # One transaction: the records, and what a .qdpx carries besides them.
        with store.transaction():
            report = apply_snapshot(store, snap, prefer=prefer, choices=choices,
                                    actor_id=actor_id, action=action, dry_run=dry_run,
                                    # A server project keeps no backup folder beside it:
                                    # the merge is one transaction there (all or nothing).
                                    take_backup=take_backup if backup and store.path.exists()
                                    else None)
            keep_refi_details(store, snap, report)
        return report
    except Exception as error:  # rolled back; a damaged file gives NULLs
        if not is_integrity_error(store, error):
            raise
        raise FormatError(f"holds rows that cannot be merged ({error}); nothing was changed; "
                          "is the file damaged? Try `qualcode check` on it", path=str(other)
                          ) from None
