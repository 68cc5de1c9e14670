"""qualcode merge: by GUID, idempotent, conflicts need a choice, atomic, logged."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.errors import StoreError
from qualcode.interchange.merge_input import merge_into
from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store
from qualcode.storage.merge_apply import MergeConflicts


def fingerprint(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """ours.qualcode and theirs.qualcode: copies of one project; alice codes in ours, bob theirs."""
    ours = tmp_path / "ours.qualcode"
    with Store.create(ours) as store:
        store.import_sources([SourceRecord("r1", "Listening got better. 😊"),
                              SourceRecord("r2", "Too long after nights.")])
        theme = store.add_code("Practice", kind=CodeKind.THEME)
        store.add_code("Listening", parent_id=theme.id, description="Better listening.")
        store.add_code("Time", description="Too little time.")
        store.coder("alice")
        store.coder("bob")
    theirs = tmp_path / "theirs.qualcode"
    shutil.copy(ours, theirs)
    with Store.open(ours) as store:
        alice = store.coder("alice")
        store.add_coding(alice.id, 1, store.codebook().find("Listening")[0].id, 0, 20)
        store.mark_done(store.whole_unit(1).id, alice.id)
    with Store.open(theirs) as store:
        bob = store.coder("bob")
        store.add_coding(bob.id, 1, store.codebook().find("Listening")[0].id, 0, 22)
        store.add_coding(bob.id, 2, store.codebook().find("Time")[0].id)
        store.mark_done(store.whole_unit(1).id, bob.id)
        store.mark_done(store.whole_unit(2).id, bob.id)
        store.set_memo("source", store.source(2).guid, "Night shifts.", coder_id=bob.id)
    return ours, theirs


def test_brings_in_the_other_coders_work(pair: tuple[Path, Path]) -> None:
    ours, theirs = pair
    with Store.open(ours) as store:
        report = merge_into(store, theirs)
        bob = store.coder("bob", create=False)
        assert len(store.codings(coder_id=bob.id)) == 2
        assert len(store.codings(coder_id=store.coder("alice").id)) == 1
        assert store.done_count(bob.id) == 2
        assert [m.text for m in store.memos("source", store.source(2).guid)] == ["Night shifts."]
        assert {k: v for k, v in report.added.items() if v} == {
            "codings": 2, "done marks": 2, "memos": 1}
        actions = [e.action for e in store.events()]
        assert actions[-3:] == ["codings.import", "memo.set", "merge"]
        # The merged codings are bob's to undo, like an import of his.
        assert store.undo(bob.id) is not None
    assert list((ours.parent / "ours.qualcode.backups").glob("*-auto-before-merge.qualcode"))


def test_merging_twice_changes_nothing(pair: tuple[Path, Path]) -> None:
    ours, theirs = pair
    with Store.open(ours) as store:
        merge_into(store, theirs)
    before = fingerprint(ours)
    with Store.open(ours) as store:
        report = merge_into(store, theirs)
    assert not report.changed()
    assert fingerprint(ours) == before


def test_matches_by_guid_not_by_name(pair: tuple[Path, Path], tmp_path: Path) -> None:
    ours, _ = pair
    stranger = tmp_path / "stranger.qualcode"
    with Store.create(stranger) as store:  # same names, new GUIDs: different things
        store.add_code("Time", description="Clock time.")
    with Store.open(ours) as store:
        with pytest.raises(MergeConflicts) as caught:
            merge_into(store, stranger)
        assert [c.kind for c in caught.value.conflicts] == ["code name"]
        report = merge_into(store, stranger, prefer="ours")
        assert len(store.codebook().find("Time")) == 1
        assert store.codebook().find("Time")[0].description == "Too little time."
        assert report.resolved[0][1] == "ours"


def test_conflicting_edit_needs_a_choice(pair: tuple[Path, Path]) -> None:
    ours, theirs = pair
    with Store.open(theirs) as store:
        time = store.codebook().find("Time")[0]
        store.update_code(time.id, name="Time pressure", description="Not enough time.")
    before = fingerprint(ours)
    with Store.open(ours) as store:
        with pytest.raises(MergeConflicts) as caught:
            merge_into(store, theirs)
        [conflict] = caught.value.conflicts
        assert conflict.kind == "code" and conflict.guid == time.guid
        assert "name='Time'" in conflict.ours and "name='Time pressure'" in conflict.theirs
    assert fingerprint(ours) == before  # nothing changed, not even bob's codings
    with Store.open(ours) as store:
        merge_into(store, theirs, choices={time.guid.upper(): "theirs"})
        assert store.code(time.id).name == "Time pressure"
        assert store.code(time.id).description == "Not enough time."
        assert len(store.codings(coder_id=store.coder("bob").id)) == 2


def test_prefer_ours_keeps_our_codebook(pair: tuple[Path, Path]) -> None:
    ours, theirs = pair
    with Store.open(theirs) as store:
        listening = store.codebook().find("Listening")[0]
        store.move_code(listening.id, None)
    with Store.open(ours) as store:
        report = merge_into(store, theirs, prefer="ours")
        assert store.codebook().path(store.codebook().find("Listening")[0]) == "Practice/Listening"
        assert [c.kind for c, _ in report.resolved] == ["code"]


def test_deletions_in_the_other_file_carry_over(pair: tuple[Path, Path]) -> None:
    ours, theirs = pair
    with Store.open(ours) as store:
        merge_into(store, theirs)
    with Store.open(theirs) as store:
        bob = store.coder("bob")
        store.remove_coding(store.codings(coder_id=bob.id)[0].id)
    with Store.open(ours) as store:
        report = merge_into(store, theirs)
        assert report.removed["codings"] == 1
        assert len(store.codings(coder_id=store.coder("bob").id)) == 1


def test_atomic_when_it_fails_half_way(pair: tuple[Path, Path]) -> None:
    ours, theirs = pair
    # Alice coded r1 here; there, r1's text is different (as long, so their units and
    # codings still lie inside it: a shorter text would be a damaged file, refused whole).
    with sqlite3.connect(theirs) as conn:
        conn.execute(
            "UPDATE sources SET text = 'Listening got worse!! 😊' WHERE external_id = 'r1'"
        )
    before = fingerprint(ours)
    with Store.open(ours) as store:
        with pytest.raises(StoreError, match="codings here point into ours"):
            merge_into(store, theirs, prefer="theirs")
    assert fingerprint(ours) == before
    with Store.open(ours) as store:  # choosing ours keeps our text and leaves theirs out
        report = merge_into(store, theirs, prefer="ours")
        assert store.source(1).text == "Listening got better. 😊"
        assert any("texts differ" in note for note in report.notes)
        assert len(store.codings(coder_id=store.coder("bob").id)) == 1  # only r2's


def test_cli_lists_conflicts_and_exits_1(pair: tuple[Path, Path]) -> None:
    ours, theirs = pair
    with Store.open(theirs) as store:
        store.update_code(store.codebook().find("Time")[0].id, description="Changed.")
    runner = CliRunner()
    result = runner.invoke(main, ["merge", str(ours), str(theirs)])
    assert result.exit_code == 1
    assert "code 'Time'" in result.output and "description='Changed.'" in result.output
    assert "1 conflict with" in result.output and "nothing was changed" in result.output
    dry = runner.invoke(main, ["merge", str(ours), str(theirs), "--prefer", "theirs", "--dry-run"])
    assert dry.exit_code == 0 and dry.output.startswith("Dry run, nothing changed. Merging")
    done = runner.invoke(main, ["merge", str(ours), str(theirs), "--prefer", "theirs"])
    assert done.exit_code == 0, done.output
    assert "added 2 codings, 2 done marks, 1 memo; updated 1 code" in done.output


def test_merge_refuses_itself(pair: tuple[Path, Path]) -> None:
    ours, _ = pair
    result = CliRunner().invoke(main, ["merge", str(ours), str(ours)])
    assert result.exit_code == 1 and "is the project itself" in result.output


def test_merge_a_qdpx(pair: tuple[Path, Path], tmp_path: Path) -> None:
    ours, theirs = pair
    runner = CliRunner()
    out = tmp_path / "theirs.qdpx"
    assert runner.invoke(main, ["export", "qdpx", str(theirs), "-o", str(out)]).exit_code == 0
    result = runner.invoke(main, ["merge", str(ours), str(out)])
    assert result.exit_code == 0, result.output
    with Store.open(ours) as store:
        assert len(store.codings(coder_id=store.coder("bob").id)) == 2
        assert store.done_count(store.coder("bob").id) == 2


# -- GUID lookups are indexed (m005) -------------------------------------------------------
@pytest.mark.parametrize("table", ["coders", "sources", "units", "codes", "codings", "memos"])
def test_guid_lookups_use_an_index(tmp_path: Path, table: str) -> None:
    """The merge's `lower(guid) = ?` lookups are served by an index, not a table scan."""
    with Store.create(tmp_path / "p.qualcode") as store:
        plan = " ".join(row[-1] for row in store.db.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE lower(guid) = ?", ["x"]))
    assert f"USING INDEX {table}_by_lower_guid" in plan, plan


def _project_with(path: Path, units: int) -> Path:
    with Store.create(path) as store:
        store.import_sources(SourceRecord(f"r{i}", f"Answer number {i}.") for i in range(units))
        code = store.add_code("Time")
        alice = store.coder("alice")
        for source_id in range(1, units + 1):
            store.add_coding(alice.id, source_id, code.id)
    return path


def _merge_steps(tmp_path: Path, units: int) -> int:
    """SQLite virtual-machine steps (in thousands) that merging a copy into itself takes."""
    ours = _project_with(tmp_path / f"ours{units}.qualcode", units)
    theirs = Path(shutil.copy(ours, tmp_path / f"theirs{units}.qualcode"))
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0
    with Store.open(ours) as store:
        store.db.conn.set_progress_handler(count, 1000)
        report = merge_into(store, theirs, backup=False)
        store.db.conn.set_progress_handler(None, 0)
    assert not report.changed() and report.unchanged["codings"] == units
    return steps[0]


def test_merge_work_grows_linearly(tmp_path: Path) -> None:
    """Doubling the project about doubles the merge's SQL work (a scan per lookup would
    quadruple it): counted in SQLite VM steps, not timed."""
    small, large = _merge_steps(tmp_path, 300), _merge_steps(tmp_path, 600)
    assert large < 2.6 * small, (small, large)


def test_an_older_project_gets_the_indexes_and_still_matches_any_case(pair: tuple[Path, Path]
                                                                      ) -> None:
    ours, theirs = pair
    conn = sqlite3.connect(ours)  # the project as a qualcode before m005 left it
    for table in ("coders", "sources", "units", "codes", "codings", "memos"):
        conn.execute(f"DROP INDEX {table}_by_lower_guid")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_guid_lookup_indexes'")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(theirs)  # their GUIDs in upper case, as NVivo writes them
    for table in ("coders", "sources", "units", "codes", "codings", "memos"):
        conn.execute(f"UPDATE {table} SET guid = upper(guid)")
    conn.execute("UPDATE memos SET target_guid = upper(target_guid)")
    conn.commit()
    conn.close()
    with Store.open(ours) as store:
        # m005's six (m006 indexes its own table's GUIDs the same way: not counted here).
        assert store.db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE "
                                "'%_by_lower_guid' AND name NOT LIKE 'pinned%'"
                                ).fetchone()[0] == 6
        report = merge_into(store, theirs)
        assert {k: v for k, v in report.added.items() if v} == {
            "codings": 2, "done marks": 2, "memos": 1}


# -- undo after a merge ----------------------------------------------------------------------
def test_undo_after_a_merge_names_the_backup_that_undoes_it(pair: tuple[Path, Path]) -> None:
    ours, theirs = pair
    runner = CliRunner()
    merged = runner.invoke(main, ["merge", str(ours), str(theirs), "--coder", "alice"])
    assert merged.exit_code == 0, merged.output
    (backup,) = (ours.parent / "ours.qualcode.backups").glob("*-auto-before-merge.qualcode")
    with Store.open(ours) as store:
        assert store.events()[-1].payload["backup"] == str(backup)
    # bob's merged codings are his to undo; the note says what undo cannot take back.
    result = runner.invoke(main, ["undo", str(ours), "--coder", "bob", "--steps", "2"])
    assert result.exit_code == 0, result.output
    assert ": memo on " in result.output and ": import of theirs.qualcode (" in result.output
    (note,) = [line for line in result.output.splitlines() if line.startswith("Note:")]
    assert note.startswith(f"Note: {theirs} was merged into {ours} after or with the action")
    assert f"to undo the whole merge, restore the automatic backup taken just before it: " \
           f"{backup} (with nobody coding, move {ours} and any -wal and -shm beside it aside, " \
           "then copy the backup to its name)." in note
    # Nothing left for bob: still told how the merge itself is undone.
    again = runner.invoke(main, ["undo", str(ours), "--coder", "bob"])
    assert "Nothing more to undo for bob." in again.output and str(backup) in again.output
    # alice's action from before the merge is undone, with the same note.
    before = runner.invoke(main, ["undo", str(ours), "--coder", "alice"])
    assert ": done mark on r1 (" in before.output and str(backup) in before.output
    # An action taken after the merge is undone with no note.
    with Store.open(ours) as store:
        alice = store.coder("alice")
        store.add_coding(alice.id, 2, store.codebook().find("Time")[0].id)
    after = runner.invoke(main, ["undo", str(ours), "--coder", "alice"])
    assert "Undid event" in after.output and "Note:" not in after.output
    # Restoring the named backup gives back the project as it was before the merge.
    shutil.copy(backup, ours)
    with Store.open(ours) as store:
        assert store.coder("bob", create=False) is not None
        assert store.codings(coder_id=store.coder("bob").id) == []


def test_the_coding_screen_says_when_undo_reaches_back_past_a_merge(
        pair: tuple[Path, Path]) -> None:
    """The `u` key gives the same warning as `qualcode undo`, naming where to look."""
    from qualcode.tui.session import CodingSession

    ours, theirs = pair
    assert CliRunner().invoke(main, ["merge", str(ours), str(theirs)]).exit_code == 0
    with Store.open(ours) as store:
        session = CodingSession(store, store.coder("alice"))
        event, _ = session.undo()  # alice's done mark from before the merge
        note = session.merge_note(event)
        assert note is not None and note.startswith("theirs.qualcode was merged in after this")
        assert "qualcode undo" in note
        alice = store.coder("alice")
        store.add_coding(alice.id, 2, store.codebook().find("Time")[0].id)
        event, _ = session.undo()  # an action taken after the merge: nothing to say
        assert session.merge_note(event) is None
