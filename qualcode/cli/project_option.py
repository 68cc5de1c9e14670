"""Name the project once: ``--project`` or ``QUALCODE_PROJECT`` instead of the PROJECT argument.

A team on a server types a long ``postgresql://`` URL; a coder on one file types its
path in every command. Either may instead be given once, with ``--project`` (anywhere on
the command line, before the command's name too: ``qualcode --project P status``) or in
the ``QUALCODE_PROJECT`` environment variable:

    export QUALCODE_PROJECT="postgresql://alice@db.example.org/review?project=balint"
    qualcode status
    qualcode code --coder alice

The rule is simple and never guesses from the words typed: ``--project VALUE`` always
fills PROJECT (the other arguments keep their places); ``QUALCODE_PROJECT`` fills it only
when the command line leaves PROJECT out, that is when it holds fewer positional
arguments than the command requires. ``demo``, whose PROJECT has a default
(``demo.qualcode``), never reads it: ``demo --force`` must not rebuild the project a
coder works in. A command with a variable number of arguments after PROJECT
(``agreement PROJECT [CODER]...``) takes its first argument as PROJECT only when it
reads as one: a server URL, a name ending in ``.qualcode``, or an existing file.
"""

from __future__ import annotations

import os
from typing import Any

import click

ENVIRONMENT_VARIABLE = "QUALCODE_PROJECT"
OPTION = "--project"


class ProjectCommand(click.Command):
    """A command whose PROJECT argument may come from ``--project`` or ``QUALCODE_PROJECT``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self._project_argument()
        if project is not None:
            # Shown in --help; the value is moved into PROJECT's place before parsing.
            self.params.append(click.Option(
                [OPTION, "project_option"], metavar="PROJECT", expose_value=False,
                help=_option_help(project)))

    def _project_argument(self) -> click.Argument | None:
        for param in self.params:
            if isinstance(param, click.Argument) and param.name == "project":
                return param
        return None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Put ``--project``'s value, or ``QUALCODE_PROJECT``'s, in PROJECT's place."""
        project = self._project_argument()
        if project is None:
            return super().parse_args(ctx, args)
        try:
            return super().parse_args(ctx, self._with_project(ctx, project, list(args)))
        except click.MissingParameter as missing:
            if missing.param is not project:
                raise
            raise click.MissingParameter(
                f"Give it as an argument, with {OPTION}, or in {ENVIRONMENT_VARIABLE}.",
                ctx=ctx, param=project) from None

    def _with_project(self, ctx: click.Context, project: click.Argument,
                      args: list[str]) -> list[str]:
        given, rest = _take_option(args)
        if given is not None:
            return [given, *rest]
        from_environment = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
        if not from_environment or _asks_for_help(ctx, args):
            return args
        positionals = self._positionals(ctx, args)
        arguments = [p for p in self.params if isinstance(p, click.Argument)]
        required = sum(1 for p in arguments if p.required)
        variadic = any(p.nargs == -1 for p in arguments)
        if not project.required:
            return args  # demo's PROJECT has a default: never rebuild the project in use
        left_out = (len(positionals) < required
                    or (variadic and not _names_a_project(positionals[0])))
        return [from_environment, *args] if left_out else args

    def _positionals(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The positional arguments in ``args``, skipping options and their values."""
        takes: dict[str, int] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                values = 0 if param.is_flag or param.count else param.nargs
                for name in (*param.opts, *param.secondary_opts):
                    takes[name] = values
        found: list[str] = []
        tokens = iter(args)
        for token in tokens:
            if token == "--":
                return [*found, *tokens]
            if token.startswith("-") and token != "-":
                if "=" not in token:
                    for _ in range(takes.get(token, 0)):
                        next(tokens, None)
                continue
            found.append(token)
        return found


def project_after_command(ctx: click.Context, group: click.Group,
                          args: list[str]) -> list[str]:
    """Move a ``--project`` given before a group's command name to just after that name.

    ``qualcode --project P status`` becomes ``qualcode status --project P``; a nested group
    moves it again (``codebook --project P show`` to ``codebook show --project P``). A
    command that builds its project (``demo``, whose PROJECT has a default) does not take
    it from there: a shell alias holding ``--project`` must never rebuild the project a
    team works in. Raises :class:`click.UsageError` for a ``--project`` with no value or
    no command after it (help and version are still shown).
    """
    taken: list[int] = []
    index = 0
    while index < len(args):
        token = args[index]
        if token == OPTION:
            if index + 1 == len(args) or args[index + 1].startswith("-"):
                raise click.UsageError(f"{OPTION} needs a project after it: a .qualcode "
                                       "file or a postgresql:// URL", ctx=ctx)
            taken += [index, index + 1]
            index += 2
            continue
        if token.startswith(f"{OPTION}="):
            taken.append(index)
        elif token == "--" or not token.startswith("-"):
            break
        index += 1
    if not taken:
        return args
    rest = [token for at, token in enumerate(args) if at not in taken]
    moved = [args[at] for at in taken]
    if index == len(args) or args[index] == "--":
        if any(token in (*ctx.help_option_names, "--version") for token in rest):
            return rest
        raise click.UsageError(f"{OPTION} given with no command after it; e.g. qualcode "
                               f"{OPTION} study.qualcode status", ctx=ctx)
    name = args[index]
    command = group.get_command(ctx, name)
    if command is not None and not _takes_project(command):
        raise click.UsageError(f"{OPTION} before '{name}' is not taken: give '{name}' its "
                               "project after its name (qualcode demo PROJECT)"
                               if isinstance(command, ProjectCommand) else
                               f"'{name}' takes no project", ctx=ctx)
    at = index - len([t for t in taken if t < index])
    return [*rest[:at + 1], *moved, *rest[at + 1:]]


def _takes_project(command: click.Command) -> bool:
    """True for a group, or a command whose PROJECT is required (not ``demo``'s)."""
    if isinstance(command, click.Group):
        return True
    project = command._project_argument() if isinstance(command, ProjectCommand) else None
    return project is not None and project.required


def _names_a_project(token: str) -> bool:
    """True when a word reads as a project: a server URL, a ``.qualcode`` name, a file."""
    from pathlib import Path

    from qualcode.storage.backends.urls import server_url

    return (server_url(token) is not None or token.endswith(".qualcode")
            or Path(token).is_file())


def _option_help(project: click.Argument) -> str:
    if not project.required:
        return "The project, instead of the PROJECT argument."
    return (f"The project, instead of the PROJECT argument [default: "
            f"${ENVIRONMENT_VARIABLE}, when set and PROJECT is left out].")


def _take_option(args: list[str]) -> tuple[str | None, list[str]]:
    """Remove the last ``--project VALUE`` (or ``--project=VALUE``) from ``args``.

    A ``--project`` with no value is left in place, for click to say it needs one.
    """
    value: str | None = None
    rest: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            rest.extend(args[index:])
            break
        if token.startswith(f"{OPTION}="):
            value = token.split("=", 1)[1]
        elif token == OPTION and index + 1 < len(args):
            value = args[index + 1]
            index += 1
        else:
            rest.append(token)
        index += 1
    return value, rest


def _asks_for_help(ctx: click.Context, args: list[str]) -> bool:
    return any(token in ctx.help_option_names for token in args)
