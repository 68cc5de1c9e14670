"""The root click group and the helpers every command shares."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

import click

from qualcode import __version__
from qualcode.cli.project_option import ProjectCommand, project_after_command
from qualcode.errors import QualcodeError
from qualcode.storage.backends.urls import mask_password, note_password
from qualcode.storage.failures import failure_line
from qualcode.storage.files import open_replacing
from qualcode.storage.interface import ProjectStore

F = TypeVar("F", bound=Callable[..., Any])
_OPENED: list[Path] = []
"""Projects this command opened, newest last (named when the database fails)."""


class QualcodeGroup(click.Group):
    """A click group that prints a :class:`QualcodeError` as one line and exits non-zero."""

    command_class = ProjectCommand  # PROJECT may come from --project or QUALCODE_PROJECT
    group_class = type  # subgroups (codebook, export, ...) are QualcodeGroups too

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Note the password of any URL on the line (even where a file was expected), and
        let ``--project`` come before the command's name."""
        for argument in args:
            note_password(argument)
        return super().parse_args(ctx, project_after_command(ctx, self, args))

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn user mistakes into one clear line, not a traceback."""
        try:
            return super().invoke(ctx)
        except QualcodeError as error:
            click.echo(f"Error: {mask_password(str(error))}", err=True)
            ctx.exit(error.exit_code)
        except click.ClickException as error:
            # click's own words may quote a URL typed; its format_message reads .message
            # (declared Final, yet the only way to change what click shows).
            error.message = mask_password(error.message)  # type: ignore[misc]
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted; the last completed action is saved.", err=True)
            ctx.exit(130)
        except Exception as error:
            # The database, the disk or the server failed (locked, full, dropped): one line.
            project = _OPENED[-1] if _OPENED else getattr(error, "filename", None)
            failure = failure_line(error, project)
            if failure is None:
                raise
            click.echo(f"Error: {mask_password(str(failure))}", err=True)
            ctx.exit(failure.exit_code)


@click.group(cls=QualcodeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualcode")
def main() -> None:
    """qualcode: qualitative thematic coding in the terminal.

    A project is one SQLite file (for example study.qualcode), or a project on a
    PostgreSQL server (postgresql://USER@HOST/DATABASE?project=NAME). Import a corpus and
    a codebook, code it with two or more coders, then report agreement per code and theme.

    Every command's PROJECT may instead be given with --project, or once for the shell
    in QUALCODE_PROJECT (used when PROJECT is left out).
    """


class ProjectLocation(click.ParamType):
    """A project: a ``.qualcode`` file, or a server URL (``postgresql://...?project=NAME``).

    A URL becomes a :class:`~qualcode.storage.backends.urls.ServerPath`, which prints
    without its password; the password is kept in memory for opening the store.
    """

    name = "project"
    _file = click.Path(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Path:
        """Return the file's Path, or the server project's ServerPath."""
        from qualcode.storage.backends.urls import ServerPath, remember, server_url

        url = server_url(value) if isinstance(value, str | Path) else None
        if url is not None:
            return ServerPath(remember(url))
        converted: Path = self._file.convert(value, param, ctx)
        return converted


def project_argument(func: F) -> F:
    """Add the PROJECT argument (a .qualcode file, or a postgresql:// URL)."""
    return click.argument("project", type=ProjectLocation())(func)


def open_store(project: Path, *, create: bool = False) -> ProjectStore:
    """Open a project's store, refusing a path that is not a project unless creating it."""
    from qualcode.storage import Store

    _OPENED.append(project)  # named by a database failure's message
    if create:
        return Store.create(project)
    return Store.open(project)


def stderr_console() -> Any:
    """Return a rich console writing to stderr (progress bars, warnings); strings as typed."""
    from qualcode.interchange.literal import literal_console

    return literal_console(file=sys.stderr)


@contextlib.contextmanager
def output_stream(target: Path | None) -> Iterator[TextIO]:
    """Yield standard output, or a file that replaces ``target`` only when complete."""
    if target is None:
        yield sys.stdout
        return
    with open_replacing(target, "w") as handle:
        yield cast(TextIO, handle)  # opened in text mode
