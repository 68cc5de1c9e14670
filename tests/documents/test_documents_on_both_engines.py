"""Transcripts with speakers import and filter the same on a file and on a server project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.store_engines import ENGINES, engine_location
from qualcode.cli import main
from qualcode.storage import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=ENGINES)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    yield from engine_location(request, tmp_path)


def test_demo_transcripts_with_speakers_on_either_engine(project: Path) -> None:
    runner = CliRunner()
    for args in (["codebook", "import", str(project), str(ROOT / "codebooks/balint.yaml")],
                 ["import", str(project), str(ROOT / "corpora/transcripts"), "--speakers"],
                 ["codings", "import", str(project),
                  str(ROOT / "corpora/codings/transcripts_alice.csv"), "--coder", "alice"],
                 ["codings", "import", str(project),
                  str(ROOT / "corpora/codings/transcripts_bob.csv"), "--coder", "bob"]):
        done = runner.invoke(main, args)
        assert done.exit_code == 0, (args, done.output)
    with Store.open(project) as store:
        assert store.speakers() == {"Interviewer": 18, "P1": 5, "P2": 5, "P3": 4, "P4": 4}
        pdf_less = [a for s in store.iter_sources() for a in store.paragraph_attributes(s.id)]
        assert all(a.speaker for a in pdf_less)
    done = runner.invoke(main, ["agreement", str(project), "--coders", "alice", "bob", "--unit",
                                "paragraph", "--speaker", "P1,P2,P3,P4", "--format", "json"])
    assert done.exit_code == 0, done.output
    assert '"n_units": 18' in done.output
