"""Plain names everywhere (issue 17, items 3 and 7): what the commands print and write names
sources by the ids users imported, codes under their themes, layers apart, and undo by
what it took back."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store

# External ids chosen so none equals a row id: a numeric-looking one, one with spaces
# (the CSV must keep it whole), one with a hash, one non-ASCII.
IDS = ["115", "Smith 2019 F3", "F#7", "Ärzte-2"]


def run(*args: object, status: int = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200"})
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


def build(path: Path, *, consensus: bool = False) -> Path:
    """Four sources; theme Emotions > sub-theme Negative > Fear, and Emotions > Relief;
    alice and bob finished every source and differ on Fear in two of them."""
    with Store.create(path) as store:
        store.import_sources(SourceRecord(ext, f"Answer {n}. I was afraid, then relieved.")
                             for n, ext in enumerate(IDS))
        emotions = store.add_code("Emotions", kind=CodeKind.THEME)
        negative = store.add_code("Negative", parent_id=emotions.id, kind=CodeKind.SUBTHEME)
        fear = store.add_code("Fear", parent_id=negative.id)
        relief = store.add_code("Relief", parent_id=emotions.id)
        alice, bob = store.coder("alice"), store.coder("bob")
        for n, ext in enumerate(IDS):
            source = store.source_by_external_id(ext)
            unit = store.whole_unit(source.id).id
            for who in (alice, bob):
                store.add_coding(who.id, source.id, relief.id)
                store.mark_done(unit, who.id)
            store.add_coding((alice if n % 2 else bob).id, source.id, fear.id)
            if n < 2:
                store.add_coding((bob if n % 2 else alice).id, source.id, fear.id)
            if consensus:
                store.add_coding(alice.id, source.id, relief.id, layer=Layer.CONSENSUS)
                store.mark_done(unit, alice.id, layer=Layer.CONSENSUS)
        # Row ids are not the external ids: the test would prove nothing otherwise.
        assert {str(store.source_by_external_id(e).id) for e in IDS}.isdisjoint(IDS)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return build(tmp_path / "study.qualcode")


def test_disagreements_csv_names_sources_by_their_own_ids(project: Path) -> None:
    out = run("agreement", project, "--coders", "alice", "bob", "--level", "code",
              "--format", "csv", "--disagreements")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["source_ids"] for r in rows} == {"F#7", "Ärzte-2"}  # Fear differs in 3rd, 4th
    assert {r["unit"] for r in rows} == {"F#7", "Ärzte-2"}
    as_json = json.loads(run("agreement", project, "--coders", "alice", "bob", "--level",
                             "code", "--format", "json", "--disagreements"))
    assert sorted(d["source_ids"] for d in as_json["disagreements"]) == [["F#7"], ["Ärzte-2"]]


def test_grouped_disagreements_list_each_source_id_whole(tmp_path: Path) -> None:
    path = build(tmp_path / "grouped.qualcode")
    with Store.open(path) as store:
        # One study for all four sources: the group's unit spans them all.
        store.import_sources([SourceRecord(ext, f"Answer {n}. I was afraid, then relieved.",
                                           metadata={"study": "S1"})
                              for n, ext in enumerate(IDS)], update=True)
        # Only alice uses Anger (on one source): the one group-level disagreement.
        anger = store.add_code("Anger", parent_id=store.codebook().find("Negative")[0].id)
        source = store.source_by_external_id("Smith 2019 F3").id
        store.add_coding(store.coder("alice", create=False).id, source, anger.id)
    out = run("agreement", path, "--coders", "alice", "bob", "--level", "code",
              "--group-by", "study", "--format", "csv", "--disagreements")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and rows[0]["unit"] == "S1"
    assert rows[0]["source_ids"].split("; ") == IDS  # "Smith 2019 F3" stays one id


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_code_level_keeps_the_theme_above_its_codes(project: Path, fmt: str) -> None:
    out = run("agreement", project, "--coders", "alice", "bob", "--level", "code",
              "--format", fmt)
    names = [re.sub(r"[*|]|&nbsp;", " ", line).split()[:1] for line in out.splitlines()]
    words = [n[0] for n in names if n and n[0] in {"Emotions", "Negative", "Fear", "Relief"}]
    # The theme heads its sub-theme and its own code; nothing shows up orphaned.
    assert words[:4] == ["Emotions", "Negative", "Fear", "Relief"], out


def test_qdpx_export_counts_the_consensus_layer_apart(tmp_path: Path) -> None:
    path = build(tmp_path / "c.qualcode", consensus=True)
    out = run("export", "qdpx", path, "-o", tmp_path / "c.qdpx")
    # alice 4 Relief + 2 or 3 Fear, bob the same: 4+4 Relief, 4+2 Fear = 14; 4 consensus.
    assert "14 codings by 2 coders and 4 in the consensus layer" in out, out
    solo = run("export", "qdpx", path, "-o", tmp_path / "a.qdpx", "--coder", "alice",
               "--no-consensus")
    assert re.search(r"\d+ codings by 1 coder,", solo) and "consensus" not in solo, solo


@pytest.mark.parametrize(("action", "expected"), [
    (lambda store, a, src, fear, unit: store.add_coding(a, src, fear),
     "Undid event {id}: +Fear on 115 (whole unit)"),
    (lambda store, a, src, fear, unit: store.add_coding(a, src, fear, 0, 8),
     "Undid event {id}: +Fear on 115 (characters 0-8)"),
    (lambda store, a, src, fear, unit: store.mark_not_done(unit, a),
     "Undid event {id}: not-done mark on 115"),
    (lambda store, a, src, fear, unit: store.update_code(fear, actor_id=a, description="x"),
     "Undid event {id}: edit of Fear"),
])
def test_undo_and_redo_name_what_they_took_back(tmp_path: Path, action, expected: str) -> None:
    path = tmp_path / "u.qualcode"
    with Store.create(path) as store:
        store.import_sources([SourceRecord("115", "Answer. I was afraid.")])
        fear = store.add_code("Fear").id
        carol = store.coder("carol").id
        source = store.source_by_external_id("115").id
        unit = store.whole_unit(source).id
        store.mark_done(unit, carol)
        action(store, carol, source, fear, unit)
        last = store.events(coder_id=carol)[-1].id
    undone = run("undo", path, "--coder", "carol")
    assert undone.startswith(expected.format(id=last)), undone
    redone = run("redo", path, "--coder", "carol")
    assert redone.startswith(expected.format(id=last).replace("Undid", "Redid")), redone


def test_undo_of_an_import_names_the_file(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "dana.csv"
    file.write_text("source_id,code\n115,Fear\nF#7,Relief\n", encoding="utf-8")
    run("codings", "import", project, file, "--coder", "dana")
    undone = run("undo", project, "--coder", "dana")
    assert "import of dana.csv (2 codings, 2 done marks)" in undone, undone


@pytest.mark.parametrize("command", ["undo", "redo"])
def test_undo_and_redo_help_give_each_example_its_own_line(command: str) -> None:
    out = run(command, "--help")
    # Every example line is one whole command line, never run into the prose around it.
    examples = [line.strip() for line in out.splitlines() if f"qualcode {command} " in line]
    assert len(examples) >= 2, out
    assert all(re.fullmatch(rf"qualcode {command} study\.qualcode --coder alice( --steps \d)?",
                            line) for line in examples), out


def test_suggest_header_counts_the_whole_backlog_not_the_limit(project: Path,
                                                                tmp_path: Path) -> None:
    with Store.open(project) as store:
        store.import_sources(SourceRecord(f"extra{n}", f"More text {n}.") for n in range(5))
    # alice finished the first four sources: five are left, two are shown.
    out = run("suggest", project, "--coder", "alice", "--limit", "2")
    assert out.splitlines()[0].startswith("5 units not done by alice (showing the first 2);")
    every = run("suggest", project, "--coder", "alice")
    assert every.splitlines()[0].startswith("5 units not done by alice;")
