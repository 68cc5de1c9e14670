"""The project store: one SQLite file per project (see :class:`Store`)."""

from qualcode.storage.store import Store

__all__ = ["Store"]
