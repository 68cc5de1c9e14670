"""``qualcode demo``: build a demo project from the bundled, illustrative Balint data."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import ProjectLocation, main


@main.command("demo")
@click.argument("project", type=ProjectLocation(), default="demo.qualcode")
@click.option("--corpus", type=click.Choice(["metasynthesis", "survey"]),
              default="metasynthesis", show_default=True,
              help="Which bundled corpus: findings of 18 Balint-group studies, or "
                   "medical students' survey answers.")
@click.option("--data", "data_root", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding corpora/ and codebooks/ [default: this checkout].")
@click.option("--force", is_flag=True,
              help="Rebuild PROJECT if it exists (discards the coding done in it).")
@click.option("--keep", is_flag=True,
              help="If PROJECT exists, keep it as it is and exit successfully.")
def demo_command(project: Path, corpus: str, data_root: Path | None, force: bool,
                 keep: bool) -> None:
    """Build PROJECT from codebooks/balint.yaml, one corpus and alice's and bob's codings.

    The data is illustrative (see corpora/README.md). The project is built aside and
    moved into place only when complete. PROJECT may be a server project's URL: the demo
    is then built as a file and copied there in one transaction.

    \b
    Examples:
      qualcode demo demo.qualcode --keep
      qualcode demo survey.qualcode --corpus survey --keep
      qualcode demo demo.qualcode --force
      qualcode demo "postgresql://lead@localhost/review?project=demo" --keep
    """
    from qualcode.interchange.demo import build_demo_project
    from qualcode.storage import project_exists

    if keep and project_exists(project):
        click.echo(f"{project} exists; keeping it (rebuild with --force).")
        return
    summary = build_demo_project(project, corpus, data_root=data_root, replace=force)
    coded = ", ".join(f"{name} {count}" for name, count in summary.codings.items())
    click.echo(f"Built {summary.path} from the {summary.corpus} corpus: {summary.sources} "
               f"sources, {summary.codes} codebook nodes, codings by {coded}.")
