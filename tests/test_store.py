"""The project store: schema, migrations, one transaction per action, event log, undo."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.store_engines import ENGINES, engine_store
from qualcode.errors import CodebookError, ConfirmationRequired, FormatError, StoreError
from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store
from qualcode.storage.schema import MIGRATION_SET, migrations


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test of a store runs on a project file and on a server project."""
    yield from engine_store(request, tmp_path)


def test_create_makes_a_wal_project_with_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "new.qualcode"
    Store.create(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])]
    assert applied == [m.name for m in migrations._migrations]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sources", "units", "codes", "coders", "codings", "reviews", "events",
            "memos"} <= tables


def test_open_applies_a_pending_forward_migration(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "old.qualcode"
    Store.create(path).close()

    def m999_add_colour_note(db) -> None:
        db.execute("ALTER TABLE codes ADD COLUMN colour_note TEXT")

    monkeypatch.setattr(migrations, "_migrations", list(migrations._migrations))
    migrations(name="m999_add_colour_note")(m999_add_colour_note)
    with Store.open(path) as store:
        columns = {r[1] for r in store.db.execute("PRAGMA table_info(codes)")}
    assert "colour_note" in columns


def test_a_failing_migration_is_not_half_applied(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "old.qualcode"
    Store.create(path).close()

    def m999_broken(db) -> None:
        db.execute("ALTER TABLE codes ADD COLUMN half TEXT")
        db.execute("THIS IS NOT SQL")

    monkeypatch.setattr(migrations, "_migrations", list(migrations._migrations))
    migrations(name="m999_broken")(m999_broken)
    with pytest.raises(sqlite3.OperationalError):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert "half" not in {r[1] for r in conn.execute("PRAGMA table_info(codes)")}
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE name = 'm999_broken'"
                        ).fetchone()[0] == 0


def test_open_refuses_what_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such project"):
        Store.open(tmp_path / "missing.qualcode")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(StoreError, match="not a qualcode project"):
        Store.open(other)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(StoreError, match="not an SQLite file"):
        Store.open(text)


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "p.qualcode"
    Store.create(path).close()
    with pytest.raises(StoreError, match="already exists"):
        Store.create(path)


def test_every_entity_has_a_guid(small_store: Store) -> None:
    alice = small_store.coder("alice")
    source = small_store.source_by_external_id("r1")
    code = small_store.codebook().find("Listening")[0]
    coding = small_store.add_coding(alice.id, source.id, code.id)
    guids = {alice.guid, source.guid, code.guid, coding.guid,
             small_store.whole_unit(source.id).guid}
    assert len(guids) == 5 and all(len(g) == 36 for g in guids)


def test_whole_unit_coding_covers_the_source(small_store: Store) -> None:
    alice = small_store.coder("alice")
    source = small_store.source_by_external_id("r2")
    code = small_store.codebook().find("Time pressure")[0]
    coding = small_store.add_coding(alice.id, source.id, code.id)
    assert (coding.start, coding.end) == (0, len(source.text))
    assert source.text.endswith("😴") and coding.end == len(source.text)


def test_span_outside_text_is_refused(small_store: Store) -> None:
    alice = small_store.coder("alice")
    source = small_store.source_by_external_id("r3")
    code = small_store.codebook().find("Listening")[0]
    with pytest.raises(FormatError, match="outside source 'r3'"):
        small_store.add_coding(alice.id, source.id, code.id, 3, 400)


def test_event_log_is_append_only(small_store: Store) -> None:
    assert small_store.events()
    # SQLite: IntegrityError from RAISE(ABORT); PostgreSQL: the trigger function's exception.
    with pytest.raises(Exception, match="append-only"):  # noqa: B017
        small_store.db.execute("UPDATE events SET action = 'x'")
    with pytest.raises(Exception, match="append-only"):  # noqa: B017
        small_store.db.execute("DELETE FROM events")
    assert small_store.events()


def test_undo_and_redo_walk_back_and_forth(small_store: Store) -> None:
    alice = small_store.coder("alice")
    source = small_store.source_by_external_id("r1")
    unit = small_store.whole_unit(source.id)
    code = small_store.codebook().find("Listening")[0]
    small_store.add_coding(alice.id, source.id, code.id, 4, 9)
    small_store.mark_done(unit.id, alice.id)
    small_store.set_memo("unit", unit.guid, "ask bob", coder_id=alice.id)

    assert small_store.undo(alice.id).action == "memo.set"
    assert small_store.memos("unit", unit.guid) == []
    assert small_store.undo(alice.id).action == "review.done"
    assert not small_store.is_done(unit.id, alice.id)
    assert small_store.undo(alice.id).action == "coding.add"
    assert small_store.codings(coder_id=alice.id) == []
    assert small_store.redo(alice.id).action == "coding.add"
    assert len(small_store.codings(coder_id=alice.id)) == 1
    assert small_store.redo(alice.id).action == "review.done"
    assert small_store.is_done(unit.id, alice.id)
    actions = [e.action for e in small_store.events(coder_id=alice.id)]
    assert actions[-5:] == ["undo", "undo", "undo", "redo", "redo"]


def test_a_new_action_clears_the_redo_stack(small_store: Store) -> None:
    alice = small_store.coder("alice")
    source = small_store.source_by_external_id("r1")
    code = small_store.codebook().find("Listening")[0]
    small_store.add_coding(alice.id, source.id, code.id)
    small_store.undo(alice.id)
    small_store.mark_done(small_store.whole_unit(source.id).id, alice.id)
    assert small_store.redo(alice.id) is None


def test_undo_is_per_coder(small_store: Store) -> None:
    alice, bob = small_store.coder("alice"), small_store.coder("bob")
    source = small_store.source_by_external_id("r1")
    code = small_store.codebook().find("Listening")[0]
    small_store.add_coding(alice.id, source.id, code.id)
    small_store.add_coding(bob.id, source.id, code.id)
    small_store.undo(alice.id)
    assert [c.coder_id for c in small_store.codings()] == [bob.id]


def test_delete_code_with_codings_needs_confirmation_and_is_undoable(small_store: Store) -> None:
    alice = small_store.coder("alice")
    theme = small_store.codebook().find("Communication")[0]
    listening = small_store.codebook().find("Listening")[0]
    small_store.add_coding(alice.id, 1, listening.id)
    with pytest.raises(ConfirmationRequired, match="1 codings"):
        small_store.delete_code(theme.id, actor_id=alice.id)
    assert small_store.delete_code(theme.id, force=True, actor_id=alice.id) == 1
    assert small_store.codebook().find("Listening") == [] and small_store.codings() == []
    assert small_store.integrity_ok()
    small_store.undo(alice.id)
    assert small_store.codebook().find("Communication/Listening")
    assert len(small_store.codings()) == 1


def test_codebook_edits_rename_move_merge(small_store: Store) -> None:
    alice = small_store.coder("alice")
    book = small_store.codebook()
    theme, listening, time = (book.find(n)[0] for n in ("Communication", "Listening",
                                                         "Time pressure"))
    small_store.add_coding(alice.id, 2, time.id)
    small_store.update_code(listening.id, name="Active listening", actor_id=alice.id)
    small_store.move_code(time.id, theme.id, actor_id=alice.id)
    assert small_store.codebook().path(small_store.code(time.id)) == "Communication/Time pressure"
    small_store.merge_codes(time.id, listening.id, actor_id=alice.id)
    assert {c.code_id for c in small_store.codings()} == {listening.id}
    with pytest.raises(CodebookError, match="already exists"):
        small_store.add_code("active LISTENING", parent_id=theme.id)
    small_store.undo(alice.id)  # merge
    assert {c.code_id for c in small_store.codings()} == {time.id}


def test_duplicate_shortcut_and_reserved_key_are_refused(small_store: Store) -> None:
    with pytest.raises(CodebookError, match="already taken"):
        small_store.add_code("Another", shortcut="l")
    with pytest.raises(CodebookError, match="reserved"):
        small_store.add_code("Done-ish", shortcut="d")


def test_failed_import_leaves_nothing(small_store: Store) -> None:
    events = len(small_store.events())
    records = [SourceRecord("new1", "fine", line=2), SourceRecord("new1", "again", line=3)]
    with pytest.raises(FormatError, match="line 3: duplicate id 'new1'"):
        small_store.import_sources(records, path="dup.csv")
    assert small_store.source_count() == 3 and len(small_store.events()) == events


def test_consensus_layer_is_separate(small_store: Store) -> None:
    alice = small_store.coder("alice")
    code = small_store.codebook().find("Listening")[0]
    small_store.add_coding(alice.id, 1, code.id)
    small_store.add_coding(alice.id, 1, code.id, layer=Layer.CONSENSUS)
    assert len(small_store.codings(layer=Layer.CONSENSUS)) == 1
    assert len(small_store.codings(layer=Layer.CODER)) == 1


def test_theme_kind_defaults_to_not_codable(store: Store) -> None:
    theme = store.add_code("T", kind=CodeKind.THEME)
    code = store.add_code("C", parent_id=theme.id)
    assert not theme.codable and code.codable


def test_a_text_holding_nul_is_measured_whole(store: Store) -> None:
    """SQLite's length() stops at a NUL character; spans, imports and check must not."""
    from qualcode.model import CodingRecord
    from qualcode.storage.check import check_project

    text = "before\x00after the NUL"  # 20 characters, length() in SQL says 6
    if store.db.engine == "postgresql":  # its text type cannot hold NUL: refused in one line
        with pytest.raises(StoreError, match=r"NUL character .* PostgreSQL"):
            store.import_sources([SourceRecord("n1", text)])
        assert store.source_count() == 0
        return
    store.import_sources([SourceRecord("n1", text)])
    code = store.add_code("Time")
    alice = store.coder("alice")
    source = store.source_by_external_id("n1")
    assert store.add_coding(alice.id, source.id, code.id, 7, 12).end == 12  # after the NUL
    whole = store.add_coding(alice.id, source.id, code.id)
    assert (whole.start, whole.end) == (0, len(text))
    with pytest.raises(FormatError, match=r"span 0\.\.21 .*its text has 20 characters"):
        store.add_coding(alice.id, source.id, code.id, 0, len(text) + 1)
    report = store.import_codings([CodingRecord("n1", code.id), CodingRecord("n1", code.id, 7, 12)],
                                  alice.id)
    assert report.added == 0 and report.unchanged == 2  # both already there, found as such
    assert check_project(store) == []
