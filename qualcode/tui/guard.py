"""One guard for every screen action: a failure the user can act on is a notification.

An exception that leaves a Textual message handler ends the app with a traceback (and
stops the screen's message loop). Store and analysis calls fail for reasons the user can
fix (a :class:`~qualcode.errors.QualcodeError`: metadata SQLite cannot read, an unknown
name) or that come from the machine (locked, read-only, full disk: an SQLite or OS error,
said in one line by :func:`qualcode.storage.failures.explain`). :func:`reported` turns
both into one error notification, shown literally (``markup=False``: the line may hold
user text). :func:`guard_actions` applies it to every action and event handler of a screen
class, :class:`GuardedApp` to every dialog's result callback and every call a worker
thread makes into the app; :func:`guarded` is for one method. Anything else (a bug) still
ends the app with its traceback, so it is seen and fixed.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from qualcode.errors import QualcodeError
from qualcode.storage.failures import one_line_failures

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

GUARDED_PREFIXES = ("action_", "on_", "_on_", "_poll_", "_refit_")
"""Method names :func:`guard_actions` wraps: Textual actions and handlers, and the coding
screen's timer callbacks (``_poll_codebook``, ``_refit_due``)."""


class Notifier(Protocol):
    """Anything that can show a notification (a Textual app, screen or widget)."""

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Show ``message`` to the user."""


def project_path(node: Any) -> Path | None:
    """Return the open project's path, found through the node's app and its session."""
    app = getattr(node, "app", node)
    for owner in (node, app):
        session = getattr(owner, "session", None)
        store = getattr(session, "store", None)
        path = getattr(store, "path", None)
        if path is not None:
            return Path(path)
    return None


@contextlib.contextmanager
def reported(node: Notifier) -> Iterator[None]:
    """Show a QualcodeError, or a database or disk failure, raised in the block as one line.

    Anything else (a bug) still propagates, so it is seen and fixed.
    """
    try:
        with one_line_failures(_safe_path(node)):
            yield
    except QualcodeError as error:
        node.notify(" ".join(str(error).split()), severity="error", timeout=10, markup=False)


def _safe_path(node: Any) -> Path | None:
    try:
        return project_path(node)
    except Exception:  # noqa: BLE001 - a missing app (not mounted yet) names no project
        return None


def guarded(method: F) -> F:
    """Wrap a method of a screen, dialog or widget in :func:`reported` (sync or async)."""
    if getattr(method, "_qualcode_guarded", False):
        return method
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            with reported(self):
                return await method(self, *args, **kwargs)
            return None

        # Ignored below: functions take attributes; mypy's Callable has none.
        run_async._qualcode_guarded = True  # type: ignore[attr-defined]
        # Ignored below: the wrapper keeps F's signature (functools.wraps).
        return run_async  # type: ignore[return-value]

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with reported(self):
            return method(self, *args, **kwargs)
        return None

    # Ignored below: functions take attributes; mypy's Callable has none.
    run._qualcode_guarded = True  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]  # the wrapper keeps F's signature (functools.wraps)


def guard_actions(cls: C) -> C:
    """Guard every action, event handler and ``@on`` handler of a screen class.

    Wrapped are the methods named as in :data:`GUARDED_PREFIXES` that the class or one
    of qualcode's mixins defines, and the class's own ``@on(...)`` handlers (Textual
    keeps those in a table built when the class is made). Callbacks a method makes
    inside itself reach the app through ``push_screen`` or ``call_from_thread``, which
    :class:`GuardedApp` guards.
    """
    for name in dir(cls):
        value = inspect.getattr_static(cls, name)
        if name.startswith(GUARDED_PREFIXES) and inspect.isfunction(value) \
                and value.__module__.startswith("qualcode.") \
                and not inspect.isgeneratorfunction(value):
            setattr(cls, name, guarded(value))
    handlers = cls.__dict__.get("_decorated_handlers") or {}
    for message_type, entries in handlers.items():
        handlers[message_type] = [(guarded(method), selectors) for method, selectors in entries]
    return cls


class GuardedApp:
    """App mixin: results of dialogs and calls from worker threads are guarded too."""

    # Hidden from the type checker: App's own (overloaded) signatures stay the ones it sees.
    if not TYPE_CHECKING:
        def push_screen(self, screen, callback=None, wait_for_dismiss=False):
            """Push ``screen``; its result callback shows a failure instead of crashing."""
            if callback is not None:
                callback = guarded_callback(self, callback)
            return super().push_screen(screen, callback, wait_for_dismiss=wait_for_dismiss)

        def call_from_thread(self, callback, *args, **kwargs):
            """Run ``callback`` on the app's loop for a worker; a failure is shown, not raised."""
            return super().call_from_thread(guarded_callback(self, callback), *args, **kwargs)


def guarded_callback(node: Notifier, callback: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a plain callback (a dialog's result handler, a worker's) in :func:`reported`."""
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        with reported(node):
            return callback(*args, **kwargs)
        return None

    return run
