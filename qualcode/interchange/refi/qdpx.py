"""``.qdpx`` files: a ZIP of ``project.qde`` and ``sources/<guid>.txt`` (REFI-QDA 1.5, §8).

Export streams the XML and each text into a ZIP written beside the destination and
renamed into place. Import goes through :class:`.safe_zip.SafeZip` and
:func:`.safe_xml.stream_xml` and returns a :class:`~qualcode.storage.snapshot.Snapshot`;
nothing touches the project until the snapshot is applied in one transaction.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import FormatError
from qualcode.interchange.refi.offsets import Counting
from qualcode.interchange.refi.project_read import ProjectReader
from qualcode.interchange.refi.project_xml import ExportReport, ProjectWriter
from qualcode.interchange.refi.safe_zip import SafeZip
from qualcode.storage.files import replacing
from qualcode.storage.merge_base import EXPORT_MEMBER, export_marker, parse_marker
from qualcode.storage.snapshot import Snapshot

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

PROJECT_MEMBER = "project.qde"


def export_qdpx(store: ProjectStore, path: Path, *, coders: set[int] | None = None,
                consensus: bool = True) -> ExportReport:
    """Write the project as a ``.qdpx``; ``coders`` limits whose codings go (consensus aside)."""
    writer = ProjectWriter(store, coders=coders, consensus=consensus)
    with replacing(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open(PROJECT_MEMBER, "w", force_zip64=True) as member:
                writer.write(member)
            for source in store.iter_sources():
                # Bytes as stored: CR LF stays CR LF, so positions count every code point.
                archive.writestr(f"sources/{source.guid}.txt",
                                 source.text.encode("utf-8", "replace"))
            # qualcode's own member (other tools ignore it): merging the file back into a
            # qualcode project merges three ways against what was exported.
            archive.writestr(EXPORT_MEMBER, json.dumps(export_marker(store)))
    return writer.report


def read_qdpx(path: Path, *, counting: Counting | None = None,
              mark_done: bool = False) -> Snapshot:
    """Read a ``.qdpx`` into a snapshot, refusing hostile archives and XML."""
    path = Path(path)
    with SafeZip(path) as archive:
        info = archive.find(PROJECT_MEMBER)
        if info is None:
            qde = [n for n in archive.names() if n.lower().endswith(".qde") and "/" not in n]
            info = archive.find(qde[0]) if len(qde) == 1 else None
        if info is None:
            raise FormatError("holds no project.qde; is this a REFI-QDA project (.qdpx)?",
                              path=str(path))
        reader = ProjectReader(path, archive, counting=counting)
        snap = reader.read_xml(archive.read(info), f"{path}:{info.filename}")
        marker = archive.find(EXPORT_MEMBER)
        if marker is not None:
            def refuse(problem: str) -> None:
                raise FormatError(f"member {EXPORT_MEMBER} {problem}; export the project "
                                  "again, or delete that member to merge without it",
                                  path=str(path))
            snap.replica, snap.bases = parse_marker(bytes(archive.read(marker)), refuse)
    if mark_done:
        reader.mark_all_done(snap)
    return snap
