"""The project store: a SQLite file or a PostgreSQL schema per project (:class:`ProjectStore`).

:mod:`qualcode.storage.interface` states what the layers above may ask of a project;
:class:`Store` implements it on either engine (:mod:`qualcode.storage.backends`).
"""

from __future__ import annotations

from pathlib import Path

from qualcode.storage.interface import ProjectStore
from qualcode.storage.store import Store

__all__ = ["ProjectStore", "Store", "check_replaceable", "open_project", "project_exists"]


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



def check_replaceable(location: Path | str) -> None:
    """Raise StoreError unless what is at ``location`` is a project (or nothing) that a
    rebuild may replace: never an unrelated file, nor a server schema of someone else's."""
    from qualcode.storage.backends.urls import recall, server_url

    url = server_url(location)
    if url is None:
        from qualcode.storage.connection import check_is_project

        if Path(location).exists():
            check_is_project(Path(location))
        return
    from qualcode.storage.backends.postgres_schemas import check_replaceable as check_schema

    check_schema(recall(url))
