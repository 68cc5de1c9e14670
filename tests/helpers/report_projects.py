"""Projects the report tests build: the demo, and two coders who finished every source."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner

from qualcode.cli import main
from qualcode.model import SourceRecord
from qualcode.storage import Store


def coded_project(path: Path, sources: Sequence[SourceRecord], code_name: str,
                  coders: Sequence[str] = ("alice", "bob")) -> Path:
    """A project of ``sources``, one code, each coder coding every source whole and done."""
    with Store.create(path) as store:
        store.import_sources(sources)
        code = store.add_code(code_name)
        for name in coders:
            coder = store.coder(name)
            for source in store.iter_sources():
                store.add_coding(coder.id, source.id, code.id)
                store.mark_done(store.units_of_source(source.id)[0].id, coder.id)
    return path


ROOT = Path(__file__).resolve().parents[2]


def demo_project(path: Path) -> Path:
    """Build the demo project at ``path`` (``qualcode demo`` reads corpora/ from the cwd)."""
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        done = CliRunner().invoke(main, ["demo", str(path)])
    finally:
        os.chdir(here)
    assert done.exit_code == 0, done.output
    return path
