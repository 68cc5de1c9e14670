"""A mistyped coder is not a new coder: the ``--new-coder`` rule shared by the commands.

The rule (README, "Coders"):

- ``code --coder NAME`` and ``adjudicate --as NAME`` work as NAME from then on; a name
  that is not a coder of the project is refused, with the closest existing name, unless
  ``--new-coder`` says to start a new coder.
- ``codings import --coder NAME`` brings a file's work in under NAME: a colleague's file is
  often the first sign of a new coder, so a new name is created, but not one that looks
  like a typo of an existing coder (``alcie`` beside ``alice``, ``ａｌｉｃｅ`` in full
  width): that needs ``--new-coder`` too. The next member of a numbered series
  (``Annotator2`` beside ``Annotator1``, ``rater B`` beside ``rater A``) is not a typo.
  Names that differ only in ASCII case are one coder (the project matches them so).
- Commands that record an action under ``--coder`` (``import``, ``codebook ...``,
  ``merge``) follow the ``codings import`` rule: a new name is created, a likely typo
  needs ``--new-coder``.
- Commands that only read or step back a coder's work (``suggest``, ``evaluate``,
  ``undo``, ``redo``, ``log``, exports) never create one: an unknown name is refused with
  the closest existing name (Store.coder(create=False)).

No prompt even on a terminal: a refusal with the suggestion behaves the same in a script,
and re-running with the right name (or --new-coder) is one key press away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from qualcode.errors import NotFoundError
from qualcode.model import is_reserved_name
from qualcode.storage.coder_names import closest_coder, coders_list

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["STRICT_HELP", "TYPO_HELP", "actor_id", "check_actor", "check_new_coder",
           "new_actor_option", "new_coder_option"]
_NEW_ACTOR = "qualcode.new_coder"
"""Where ``--new-coder`` of a command that records its actions under ``--coder`` is kept."""


STRICT_HELP = ("The name is a new coder: create them (without it, a name that is not a "
               "coder of the project is refused, with the closest existing name).")
TYPO_HELP = ("Create the coder even though the name looks like a typo of an existing "
             "coder's (without it, such a name is refused with that coder's name).")


def new_coder_option(help_text: str = STRICT_HELP) -> Callable[[F], F]:
    """Return the ``--new-coder`` option: the name given is meant as a new coder."""
    return click.option("--new-coder", is_flag=True, default=False, help=help_text)


def check_new_coder(store: Any, name: str, *, new_coder: bool, typo_only: bool = False
                    ) -> None:
    """Refuse ``name`` when it is not a coder of the project and ``--new-coder`` was not given.

    With ``typo_only`` an unknown name is refused only when it is close to an existing
    coder's (a likely typo). Reserved and empty names pass through: Store.coder refuses
    them with its own message where the coder is created.
    """
    name = name.strip()
    if new_coder or not name or is_reserved_name(name):
        return
    try:
        store.coder(name, create=False)  # the project's own matching (ASCII case aside)
        return
    except NotFoundError:
        pass
    names = [c.name for c in store.coders()]
    close = closest_coder(name, names)
    if typo_only and close is None:
        return
    guess = f"did you mean {close!r}? " if close else ""
    raise NotFoundError(f"no coder named {name!r} in this project ({guess}coders: "
                        f"{coders_list(names)}); to start a new coder named {name!r}, "
                        "add --new-coder", path=str(store.path))


def _remember_new_actor(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[_NEW_ACTOR] = bool(value)
    return value


def new_actor_option(func: F) -> F:
    """Add ``--new-coder`` to a command that records its actions under ``--coder``.

    The flag is kept in the click context, not passed on, so the command's parameters stay
    as they are; :func:`actor_id` reads it.
    """
    return click.option("--new-coder", is_flag=True, default=False, expose_value=False,
                        callback=_remember_new_actor, help=TYPO_HELP)(func)


def check_actor(store: Any, name: str | None) -> None:
    """Refuse a ``--coder`` to record an action under that looks like a typo (see above)."""
    if name:
        context = click.get_current_context(silent=True)
        new = bool(context is not None and context.meta.get(_NEW_ACTOR))
        check_new_coder(store, name, new_coder=new, typo_only=True)


def actor_id(store: Any, name: str | None) -> int | None:
    """Return the id of the coder an action is recorded under (None when not named),
    creating a new one unless the name looks like a typo of an existing coder's."""
    if not name:
        return None
    check_actor(store, name)
    return int(store.coder(name).id)
