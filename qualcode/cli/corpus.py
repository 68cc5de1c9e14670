"""``qualcode import``: bring a corpus (CSV, TSV, JSONL, XLSX, a text folder) into a project."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from qualcode.cli.base import main, open_store, project_argument, stderr_console
from qualcode.cli.coders import check_actor, new_actor_option

FORMAT_CHOICES = ("csv", "tsv", "jsonl", "xlsx", "folder", "text", "docx", "odt", "pdf", "rtf",
                  "html", "vtt", "srt", "json")
SHOWN_SKIPS = 5
SHOWN_NOT_READ = 50
PAGES_SHOWN = 20  # a document this long shows a bar of its pages


@main.command("import")
@project_argument
@click.argument("corpus", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES),
              help="Corpus format (default: from the extension; a folder is 'folder'). "
                   "For a .qdpx, 'json' prints the import's report as JSON, every item whole.")
@click.option("--id-col", metavar="COL", help="Column holding each source's unique id "
              "[default: id].")
@click.option("--text-col", metavar="COL", help="Column holding the text [default: text].")
@click.option("--name-col", metavar="COL", help="Column holding a display name "
              "[default: the id].")
@click.option("--meta", "meta", metavar="COL", multiple=True,
              help="Keep only this column as metadata (repeatable). By default every "
                   "other column is kept.")
@click.option("--no-meta", is_flag=True, help="Keep no metadata columns.")
@click.option("--skip-empty", is_flag=True,
              help="Leave out rows whose text is empty or blank (they are counted).")
@click.option("--update", is_flag=True,
              help="Replace sources whose id is already in the project (a coded source's "
                   "text cannot change).")
@click.option("--sheet", metavar="NAME", help="Worksheet of an .xlsx file [default: the first].")
@click.option("--coder", metavar="NAME", help="Record the import under this coder's name.")
@new_actor_option
@click.option("--speakers", is_flag=True,
              help="Transcripts (text files and documents): record each paragraph's speaker "
                   "from turns written 'Name:', '[00:01:02] Name:' or '<v Name>'.")
@click.option("--follow-links", is_flag=True,
              help="Folders: also import symbolic links to .txt/.md files inside the folder "
                   "(links leading outside it, to folders or to devices are never followed).")
def import_command(project: Path, corpus: Path, fmt: str | None, id_col: str | None,
                   text_col: str | None, name_col: str | None, meta: tuple[str, ...],
                   no_meta: bool, skip_empty: bool, update: bool, sheet: str | None,
                   coder: str | None, speakers: bool, follow_links: bool) -> None:
    """Import the sources of FILE (one row, line or text file each) into PROJECT.

    FILE is a .csv, .tsv, .jsonl or .xlsx table with a header; a text file (.txt, .md)
    or a document (.docx, .odt, .pdf with a text layer, .rtf, .html, .vtt, .srt), one
    source each; or a folder of text files and documents. Tables need an id and a text
    column; every other column becomes metadata (study, participant, ...) unless --meta
    or --no-meta says otherwise. The file must be
    UTF-8. Nothing is imported unless every row is valid: an error names the file and
    line, and the project stays as it was. In a folder only regular files are read:
    symbolic links (unless --follow-links, for links inside the folder), pipes, sockets
    and devices are left out and listed. A REFI-QDA project (.qdpx: sources, codebook,
    coders' codings and notes, as with 'qualcode merge') or codebook (.qdc) from NVivo,
    ATLAS.ti, MAXQDA or QualCoder is imported too; the table options do not apply to it.

    \b
    Examples:
      qualcode import study.qualcode answers.csv --id-col response_id --meta study
      qualcode import study.qualcode interviews/ --coder alice
      qualcode import study.qualcode transcripts/ --speakers
      qualcode import study.qualcode article.pdf
      qualcode import study.qualcode from-nvivo.qdpx
      qualcode import study.qualcode from-nvivo.qdpx --format json
    """
    from qualcode.interchange.corpus_import import import_corpus

    if corpus.suffix.lower() in (".qdpx", ".qdc"):  # REFI-QDA project or codebook
        from qualcode.cli.refi import import_refi

        return import_refi(project, corpus, coder, fmt)
    if fmt == "json":
        raise click.UsageError("--format json is the report format of a .qdpx import; a "
                               "JSON Lines corpus is --format jsonl")
    if meta and no_meta:
        raise click.UsageError("--meta and --no-meta contradict each other; use one")
    meta_cols: list[str] | None = [] if no_meta else (list(meta) if meta else None)
    with open_store(project) as store, _progress(corpus.name) as (on_progress, on_pages):
        check_actor(store, coder)  # a likely typo of a coder's name is refused
        report = import_corpus(store, corpus, update=update, coder=coder,
                               on_progress=on_progress, id_col=id_col, text_col=text_col,
                               name_col=name_col, meta_cols=meta_cols, skip_empty=skip_empty,
                               sheet=sheet, fmt=fmt, follow_links=follow_links,
                               on_pages=on_pages, speakers=speakers)
    summary = (f"Imported {corpus} into {project}: {report.added} added, {report.updated} "
               f"updated, {report.unchanged} unchanged, {len(report.skipped)} skipped")
    if report.skipped:
        shown = ", ".join(report.skipped[:SHOWN_SKIPS])
        more = ", ..." if len(report.skipped) > SHOWN_SKIPS else ""
        summary += f" (empty text: {shown}{more})"
    click.echo(summary)
    if report.not_read:
        click.echo(f"Not read, {len(report.not_read)} entries that are not regular files "
                   "inside the folder:")
        for entry in report.not_read[:SHOWN_NOT_READ]:
            click.echo(f"  {entry}")
        if len(report.not_read) > SHOWN_NOT_READ:
            click.echo(f"  ... and {len(report.not_read) - SHOWN_NOT_READ} more")


@contextmanager
def _progress(label: str) -> Iterator[tuple[Callable[[int], None], Callable[[int, int], None]]]:
    """Show rows read (and a long document's pages) on stderr; silent when not a terminal."""
    console = stderr_console()
    if not console.is_terminal:
        yield (lambda count: None), (lambda done, total: None)
        return
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    started = time.perf_counter()
    # markup=False: the description is a file name, which may hold "[...]".
    columns = (SpinnerColumn(), TextColumn("Importing {task.description}", markup=False),
               TextColumn("{task.fields[count]}"), BarColumn(), TextColumn("{task.fields[rate]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=None, rate="", count="")

        def rows(count: int) -> None:
            elapsed = time.perf_counter() - started
            rate = f"{count / elapsed:,.0f} rows/s" if elapsed > 0 else ""
            progress.update(task, count=f"{count:,} rows", rate=rate)

        def pages(done: int, total: int) -> None:
            if total >= PAGES_SHOWN:
                progress.update(task, total=total, completed=done,
                                count=f"page {done:,} of {total:,}")

        yield rows, pages
