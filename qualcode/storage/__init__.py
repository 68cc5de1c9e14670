"""The project store: a SQLite file or a PostgreSQL schema per project (:class:`ProjectStore`).

:mod:`qualcode.storage.interface` states what the layers above may ask of a project;
:class:`Store` implements it on either engine (:mod:`qualcode.storage.backends`).
"""

from __future__ import annotations

from pathlib import Path

from qualcode.storage.interface import ProjectStore
from qualcode.storage.store import Store

__all__ = ["ProjectStore", "Store", "open_project"]


def open_project(path: Path | str, *, readonly: bool | None = None) -> ProjectStore:
    """Open an existing project, a path or a ``postgresql://`` URL (see :meth:`Store.open`)."""
    return Store.open(path, readonly=readonly)
