"""``qualcode quote pin|unpin|list``: choose the exemplar quotes the theme table shows first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qualcode.cli.base import main, open_store, project_argument

SHOWN = 70
"""Characters of a quote shown in messages and the list (the table shows it whole)."""


@main.group()
def quote() -> None:
    """Pin the passages the theme table shows first as a code's exemplar quotes.

    Name the code by its path (Theme/Sub-theme/Code) or bare name, and the source by
    its id in the imported file. Without --start and --end the whole source is pinned.
    With --coder the pin is that coder's action, undone by qualcode undo --coder NAME.

    \b
    Examples:
      qualcode quote pin study.qualcode --code Listening --source R0004
      qualcode quote pin study.qualcode --code Listening --source R0004 --start 0 --end 58
      qualcode quote list study.qualcode
      qualcode quote unpin study.qualcode --code Listening --source R0004
    """


def _span(start: int | None, end: int | None) -> None:
    from qualcode.errors import QualcodeError

    if (start is None) != (end is None):
        raise QualcodeError("give both --start and --end (characters from 0, end "
                            "exclusive), or neither for the whole source")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def _target(store: Any, code: str, source: str | None) -> tuple[Any, Any]:
    """The code (by path or name) and the source (by external id) the user named."""
    from qualcode.cli.codebook import resolve

    found = resolve(store.codebook(), code)
    return found, store.source_by_external_id(source) if source is not None else None


def _coder_id(store: Any, coder: str | None) -> int | None:
    return store.coder(coder, create=False).id if coder else None


_code_option = click.option("--code", required=True, metavar="CODE",
                            help="The code: its path Theme/Sub-theme/Code, or its name.")
_start_option = click.option("--start", type=click.IntRange(min=0), default=None,
                             help="First character of the passage (from 0).")
_end_option = click.option("--end", type=click.IntRange(min=0), default=None,
                           help="Character after the passage (end exclusive).")
_coder_option = click.option("--coder", metavar="NAME",
                             help="Who pins (logged with the event, so they can undo it).")


@quote.command("pin")
@project_argument
@_code_option
@click.option("--source", required=True, metavar="ID", help="The source's id in its file.")
@_start_option
@_end_option
@_coder_option
def pin(project: Path, code: str, source: str, start: int | None, end: int | None,
        coder: str | None) -> None:
    """Pin a passage (or a whole source) as an exemplar quote of a code."""
    from qualcode.storage.pins import pin_quote

    _span(start, end)
    with open_store(project) as store:
        found, src = _target(store, code, source)
        pinned = pin_quote(store, code_id=found.id, source_id=src.id, start=start, end=end,
                           coder_id=_coder_id(store, coder))
        count = len(_pins(store, found.id))
        path = store.codebook().path(found)
    click.echo(f"Pinned \u201c{_short(src.text[pinned.start:pinned.end])}\u201d "
               f"({src.external_id}, characters {pinned.start}-{pinned.end}) to {path}; "
               f"{count} pinned for it, shown first in qualcode export themes.")


@quote.command("unpin")
@project_argument
@_code_option
@click.option("--source", default=None, metavar="ID",
              help="Only the pins of this source [default: every pin of the code].")
@_start_option
@_end_option
@_coder_option
def unpin(project: Path, code: str, source: str | None, start: int | None, end: int | None,
          coder: str | None) -> None:
    """Unpin a code's pinned quotes (all, one source's, or one passage)."""
    from qualcode.errors import QualcodeError
    from qualcode.storage.pins import unpin_quotes

    _span(start, end)
    if start is not None and source is None:
        raise QualcodeError("--start and --end need --source: name the source of the passage")
    with open_store(project) as store:
        found, src = _target(store, code, source)
        removed = unpin_quotes(store, code_id=found.id, source_id=src.id if src else None,
                               start=start, end=end, coder_id=_coder_id(store, coder))
        path = store.codebook().path(found)
    many = "quote" if len(removed) == 1 else "quotes"
    click.echo(f"Unpinned {len(removed)} {many} of {path}.")


def _pins(store: Any, code_id: int | None) -> list[Any]:
    from qualcode.storage.pins import pinned_quotes

    return pinned_quotes(store, code_id)


@quote.command("list")
@project_argument
@click.option("--code", default=None, metavar="CODE", help="Only this code's pins.")
def list_(project: Path, code: str | None) -> None:
    """List the pinned quotes, code by code, in the order the theme table shows them."""
    from rich.table import Table

    from qualcode.interchange.literal import literal_console
    from qualcode.storage.arrays import source_rows

    with open_store(project) as store:
        book = store.codebook()
        found = _target(store, code, None)[0] if code else None
        pins = _pins(store, found.id if found else None)
        names = {c.id: c.name for c in store.coders()}
        sources = source_rows(store, ("external_id", "text"), sorted({p.source_id for p in pins}))
        order = {c.id: i for i, (_, c) in enumerate(book.walk())}
    if not pins:
        click.echo("No pinned quotes" + (f" for {book.path(found)}" if found else "")
                   + "; pin one with qualcode quote pin PROJECT --code CODE --source ID.")
        return
    table = Table("code", "source", "characters", "quote", "pinned by",
                  title=f"{project}: pinned quotes")
    for pin in sorted(pins, key=lambda p: (order.get(p.code_id, 0), p.id)):
        external_id, text = sources[pin.source_id]
        table.add_row(book.path(book.by_id(pin.code_id)), external_id,
                      f"{pin.start}-{pin.end}", _short(text[pin.start:pin.end]),
                      names.get(pin.coder_id, "-"))
    literal_console().print(table)
