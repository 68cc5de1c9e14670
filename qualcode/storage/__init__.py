"""The project store: a SQLite file or a PostgreSQL schema per project (:class:`ProjectStore`).

:mod:`qualcode.storage.interface` states what the layers above may ask of a project;
:class:`Store` implements it on either engine (:mod:`qualcode.storage.backends`).
"""

from __future__ import annotations

from pathlib import Path

from qualcode.storage.interface import ProjectStore
from qualcode.storage.store import Store

__all__ = ["ProjectStore", "Store", "open_project", "prepare_to_replace", "project_exists"]


def open_project(path: Path | str, *, readonly: bool | None = None) -> ProjectStore:
    """Open an existing project, a path or a ``postgresql://`` URL (see :meth:`Store.open`)."""
    return Store.open(path, readonly=readonly)


def project_exists(location: Path | str) -> bool:
    """True when a project file, or a server project's schema, exists at ``location``."""
    from qualcode.storage.backends.urls import recall, server_url

    url = server_url(location)
    if url is None:
        return Path(location).exists()
    from qualcode.storage.backends.postgres_schemas import project_schema_exists

    return project_schema_exists(recall(url))


def prepare_to_replace(location: Path | str) -> None:
    """Raise StoreError unless the project at ``location`` may be replaced: a project (never
    an unrelated file, nor a server schema of someone else's) that nobody has open.

    A file's WAL is folded in on the way (:func:`qualcode.storage.connection.prepare_to_replace`).
    """
    from qualcode.storage.backends.urls import recall, server_url

    url = server_url(location)
    if url is None:
        from qualcode.storage.connection import prepare_to_replace as prepare_file

        prepare_file(Path(location))
        return
    from qualcode.storage.backends.postgres_schemas import check_replaceable

    check_replaceable(recall(url))
