"""Codings files carry done status: export -> import into a fresh project keeps every done mark.

The project below has what a real team leaves behind: a coder who coded sources without
finishing them, units done with no code, done marks on sentences and paragraphs (units
stored in the project), a consensus layer. After exporting each coder's layer and
importing it into a fresh project with the same corpus and codebook, the done marks are
the same unit for unit and ``qualcode agreement --format json`` gives the same report.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.cli import main
from qualcode.model import CodeKind, Layer, SourceRecord, UnitKind
from qualcode.segmentation import paragraphs, sentences
from qualcode.storage import Store

TEXTS = {
    "s1": "The group helped me listen. I felt heard.",
    "s2": "Sessions ran late. We were tired after shifts.",
    "s3": "Nothing to add.",
    "s4": "First I doubted it. Then it helped. Now I recommend it.",
    "s5": "A first paragraph about time.\n\nA second one about listening.",
    "s6": "Fine.",
}
# Which coder/layer exports into which file: (coder, layer).
LAYERS = [("alice", Layer.CODER), ("bob", Layer.CODER), ("lead", Layer.CONSENSUS)]


def _corpus(path: Path) -> Path:
    """A project with the corpus and codebook, no coding yet."""
    with Store.create(path) as store:
        store.import_sources([SourceRecord(k, v) for k, v in TEXTS.items()], path="corpus.csv")
        theme = store.add_code("Communication", kind=CodeKind.THEME)
        store.add_code("Listening", parent_id=theme.id)
        store.add_code("Time pressure")
    return path


def _state(project: Path) -> list[str]:
    """The project's whole content, read through SQLite (a before/after check)."""
    with Store.open(project) as store:
        return list(store.db.conn.iterdump())


def _run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _ids(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    sources = {s.external_id: s.id for s in store.iter_sources()}
    codes = {c.name: c.id for c in store.codebook()}
    return sources, codes


def _smaller_units(store: Store, source_id: int, kind: UnitKind) -> list[int]:
    """Store a source's sentences or paragraphs (as a merge would bring them) and return ids."""
    cut = (sentences if kind is UnitKind.SENTENCE else paragraphs)(store.source(source_id).text)
    return [u.id for u in store.store_units(source_id, kind, cut)]


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    """The project as a team left it (see the module docstring)."""
    path = _corpus(tmp_path / "study.qualcode")
    with Store.open(path) as store:
        src, code = _ids(store)
        alice, bob, lead = (store.coder(n).id for n in ("alice", "bob", "lead"))
        whole = {ext: store.whole_unit(sid).id for ext, sid in src.items()}
        s4_sentences = _smaller_units(store, src["s4"], UnitKind.SENTENCE)
        s5_paragraphs = _smaller_units(store, src["s5"], UnitKind.PARAGRAPH)
        # alice: s1 coded and done; s2 coded, NOT done; s3 done with no code; two
        # sentences of s4 done (one coded); the first paragraph of s5 done and coded.
        store.add_coding(alice, src["s1"], code["Listening"], 20, 26)
        store.mark_done(whole["s1"], alice)
        store.add_coding(alice, src["s2"], code["Time pressure"])
        store.mark_done(whole["s3"], alice)
        store.add_coding(alice, src["s4"], code["Listening"], 20, 35)
        store.mark_done(s4_sentences[0], alice)
        store.mark_done(s4_sentences[1], alice)
        store.add_coding(alice, src["s5"], code["Time pressure"], 0, 29)
        store.mark_done(s5_paragraphs[0], alice)
        # bob: s1 and s2 coded and done; s3 coded, NOT done; s4's first sentence and s6
        # done with no code; s5's paragraphs both done, one coded.
        store.add_coding(bob, src["s1"], code["Time pressure"])
        store.add_coding(bob, src["s1"], code["Listening"], 0, 26)
        store.mark_done(whole["s1"], bob)
        store.add_coding(bob, src["s2"], code["Time pressure"], 0, 18)
        store.mark_done(whole["s2"], bob)
        store.add_coding(bob, src["s3"], code["Listening"])
        store.mark_done(s4_sentences[0], bob)
        store.mark_done(whole["s6"], bob)
        store.add_coding(bob, src["s5"], code["Time pressure"], 0, 29)
        for unit_id in s5_paragraphs:
            store.mark_done(unit_id, bob)
        # lead, consensus layer: s1 settled and done, s2 coded but not settled.
        store.add_coding(lead, src["s1"], code["Listening"], 20, 26, layer=Layer.CONSENSUS)
        store.mark_done(whole["s1"], lead, layer=Layer.CONSENSUS)
        store.add_coding(lead, src["s2"], code["Time pressure"], layer=Layer.CONSENSUS)
    return path


def _done_marks(project: Path) -> set[tuple[str, str, str, str, int, int]]:
    """Every done mark as (coder, layer, source id, unit kind, start, end)."""
    with Store.open(project) as store:
        names = {c.id: c.name for c in store.coders()}
        external = {s.id: s.external_id for s in store.iter_sources()}
        return {(names[coder], layer.value, external[source], kind.value, start, end)
                for source, coder, layer, kind, start, end, _ in store.done_marks_by_source()}


def _codings(project: Path) -> set[tuple[str, str, str, int, int, str]]:
    with Store.open(project) as store:
        names = {c.id: c.name for c in store.coders()}
        external = {s.id: s.external_id for s in store.iter_sources()}
        book = store.codebook()
        return {(names[c.coder_id], c.layer.value, external[c.source_id], c.start, c.end,
                 book.by_id(c.code_id).name) for c in store.codings()}


def _agreement(project: Path, unit: str, *coders: str) -> dict:
    result = _run("agreement", project, "--coders", *coders, "--unit", unit, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _export_and_import_all(coded: Path, tmp_path: Path) -> Path:
    fresh = _corpus(tmp_path / "fresh.qualcode")
    for coder, layer in LAYERS:
        out = tmp_path / f"{coder}.csv"
        exported = _run("codings", "export", coded, "--coder", coder, "--layer", layer.value,
                        "-o", out)
        assert exported.exit_code == 0, exported.output
        imported = _run("codings", "import", fresh, out, "--coder", coder, "--layer", layer.value)
        assert imported.exit_code == 0, imported.output
        assert "Done marks: the units the file's done column says were done." in imported.output
    return fresh


def test_the_fixture_has_what_the_round_trip_must_keep(coded: Path) -> None:
    """Guard the scenario itself: unfinished coding, done-no-code, smaller units, consensus."""
    marks = _done_marks(coded)
    assert ("alice", "coder", "s2", "source", 0, len(TEXTS["s2"])) not in marks
    assert ("alice", "coder", "s3", "source", 0, len(TEXTS["s3"])) in marks
    assert {m[3] for m in marks} == {"source", "sentence", "paragraph"}
    assert any(m[1] == "consensus" for m in marks)
    assert ("alice", "coder", "s2", 0, len(TEXTS["s2"]), "Time pressure") in _codings(coded)


def test_round_trip_keeps_done_marks_codings_and_agreement(coded: Path, tmp_path: Path) -> None:
    fresh = _export_and_import_all(coded, tmp_path)
    assert _done_marks(fresh) == _done_marks(coded)
    assert _codings(fresh) == _codings(coded)
    assert _run("check", fresh).exit_code == 0  # the sentences and paragraphs it stored
    for unit in ("source", "sentence", "paragraph"):
        for coders in (("alice", "bob"), ("alice", "consensus")):
            original = _agreement(coded, unit, *coders)
            assert original["n_units"] > 0 or unit == "paragraph"
            assert _agreement(fresh, unit, *coders) == original, (unit, coders)


def test_unfinished_coding_stays_not_done(coded: Path, tmp_path: Path) -> None:
    """alice coded s2 without finishing it: the file says so and the import keeps it open."""
    out = tmp_path / "alice.csv"
    _run("codings", "export", coded, "--coder", "alice", "--layer", "coder", "-o", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {(r["source_id"], r["done"]) for r in rows if r["unit"] == "source"} == {
        ("s1", "yes"), ("s2", "no"), ("s3", "yes"), ("s4", "no"), ("s5", "no")}
    smaller = [(r["source_id"], r["unit"], r["code"], r["done"]) for r in rows
               if r["unit"] != "source"]
    assert smaller == [("s4", "sentence", "", "yes")] * 2 + [("s5", "paragraph", "", "yes")]
    fresh = _corpus(tmp_path / "fresh.qualcode")
    result = _run("codings", "import", fresh, out, "--coder", "alice")
    assert result.exit_code == 0, result.output
    assert "5 units marked done" in result.output  # s1, s3, two sentences, a paragraph
    done_sources = {m[2] for m in _done_marks(fresh) if m[3] == "source"}
    assert done_sources == {"s1", "s3"}


def test_importing_twice_adds_nothing_and_undo_takes_the_done_marks_back(
        coded: Path, tmp_path: Path) -> None:
    fresh = _export_and_import_all(coded, tmp_path)
    again = _run("codings", "import", fresh, tmp_path / "bob.csv", "--coder", "bob")
    assert "0 codings added" in again.output and "0 units marked done" in again.output
    with Store.open(fresh) as store:
        bob = store.coder("bob").id
        before = len(store.reviews(coder_id=bob))
    assert before == 6  # s1, s2, s6, s4's first sentence, s5's two paragraphs; not s3
    assert _run("undo", fresh, "--coder", "bob").exit_code == 0  # the no-op second import
    assert _run("undo", fresh, "--coder", "bob").exit_code == 0  # the real one
    with Store.open(fresh) as store:
        assert store.reviews(coder_id=store.coder("bob").id) == []


def test_mark_done_options_override_the_done_column(coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "alice.csv"
    _run("codings", "export", coded, "--coder", "alice", "--layer", "coder", "-o", out)
    forced = _corpus(tmp_path / "forced.qualcode")
    result = _run("codings", "import", forced, out, "--coder", "alice", "--mark-done")
    assert "every source the file names (--mark-done)" in result.output
    assert {m[2] for m in _done_marks(forced)} == {"s1", "s2", "s3", "s4", "s5"}
    assert {m[3] for m in _done_marks(forced)} == {"source"}
    none = _corpus(tmp_path / "none.qualcode")
    result = _run("codings", "import", none, out, "--coder", "alice", "--no-mark-done")
    assert "none added (--no-mark-done)" in result.output and _done_marks(none) == set()


def test_a_file_without_done_column_keeps_the_older_rule(coded: Path, tmp_path: Path) -> None:
    """--no-done-rows writes codings only; such a file (and any older one) marks every
    source it names done, and the import report says so."""
    out = tmp_path / "plain.csv"
    _run("codings", "export", coded, "--coder", "alice", "--layer", "coder", "--no-done-rows",
         "-o", out)
    assert "done" not in out.read_text(encoding="utf-8").splitlines()[0].split(",")
    fresh = _corpus(tmp_path / "fresh.qualcode")
    result = _run("codings", "import", fresh, out, "--coder", "alice")
    assert result.exit_code == 0, result.output
    assert "the file has no done column, so every source it names was marked done" in \
        result.output
    assert {m[2] for m in _done_marks(fresh)} == {"s1", "s2", "s4", "s5"}


def test_done_rows_in_a_hand_written_file(tmp_path: Path) -> None:
    """A spreadsheet user can write the done column by hand, in any case and spelling."""
    project = _corpus(tmp_path / "study.qualcode")
    start, end = sentences(TEXTS["s4"])[2]
    text = ("source_id,code,done,unit,start,end\n"
            "s1,Listening,YES,,,\n"
            "s2,Time pressure,false,Source,,\n"
            "s3,,1,,,\n"
            "s6,,no,,,\n"
            f"s4,,yes,sentence,{start},{end}\n")
    file = tmp_path / "hand.csv"
    file.write_text(text, encoding="utf-8")
    result = _run("codings", "import", project, file, "--coder", "carol")
    assert result.exit_code == 0, result.output
    assert _done_marks(project) == {
        ("carol", "coder", "s1", "source", 0, len(TEXTS["s1"])),
        ("carol", "coder", "s3", "source", 0, len(TEXTS["s3"])),
        ("carol", "coder", "s4", "sentence", start, end)}


BAD_DONE_FILES = {
    # (file text after the header "source_id,code,done,unit,start,end") -> (line, message part)
    "s1,Listening,maybe,,,\n": (2, "done is 'maybe'; write yes or no"),
    "s1,Listening,,,,\n": (2, "done is empty; write yes or no"),
    "s1,Listening,x,,,\n": (2, "done is 'x'"),
    "s1,Listening,yes,,,\ns1,Time pressure,no,,,\n":
        (3, "source 's1' is done = no here but yes on line 2"),
    "s3,,yes,,,\ns3,Listening,0,,,\n": (3, "source 's3' is done = no here but yes on line 2"),
    "s1,,yes,word,,\n": (2, "unit 'word' is not source, sentence or paragraph"),
    "s4,Listening,yes,sentence,0,5\n": (2, "a row with unit 'sentence' marks that sentence done"),
    "s4,,yes,paragraph,,\n": (2, "a row with unit 'paragraph' marks that paragraph done"),
    "s4,,yes,sentence,0,5\n": (2, "no sentence of source 's4' spans 0..5"),
    "s5,,yes,paragraph,0,3\n": (2, "no paragraph of source 's5' spans 0..3"),
}


@pytest.mark.parametrize("body", list(BAD_DONE_FILES))
def test_bad_done_status_is_one_line_and_changes_nothing(tmp_path: Path, body: str) -> None:
    project = _corpus(tmp_path / "study.qualcode")
    file = tmp_path / "bad.csv"
    file.write_text("source_id,code,done,unit,start,end\n" + body, encoding="utf-8")
    before = _state(project)
    result = _run("codings", "import", project, file, "--coder", "carol")
    line, message = BAD_DONE_FILES[body]
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert str(file) in result.output and f"line {line}" in result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert _state(project) == before
