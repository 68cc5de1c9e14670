"""``qualcode codebook ...``: import, export, show and edit the codebook from the shell.

Codes are named by path (``Theme/Sub-theme/Code``) or by a bare name when only one
code has it. Every edit is one store action, logged as an event.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import click

from qualcode.cli.base import main, open_store, project_argument
from qualcode.cli.coders import actor_id, new_actor_option
from qualcode.errors import CodebookError, FormatError, NotFoundError
from qualcode.interchange.codebook_yaml import (
    clean_text,
    dump_codebook_yaml,
    normalise_colour,
    read_codebook_yaml,
)
from qualcode.model import PATH_SEPARATOR, Code, Codebook, CodeKind

KINDS = {"theme": CodeKind.THEME, "subtheme": CodeKind.SUBTHEME, "code": CodeKind.CODE}
# theme > sub-theme > code: depth 0, 1, 2. The YAML format and the theme tables hold no more.

def coder_option(func: Any) -> Any:
    """Add --coder (who makes the change) and --new-coder (see qualcode/cli/coders.py)."""
    return click.option(
        "--coder", metavar="NAME",
        help="Who makes the change (logged with the event, so they can undo it).")(
            new_actor_option(func))


@main.group()
def codebook() -> None:
    """Import, export, show and edit the codebook (theme > sub-theme > code).

    Name a code by its path, Theme/Sub-theme/Code, or by its bare name when no
    other code has it.

    \b
    Example:
      qualcode codebook import study.qualcode codebook.yaml
      qualcode codebook show study.qualcode --definitions
    """


# -- helpers ---------------------------------------------------------------------------


def resolve(book: Codebook, name_or_path: str) -> Code:
    """Return the one code a path or bare name means, or explain why there is none."""
    wanted = name_or_path.strip()
    matches = book.find(wanted)
    if not matches and PATH_SEPARATOR in wanted:
        # Paths are typed by hand: forgive case and spacing, as sibling names ignore case.
        folded = PATH_SEPARATOR.join(p.strip() for p in wanted.split(PATH_SEPARATOR)).casefold()
        matches = [c for c in book if book.path(c).casefold() == folded]
    if len(matches) == 1:
        return matches[0]
    if matches:
        paths = ", ".join(sorted(book.path(c) for c in matches))
        raise CodebookError(f"{wanted!r} matches several codes ({paths}); give the full path")
    known = [book.path(c) for c in book] + [c.name for c in book]
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(repr(c) for c in dict.fromkeys(close))}? " if close else ""
    raise NotFoundError(f"no code {wanted!r} in the codebook; {hint}"
                        "list the codes with 'qualcode codebook show'")


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _actor(store: Any, coder: str | None) -> int | None:
    return actor_id(store, coder)  # a likely typo of a coder's name is refused


def _text(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


def codebook_tree(book: Codebook, counts: dict[int, int], *, title: str,
                  definitions: bool = False) -> Any:
    """Return a rich Tree of the codebook: swatch, name, shortcut key and coding counts."""
    from rich.text import Text
    from rich.tree import Tree

    totals: dict[int, int] = {}
    for code in book:
        for node in [code, *book.ancestors(code)]:
            totals[node.id] = totals.get(node.id, 0) + counts.get(code.id, 0)
    themes = sum(1 for c in book if c.kind is CodeKind.THEME)
    codable = sum(1 for c in book if c.codable)
    tree = Tree(Text(f"{title}: {_count(len(book), 'node')}, {_count(themes, 'theme')}, "
                     f"{codable} codable", style="bold"))
    branches: dict[int | None, Any] = {None: tree}
    for _depth, code in book.walk():
        label = Text()
        # Text objects, not markup: a code named "[red]" must print as written.
        label.append("■ " if code.colour else "  ", style=code.colour or "")
        style = {CodeKind.THEME: "bold", CodeKind.SUBTHEME: "italic"}.get(code.kind, "")
        label.append(code.name, style=style)
        if code.kind is not CodeKind.CODE:
            label.append(f"  {code.kind.value}", style="dim")
        if code.shortcut:
            label.append(f"  [{code.shortcut}]", style="cyan")
        own, total = counts.get(code.id, 0), totals.get(code.id, 0)
        if book.children(code.id):
            label.append(f"  {_count(total, 'coding')} in all"
                         + (f" ({own} its own)" if own else ""), style="green")
        elif code.codable or own:
            label.append(f"  {_count(own, 'coding')}", style="green")
        branch = branches[code.parent_id].add(label)
        branches[code.id] = branch
        if definitions:
            for heading, value in (("Definition", code.description),
                                   ("Include", code.inclusion), ("Exclude", code.exclusion),
                                   *(("Example", e) for e in code.examples)):
                if value:
                    line = Text(f"{heading}: ", style="dim bold")
                    line.append(value, style="dim")
                    branch.add(line)
    return tree


# -- import / export / show -------------------------------------------------------------


@codebook.command("import")
@project_argument
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@coder_option
def import_(project: Path, file: Path, coder: str | None) -> None:
    """Add or update codes from a codebook YAML file or a REFI-QDA .qdc codebook.

    FILE is qualcode's YAML (the format is described in docs/codebook-format.md) or a
    .qdc exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or qualcode (chosen by the
    extension). Nodes are matched by guid, else by path; nothing in the project is
    deleted.

    \b
    Examples:
      qualcode codebook import study.qualcode codebook.yaml --coder alice
      qualcode codebook import study.qualcode from-nvivo.qdc
    """
    if file.suffix.lower() == ".qdc":  # REFI-QDA codebook from NVivo, ATLAS.ti, MAXQDA...
        from qualcode.cli.refi import import_refi

        return import_refi(project, file, coder)
    if file.suffix.lower() == ".qdpx":  # else read as YAML: a misleading "not UTF-8"
        raise FormatError("is a REFI-QDA project, not a codebook; bring its codebook in with "
                          f"'qualcode import {project} {file}' (sources and codings too)",
                          path=str(file))
    roots = read_codebook_yaml(file)
    with open_store(project) as store:
        try:
            report = store.import_codebook(roots, actor_id=_actor(store, coder))
        except CodebookError as error:
            if error.path is None:
                raise CodebookError(error.message, path=str(file), line=error.line) from None
            raise
    click.echo(f"Imported {file}: {report.added} added, {report.updated} updated, "
               f"{report.unchanged} unchanged.")


@codebook.command()
@project_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--name", help="Title written into the file (default: the project's name).")
def export(project: Path, output: Path | None, name: str | None) -> None:
    """Write the codebook as YAML (standard output by default).

    GUIDs are included, so the file can be edited and imported again.

    \b
    Example:
      qualcode codebook export study.qualcode -o codebook.yaml
    """
    with open_store(project) as store:
        book = store.codebook()
    text = dump_codebook_yaml(book, name=name if name is not None else project.stem)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8", newline="\n")
    click.echo(f"Wrote {len(book)} codebook entries to {output}.", err=True)


@codebook.command()
@project_argument
@click.option("--definitions", is_flag=True,
              help="Also print each node's definition, inclusion and exclusion criteria and "
                   "examples.")
def show(project: Path, definitions: bool) -> None:
    """Show the codebook as a tree.

    Each node shows its colour, shortcut key and coding counts. Counts are live
    codings of all coders and layers: a code's own, and for a node
    with children the total below it.

    \b
    Example:
      qualcode codebook show study.qualcode --definitions
    """
    from qualcode.interchange.literal import literal_console

    with open_store(project) as store:
        book = store.codebook()
        counts = store.coding_counts()
    console = literal_console()
    if not len(book):
        console.print(f"The codebook of {project} is empty. Add nodes with 'qualcode codebook "
                      "add' or import a file with 'qualcode codebook import'.", markup=False)
        return
    console.print(codebook_tree(book, counts, title=str(project), definitions=definitions))


# -- edits -------------------------------------------------------------------------------


@codebook.command()
@project_argument
@click.argument("name")
@click.option("--parent", metavar="PATH", help="Theme or sub-theme to add it under.")
@click.option("--kind", type=click.Choice(sorted(KINDS)),
              help="theme, subtheme or code (default: theme at the top level, code under a "
                   "parent).")
@click.option("--description", help="Definition: what the node covers.")
@click.option("--inclusion", help="When to apply the code.")
@click.option("--exclusion", help="When not to apply it, and what to use instead.")
@click.option("--example", "examples", multiple=True, help="An example passage (repeatable).")
@click.option("--colour", help='Colour as "#RRGGBB" (or "#RGB").')
@click.option("--shortcut", help="One key to apply the code on the coding screen.")
@coder_option
def add(project: Path, name: str, parent: str | None, kind: str | None,
        description: str | None, inclusion: str | None, exclusion: str | None,
        examples: tuple[str, ...], colour: str | None, shortcut: str | None,
        coder: str | None) -> None:
    """Add a theme, sub-theme or code.

    \b
    Example:
      qualcode codebook add study.qualcode Communication --colour "#1F77B4"
      qualcode codebook add study.qualcode "Listening" --parent Communication \\
          --description "The doctor attends to the patient" --shortcut l
    """
    with open_store(project) as store:
        book = store.codebook()
        parent_code = resolve(book, parent) if parent else None
        code_kind = KINDS[kind] if kind else (CodeKind.CODE if parent_code else CodeKind.THEME)
        code = store.add_code(
            name, parent_id=parent_code.id if parent_code else None, kind=code_kind,
            description=_text(description) or "", inclusion=_text(inclusion) or "",
            exclusion=_text(exclusion) or "",
            examples=[e for e in (clean_text(x) for x in examples) if e],
            colour=normalise_colour(colour) if colour else None, shortcut=shortcut or None,
            actor_id=_actor(store, coder))
        path = store.codebook().path(code)
    click.echo(f"Added {code_kind.value} {path!r}.")


@codebook.command()
@project_argument
@click.argument("path")
@click.argument("new_name")
@coder_option
def rename(project: Path, path: str, new_name: str, coder: str | None) -> None:
    """Rename a node; its codings and children stay with it.

    \b
    Example:
      qualcode codebook rename study.qualcode Communication/Listening "Active listening"
    """
    with open_store(project) as store:
        book = store.codebook()
        code = resolve(book, path)
        renamed = store.update_code(code.id, name=new_name, actor_id=_actor(store, coder))
        new_path = store.codebook().path(renamed)
    click.echo(f"Renamed {book.path(code)!r} to {new_path!r}.")


@codebook.command()
@project_argument
@click.argument("path")
@click.option("--to", "to", metavar="PARENT_PATH",
              help="The new parent ('' for the top level).")
@click.option("--top", is_flag=True, help="Move to the top level (same as --to '').")
@coder_option
def move(project: Path, path: str, to: str | None, top: bool, coder: str | None) -> None:
    """Move a node, with everything below it, under another parent.

    \b
    Example:
      qualcode codebook move study.qualcode "Time pressure" --to Challenges
      qualcode codebook move study.qualcode Challenges/Workload --top
    """
    if top and to:
        raise click.UsageError("give either --to PARENT_PATH or --top, not both")
    if not top and to is None:
        raise click.UsageError("say where to: --to PARENT_PATH, or --top for the top level")
    with open_store(project) as store:
        book = store.codebook()
        code = resolve(book, path)
        parent = resolve(book, to) if to and to.strip() else None
        moved = store.move_code(code.id, parent.id if parent else None,
                                actor_id=_actor(store, coder))
        new_path = store.codebook().path(moved)
    click.echo(f"Moved {book.path(code)!r} to {new_path!r}.")


@codebook.command()
@project_argument
@click.argument("source_path")
@click.argument("into_path")
@coder_option
def merge(project: Path, source_path: str, into_path: str, coder: str | None) -> None:
    """Merge one code into another, then remove it.

    Its codings move to the target; codings that would repeat one the target
    already has are dropped.

    \b
    Example:
      qualcode codebook merge study.qualcode "Listening to patients" Communication/Listening
    """
    with open_store(project) as store:
        book = store.codebook()
        source, target = resolve(book, source_path), resolve(book, into_path)
        # The store refuses a merge that would put nodes where the shape rules forbid.
        moving = store.coding_counts().get(source.id, 0)
        store.merge_codes(source.id, target.id, actor_id=_actor(store, coder))
    click.echo(f"Merged {book.path(source)!r} into {book.path(target)!r} "
               f"({_count(moving, 'coding')} moved).")


@codebook.command()
@project_argument
@click.argument("path")
@click.option("--yes", is_flag=True, help="Confirm deleting a node that has codings.")
@coder_option
def delete(project: Path, path: str, yes: bool, coder: str | None) -> None:
    """Delete a node and everything below it.

    Their codings are hidden, not erased. A node with codings needs --yes. Undo
    brings the node and its codings back.

    \b
    Example:
      qualcode codebook delete study.qualcode Communication/Listening --yes
    """
    with open_store(project) as store:
        book = store.codebook()
        code = resolve(book, path)
        below = book.descendants(code)
        hidden = store.delete_code(code.id, force=yes, actor_id=_actor(store, coder))
    extra = f" and {_count(len(below), 'node')} below it" if below else ""
    click.echo(f"Deleted {book.path(code)!r}{extra}; {_count(hidden, 'coding')} hidden.")


@codebook.command()
@project_argument
@click.argument("path")
@click.option("--description", help="New definition ('' to clear).")
@click.option("--inclusion", help="New inclusion criteria ('' to clear).")
@click.option("--exclusion", help="New exclusion criteria ('' to clear).")
@click.option("--example", "examples", multiple=True,
              help="Replace the examples with these (repeatable).")
@click.option("--colour", help='New colour as "#RRGGBB" ("" to clear).')
@click.option("--shortcut", help='New shortcut key ("" to clear).')
@coder_option
def edit(project: Path, path: str, description: str | None, inclusion: str | None,
         exclusion: str | None, examples: tuple[str, ...], colour: str | None,
         shortcut: str | None, coder: str | None) -> None:
    """Change a node's definition, colour or shortcut.

    Also its inclusion and exclusion criteria and examples; '' clears a field.

    \b
    Example:
      qualcode codebook edit study.qualcode Listening --inclusion "Any mention of being heard"
      qualcode codebook edit study.qualcode Listening --colour "#AEC7E8" --shortcut l
    """
    fields: dict[str, Any] = {}
    for field, value in (("description", description), ("inclusion", inclusion),
                         ("exclusion", exclusion)):
        if value is not None:
            fields[field] = clean_text(value)
    if examples:
        fields["examples"] = [e for e in (clean_text(x) for x in examples) if e]
    if colour is not None:
        fields["colour"] = normalise_colour(colour) if colour.strip() else None
    if shortcut is not None:
        fields["shortcut"] = shortcut or None
    if not fields:
        raise click.UsageError("nothing to change: give at least one of --description, "
                               "--inclusion, --exclusion, --example, --colour, --shortcut")
    with open_store(project) as store:
        book = store.codebook()
        code = resolve(book, path)
        store.update_code(code.id, actor_id=_actor(store, coder), **fields)
    click.echo(f"Updated {', '.join(fields)} of {book.path(code)!r}.")
