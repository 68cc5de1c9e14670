"""The project store: one SQLite file per project, behind :class:`ProjectStore`.

:mod:`qualcode.storage.interface` states what the layers above may ask of a project;
:class:`Store` is its SQLite implementation.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.storage.interface import ProjectStore
from qualcode.storage.store import Store

__all__ = ["ProjectStore", "Store", "open_project"]


def open_project(path: Path | str, *, readonly: bool | None = None) -> ProjectStore:
    """Open an existing project (see :meth:`Store.open` for ``readonly``)."""
    return Store.open(path, readonly=readonly)
