"""Three-way merges: one-sided edits are taken, a settled conflict stays settled.

The common state is what ``qualcode backup`` (a copy for a colleague), a ``.qdpx``
export or the last merge recorded; see qualcode/storage/merge_base.py.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.cli import main
from qualcode.interchange.merge_input import merge_into
from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store
from qualcode.storage.backup import list_backups
from qualcode.storage.merge_apply import MergeConflicts
from qualcode.storage.merge_base import EXPORT_MEMBER


def cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def rename(path: Path, old: str, **fields: object) -> None:
    with Store.open(path) as store:
        store.update_code(store.codebook().find(old)[0].id, **fields)


def code(path: Path, name: str) -> object:
    with Store.open(path) as store:
        found = store.codebook().find(name)
        return found[0] if found else None


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.qualcode"
    with Store.create(path) as store:
        store.import_sources([SourceRecord("r1", "Listening got better."),
                              SourceRecord("r2", "Too long after nights.")])
        theme = store.add_code("Practice", kind=CodeKind.THEME)
        store.add_code("Listening", parent_id=theme.id, description="Better listening.")
        store.add_code("Time", description="Too little time.", colour="#112233")
        store.coder("alice")
    return path


@pytest.fixture
def copy(study: Path, tmp_path: Path) -> Path:
    """bob's copy, made with `qualcode backup -o`."""
    out = tmp_path / "bob.qualcode"
    made = cli("backup", study, "-o", out)
    assert made.exit_code == 0, made.output
    return out


# -- one-sided edits ------------------------------------------------------------------------
@pytest.mark.parametrize("direction", ["copy into project", "project into copy"])
def test_a_rename_on_one_side_is_taken_without_a_conflict(study: Path, copy: Path,
                                                          direction: str) -> None:
    edited, other = (copy, study) if direction == "copy into project" else (study, copy)
    rename(edited, "Time", name="Time pressure")
    result = cli("merge", other, edited)
    assert result.exit_code == 0, result.output
    assert "updated 1 code" in result.output and "conflict" not in result.output.lower()
    assert code(other, "Time pressure") is not None and code(other, "Time") is None
    # The backup, taken inside the merge's transaction, holds the project as before it.
    (taken,) = list_backups(other)
    assert code(taken, "Time") is not None and code(taken, "Time pressure") is None


def test_our_own_rename_is_kept_when_theirs_did_not_touch_it(study: Path, copy: Path) -> None:
    rename(study, "Time", name="Time pressure")
    with Store.open(copy) as store:  # bob only codes
        store.add_coding(store.coder("bob").id, 2, store.codebook().find("Time")[0].id)
    result = cli("merge", study, copy)
    assert result.exit_code == 0, result.output
    assert code(study, "Time pressure") is not None and code(study, "Time") is None
    with Store.open(study) as store:
        assert len(store.codings(coder_id=store.coder("bob").id)) == 1


def test_a_definition_here_and_a_colour_there_are_both_taken(study: Path, copy: Path) -> None:
    rename(study, "Time", description="Not enough time to listen.")
    rename(copy, "Time", colour="#AA0000")
    rename(copy, "Listening", inclusion="Any mention of being heard.")
    rename(study, "Listening", exclusion="Hearing loss.")
    for ours, theirs in ((study, copy), (copy, study)):
        result = cli("merge", ours, theirs)
        assert result.exit_code == 0, result.output
    for path in (study, copy):
        time, listening = code(path, "Time"), code(path, "Listening")
        assert (time.description, time.colour) == ("Not enough time to listen.", "#AA0000")
        assert (listening.inclusion, listening.exclusion) == ("Any mention of being heard.",
                                                              "Hearing loss.")


def test_the_common_state_moves_on_with_each_merge(study: Path, copy: Path) -> None:
    rename(copy, "Time", name="Time pressure")
    assert cli("merge", study, copy).exit_code == 0
    rename(study, "Time pressure", name="Lack of time")  # our later edit of their rename
    again = cli("merge", study, copy)  # their file still says "Time pressure"
    assert again.exit_code == 0, again.output
    assert code(study, "Lack of time") is not None
    back = cli("merge", copy, study)  # and bob takes ours: his copy saw no edit since
    assert back.exit_code == 0, back.output
    assert code(copy, "Lack of time") is not None


def test_a_code_deleted_on_one_side_is_deleted(study: Path, copy: Path) -> None:
    with Store.open(copy) as store:
        store.delete_code(store.codebook().find("Time")[0].id)
    result = cli("merge", study, copy)
    assert result.exit_code == 0, result.output
    assert code(study, "Time") is None


@pytest.mark.parametrize("deleted_in", ["theirs", "ours"])
def test_a_code_deleted_on_one_side_and_edited_on_the_other_is_a_conflict(
        study: Path, copy: Path, deleted_in: str) -> None:
    deleting, editing = (copy, study) if deleted_in == "theirs" else (study, copy)
    with Store.open(deleting) as store:
        store.delete_code(store.codebook().find("Time")[0].id)
    rename(editing, "Time", description="Redefined.")
    result = cli("merge", study, copy)
    assert result.exit_code == 1
    assert "deleted=True" in result.output and "deleted=False" in result.output
    settled = cli("merge", study, copy, "--prefer", "theirs")
    assert settled.exit_code == 0, settled.output
    gone = code(study, "Time") is None
    assert gone == (deleted_in == "theirs")


# -- both sides ------------------------------------------------------------------------------
def test_different_renames_on_both_sides_are_a_conflict(study: Path, copy: Path) -> None:
    rename(study, "Time", name="Time pressure", colour="#000000")
    rename(copy, "Time", name="Lack of time")
    result = cli("merge", study, copy)
    assert result.exit_code == 1
    [line] = [ln for ln in result.output.splitlines() if ln.startswith("  code ")]
    # Only the field both changed is in dispute; our colour is not.
    assert "name='Time pressure'" in line and "name='Lack of time'" in line
    assert "colour" not in line
    assert code(study, "Time pressure") is not None
    assert list_backups(study) == []  # refused before any backup


def test_the_same_rename_on_both_sides_is_no_conflict(study: Path, copy: Path) -> None:
    rename(study, "Time", name="Time pressure")
    rename(copy, "Time", name="Time pressure")
    result = cli("merge", study, copy)
    assert result.exit_code == 0 and "Nothing to merge" in result.output


@pytest.mark.parametrize("prefer", ["ours", "theirs"])
def test_a_settled_conflict_stays_settled_and_is_in_the_log(study: Path, copy: Path,
                                                             prefer: str) -> None:
    rename(study, "Time", name="Time pressure")
    rename(copy, "Time", name="Lack of time")
    settled = cli("merge", study, copy, "--prefer", prefer)
    assert settled.exit_code == 0, settled.output
    kept = "Time pressure" if prefer == "ours" else "Lack of time"
    assert code(study, kept) is not None
    again = cli("merge", study, copy)
    assert again.exit_code == 0, again.output
    assert "Nothing to merge" in again.output and code(study, kept) is not None
    log = cli("log", study)  # the conflict is named by their path of the code
    assert f"decided {prefer}: code 'Lack of time' (name)" in " ".join(log.output.split())
    entries = [json.loads(line) for line in cli("log", study, "--format", "jsonl"
                                                ).output.splitlines()]
    [merge] = [e for e in entries if e["action"] == "merge"]
    assert merge["payload"]["decisions"] == [{
        "choice": prefer, "kind": "code", "label": "Lack of time",
        "guid": code(study, kept).guid, "fields": ["name"]}]


def test_a_choice_is_remembered_without_a_common_state(study: Path, tmp_path: Path) -> None:
    """A copy made with cp shares no state: every difference is a conflict, but a choice
    made once settles the same conflict in later merges, by GUID and field."""
    plain = Path(shutil.copy(study, tmp_path / "plain.qualcode"))
    rename(plain, "Time", name="Time pressure", description="Changed.")
    with Store.open(study) as store:
        with pytest.raises(MergeConflicts):
            merge_into(store, plain)
        first = merge_into(store, plain, prefer="ours")
        assert [c.choice_keys()[0][0] for c, _ in first.resolved] == ["name"]
        assert len(first.resolved[0][0].choice_keys()) == 2
        second = merge_into(store, plain)
        assert not second.changed() and [c for c, _ in second.settled] == [
            c for c, _ in first.resolved]
        events = len(store.events())
    rename(plain, "Time pressure", description="Changed again.")  # new values: asked again
    with Store.open(study) as store:
        with pytest.raises(MergeConflicts):
            merge_into(store, plain)
        assert len(store.events()) == events


# -- nothing to merge ------------------------------------------------------------------------
def test_a_merge_with_nothing_new_writes_nothing(study: Path, copy: Path) -> None:
    rename(copy, "Time", name="Time pressure")
    assert cli("merge", study, copy).exit_code == 0
    backups = list_backups(study)
    with Store.open(study) as store:
        events = len(store.events())
    again = cli("merge", study, copy)
    assert again.exit_code == 0 and again.output.startswith("Nothing to merge:")
    assert "no backup taken" in again.output
    assert list_backups(study) == backups
    with Store.open(study) as store:
        assert len(store.events()) == events
    fresh = cli("merge", copy, study)  # nothing new in the other direction either
    assert fresh.exit_code == 0 and fresh.output.startswith("Nothing to merge:")
    assert list_backups(copy) == []


# -- the common state a .qdpx export records --------------------------------------------------
def test_a_qdpx_export_is_a_common_state(study: Path, tmp_path: Path) -> None:
    exported = tmp_path / "study.qdpx"
    assert cli("export", "qdpx", study, "-o", exported).exit_code == 0
    with zipfile.ZipFile(exported) as archive:
        assert EXPORT_MEMBER in archive.namelist()
    bob = tmp_path / "bob.qualcode"
    assert cli("init", bob).exit_code == 0
    imported = cli("import", bob, exported)
    assert imported.exit_code == 0, imported.output
    rename(bob, "Time", description="Clock time.")
    rename(study, "Time", colour="#AA0000")
    rename(study, "Listening", name="Hearing")
    back = cli("merge", study, bob)
    assert back.exit_code == 0, back.output
    time = code(study, "Time")
    assert (time.description, time.colour) == ("Clock time.", "#AA0000")
    assert code(study, "Hearing") is not None
    # The same through bob's own export: still no conflict.
    rename(bob, "Time", description="Clock time, shifts.")
    bob_qdpx = tmp_path / "bob.qdpx"
    assert cli("export", "qdpx", bob, "-o", bob_qdpx).exit_code == 0
    result = cli("merge", study, bob_qdpx)
    assert result.exit_code == 0, result.output
    assert code(study, "Time").description == "Clock time, shifts."
    assert code(study, "Hearing") is not None and code(study, "Time").colour == "#AA0000"


# -- damaged records of the common state --------------------------------------------------------
@pytest.mark.parametrize("state", ["[]", "{\"code:x\": 3}", "not json", "{\"a\": {\"name\": 1}}"])
def test_a_damaged_base_row_in_the_other_file_is_refused_in_one_line(
        study: Path, copy: Path, state: str) -> None:
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE merge_bases SET state = ?", [state])
    conn.commit()
    conn.close()
    with Store.open(study) as store:
        before = len(store.events())
    result = cli("merge", study, copy)
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "table merge_bases, row 1" in lines[0]
    assert str(copy) in lines[0] and "nothing was changed" in lines[0]
    with Store.open(study) as store:
        assert len(store.events()) == before


@pytest.mark.parametrize("member", ["", "[]", "{\"format\": \"x\"}",
                                    "{\"format\": \"qualcode-sync\", \"replica\": 1}",
                                    ("{\"format\": \"qualcode-sync\", \"replica\": \"r\", "
                                     "\"bases\": [{\"peer\": \"p\"}]}")])
def test_a_damaged_sync_member_in_a_qdpx_is_refused_in_one_line(
        study: Path, tmp_path: Path, member: str) -> None:
    exported = tmp_path / "study.qdpx"
    assert cli("export", "qdpx", study, "-o", exported).exit_code == 0
    damaged = tmp_path / "damaged.qdpx"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(damaged, "w") as out:
        for info in src.infolist():
            data = member.encode() if info.filename == EXPORT_MEMBER else src.read(info)
            out.writestr(info.filename, data)
    result = cli("merge", study, damaged)
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and EXPORT_MEMBER in lines[0] and str(damaged) in lines[0]
    assert "export the project again" in lines[0]


def test_a_damaged_base_of_our_own_is_passed_over(study: Path, copy: Path) -> None:
    """Our own unsound row is not used: the merge asks about every difference instead."""
    rename(copy, "Time", name="Time pressure")
    assert cli("merge", study, copy).exit_code == 0  # records our base for bob's copy
    rename(copy, "Time pressure", name="Lack of time")
    conn = sqlite3.connect(study)
    conn.execute("UPDATE merge_bases SET state = '[1, 2'")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(copy)  # and bob's record of ours is gone too
    conn.execute("DELETE FROM merge_bases")
    conn.commit()
    conn.close()
    result = cli("merge", study, copy)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "name='Time pressure'" in result.output and "name='Lack of time'" in result.output


def test_the_cli_says_a_conflict_was_settled_before(study: Path, tmp_path: Path) -> None:
    plain = Path(shutil.copy(study, tmp_path / "plain.qualcode"))
    rename(plain, "Time", description="Changed.")
    assert cli("merge", study, plain).exit_code == 1
    assert cli("merge", study, plain, "--prefer", "ours").exit_code == 0
    with Store.open(plain) as store:  # bob codes on: the settled conflict stays settled
        store.add_coding(store.coder("bob").id, 1, store.codebook().find("Time")[0].id)
    again = cli("merge", study, plain)
    assert again.exit_code == 0, again.output
    assert "added 1 coder, 1 coding" in again.output
    assert "1 conflict settled as chosen in an earlier merge (see 'qualcode log')." in again.output
    assert code(study, "Time").description == "Too little time."
    overridden = cli("merge", study, plain, "--theirs", code(study, "Time").guid)
    assert overridden.exit_code == 0 and code(study, "Time").description == "Changed."


def test_the_base_is_the_newer_of_the_two_records() -> None:
    """Our record of their copy, or theirs of ours, whichever was made later; none for one
    copy twice (a plain file copy) or a file that names no copy."""
    from qualcode.storage.merge_base import BaseRecord, choose_base

    a, b = "aaaaaaaa-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000"
    ours_of_b = BaseRecord(b.upper(), "s1", "2026-01-01T00:00:00Z", {"code:x": {"name": "1"}})
    theirs_of_a = BaseRecord(a, "s2", "2026-02-01T00:00:00Z", {"code:x": {"name": "2"}})
    third = BaseRecord("cccccccc-0000-4000-8000-000000000000", "s3", "2027-01-01T00:00:00Z", {})
    assert choose_base(a, {b: ours_of_b}, b, [theirs_of_a, third]) is theirs_of_a
    assert choose_base(a, {b: ours_of_b}, b, [third]) is ours_of_b
    assert choose_base(a, {}, b, [third]) is None
    assert choose_base(a, {a: ours_of_b}, a.upper(), [theirs_of_a]) is None
    assert choose_base(a, {b: ours_of_b}, None, [theirs_of_a]) is None
