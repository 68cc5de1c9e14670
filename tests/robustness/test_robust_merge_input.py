"""Damaged merge input: every row a merge or a .qdpx import takes in is checked first.

The damaged ``.qualcode`` files are copies of a sound project (SQLite's backup API), with
one row broken by SQL (CHECK constraints switched off where the schema would stop it);
the damaged ``.qdpx`` files are built from XML written here. For each: exit status 1,
one line on stderr naming the file and the table and row (or the element and line),
no traceback, and the project unchanged, byte for byte, whatever ``--prefer`` says.
"""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from helpers.robust_harness import digest, make_project, one_line_error, run_cli
from qualcode.model import Layer, fold_guid
from qualcode.storage import Store

SQL_QUOTES = "x'); DROP TABLE codes; --"


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project, other): other is a copy of project where bob coded and wrote a memo."""
    folder = tmp_path_factory.mktemp("merge_input")
    project = make_project(folder / "study.qualcode")
    other = folder / "bob.qualcode"
    source, target = sqlite3.connect(project), sqlite3.connect(other)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    with Store.open(other) as store:
        bob = store.coder("bob")
        listening = store.codebook().find("Listening")[0]
        r1 = store.source_by_external_id("r1")
        coding = store.add_coding(bob.id, r1.id, listening.id, 4, 9)
        store.mark_done(store.whole_unit(r1.id).id, bob.id)
        store.set_memo("coding", coding.guid, "Bob's note.", coder_id=bob.id)
    return project, other


def _damaged(sound: tuple[Path, Path], tmp_path: Path, *sql: str) -> tuple[Path, Path]:
    project = Path(shutil.copy(sound[0], tmp_path / "study.qualcode"))
    other = Path(shutil.copy(sound[1], tmp_path / "bob.qualcode"))
    conn = sqlite3.connect(other)
    try:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        for statement in sql:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return project, other


BOB_CODING = "(SELECT max(id) FROM codings)"
DAMAGE = {
    # offsets
    "coding start after end": (
        "codings",
        f'UPDATE codings SET start = 9, "end" = 4 WHERE id = {BOB_CODING}',
    ),
    "coding past the text": ("codings", f'UPDATE codings SET "end" = 5000 WHERE id = {BOB_CODING}'),
    "coding negative": ("codings", f"UPDATE codings SET start = -3 WHERE id = {BOB_CODING}"),
    "coding offset as text": (
        "codings",
        f"UPDATE codings SET start = 'four' WHERE id = {BOB_CODING}",
    ),
    "coding offset as real": ("codings", f'UPDATE codings SET "end" = 8.5 WHERE id = {BOB_CODING}'),
    "whole unit past the text": ("units", 'UPDATE units SET "end" = 999 WHERE id = 1'),
    "sentence unit past the text": (
        "units",
        'INSERT INTO units(guid, source_id, start, "end", '
        "kind, position) "
        "VALUES ('0b0b0b0b-0000-4000-8000-000000000001', 1, "
        "10, 900, 'sentence', 1)",
    ),
    # enums
    "code kind bogus": ("codes", "UPDATE codes SET kind = 'bogus' WHERE id = 1"),
    "unit kind bogus": ("units", "UPDATE units SET kind = 'bogus' WHERE id = 1"),
    "coding layer bogus": (
        "codings",
        f"UPDATE codings SET layer = 'bogus' WHERE id = {BOB_CODING}",
    ),
    "review layer bogus": ("reviews", "UPDATE reviews SET layer = 'bogus'"),
    "memo target kind bogus": ("memos", "UPDATE memos SET target_kind = 'bogus'"),
    # JSON columns
    "metadata not JSON": ("sources", "UPDATE sources SET metadata = '{\"study\": ' WHERE id = 2"),
    "metadata NaN": ("sources", "UPDATE sources SET metadata = '{\"score\": NaN}' WHERE id = 2"),
    "metadata 1e400": (
        "sources",
        "UPDATE sources SET metadata = '{\"score\": 1e400}' WHERE id = 2",
    ),
    "metadata an array": ("sources", "UPDATE sources SET metadata = '[1, 2]' WHERE id = 2"),
    "examples not JSON": ("codes", "UPDATE codes SET examples = 'one, two' WHERE id = 2"),
    # references
    "coding on a missing code": (
        "codings",
        f"UPDATE codings SET code_id = 999 WHERE id = {BOB_CODING}",
    ),
    "coding on a missing source": (
        "codings",
        f"UPDATE codings SET source_id = 999 WHERE id = {BOB_CODING}",
    ),
    "coding by a missing coder": (
        "codings",
        f"UPDATE codings SET coder_id = 999 WHERE id = {BOB_CODING}",
    ),
    "unit of a missing source": ("units", "UPDATE units SET source_id = 999 WHERE id = 2"),
    "done mark on a missing unit": ("reviews", "UPDATE reviews SET unit_id = 999"),
    "code under a missing parent": ("codes", "UPDATE codes SET parent_id = 999 WHERE id = 2"),
    "codes in a loop": ("codes", "UPDATE codes SET parent_id = 2 WHERE id = 1"),
    # GUIDs that are not GUIDs
    "code GUID x": ("codes", "UPDATE codes SET guid = 'x' WHERE id = 2"),
    "code GUID empty": ("codes", "UPDATE codes SET guid = '' WHERE id = 2"),
    "code GUID 200 chars": ("codes", f"UPDATE codes SET guid = '{'a' * 200}' WHERE id = 2"),
    "code GUID with SQL quotes": (
        "codes",
        "UPDATE codes SET guid = '" + SQL_QUOTES.replace("'", "''") + "' WHERE id = 2",
    ),
    "coder GUID x": ("coders", "UPDATE coders SET guid = 'x' WHERE name = 'bob'"),
    "source GUID an integer": ("sources", "UPDATE sources SET guid = 12 WHERE id = 1"),
    "coding GUID empty": ("codings", f"UPDATE codings SET guid = '' WHERE id = {BOB_CODING}"),
    "memo GUID x": ("memos", "UPDATE memos SET guid = 'x'"),
    "memo target not a GUID": ("memos", "UPDATE memos SET target_guid = 'the second coding'"),
    # GUIDs that differ only in case are one GUID: two rows with it are one thing twice
    "two codes, one GUID in two cases": (
        "codes",
        "UPDATE codes SET guid = upper((SELECT guid FROM codes WHERE id = 1)) WHERE id = 2",
    ),
    "two coders, one GUID in two cases": (
        "coders",
        "UPDATE coders SET guid = upper((SELECT guid FROM coders WHERE name = 'alice')) "
        "WHERE name = 'bob'",
    ),
    "two sources, one GUID in braces": (
        "sources",
        "UPDATE sources SET guid = "
        "'{' || (SELECT guid FROM sources WHERE id = 1) || '}' "
        "WHERE id = 2",
    ),
}


def _assert_refused(project: Path, other: Path, args: list[str], *words: str) -> str:
    before = digest(project)
    run = run_cli(["merge", str(project), str(other), *args])
    problem = one_line_error(run, other)
    assert problem is None, problem
    line = run.stderr.strip()
    for word in words:
        assert word in line, line
    assert digest(project) == before
    return line


@pytest.mark.parametrize("case", list(DAMAGE), ids=list(DAMAGE))
@pytest.mark.parametrize("prefer", [[], ["--prefer", "ours"], ["--prefer", "theirs"]],
                         ids=["no-choice", "ours", "theirs"])
def test_damaged_qualcode_is_refused_whole(sound: tuple[Path, Path], tmp_path: Path, case: str,
                                           prefer: list[str]) -> None:
    table, sql = DAMAGE[case]
    project, other = _damaged(sound, tmp_path, sql)
    line = _assert_refused(project, other, prefer, f"table {table}, row ", "nothing was changed",
                           "backup")
    assert "Traceback" not in line and len(line) < 600


def test_dry_run_checks_too(sound: tuple[Path, Path], tmp_path: Path) -> None:
    project, other = _damaged(sound, tmp_path, DAMAGE["coding past the text"][1])
    _assert_refused(project, other, ["--dry-run", "--prefer", "theirs"], "table codings")


def test_a_changed_coding_outside_its_text_is_refused_whatever_the_choice(
        sound: tuple[Path, Path], tmp_path: Path) -> None:
    """The conflict path: the coding is in both files and theirs moved it past the text."""
    project, other = _damaged(sound, tmp_path)
    assert run_cli(["merge", str(project), str(other)]).exit_code == 0  # bob's coding is in both
    conn = sqlite3.connect(other)
    conn.execute(f"UPDATE codings SET \"end\" = 4000 WHERE id = {BOB_CODING}")
    conn.commit()
    conn.close()
    for prefer in ("ours", "theirs"):
        _assert_refused(project, other, ["--prefer", prefer], "table codings", "4000")


def test_the_sound_copy_merges(sound: tuple[Path, Path], tmp_path: Path) -> None:
    """The control: the undamaged copy merges, so the refusals come from the damage."""
    project, other = _damaged(sound, tmp_path)
    run = run_cli(["merge", str(project), str(other)])
    assert run.exit_code == 0, run.stderr
    assert "added 1 coder, 1 coding, 1 done mark, 1 memo" in run.stdout


GUID_TABLES = ("coders", "codes", "sources", "units", "codings", "memos")


@pytest.mark.parametrize("spelling", ["upper(guid)", "'{' || upper(guid) || '}'"],
                         ids=["upper-case", "upper-case-in-braces"])
def test_guids_differing_in_case_are_one_thing_across_files(sound: tuple[Path, Path],
                                                            tmp_path: Path, spelling: str) -> None:
    """Upper-case (braced) GUIDs in the other file match the project's: nothing doubles, and
    what the merge adds is stored without braces, so later lookups find it."""
    project, other = _damaged(sound, tmp_path, *(f"UPDATE {table} SET guid = {spelling}"
                                                 for table in GUID_TABLES))
    run = run_cli(["merge", str(project), str(other)])
    assert run.exit_code == 0, run.stderr
    with Store.open(project) as store:
        assert len(store.codebook()) == 3 and store.source_count() == 3
        assert [c.name for c in store.coders()] == ["alice", "bob"]
        guids = [fold_guid(c.guid) for c in store.coders()]
        assert len(set(guids)) == len(guids)
        for table in GUID_TABLES:
            assert not store.db.execute(f"SELECT guid FROM {table} WHERE guid LIKE '%{{%'"
                                        ).fetchall(), table
    again = run_cli(["merge", str(project), str(other)])
    assert again.exit_code == 0 and "Nothing to merge" in again.stdout


# -- .qdpx --------------------------------------------------------------------------------------
USER, CODE, SOURCE, CODING = ("11111111-1111-4111-8111-111111111111",
                              "33333333-3333-4333-8333-333333333333",
                              "55555555-5555-4555-8555-555555555555",
                              "77777777-7777-4777-8777-777777777777")
NOTE = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
TEXT = "We talked about time pressure."


def qde(*, users: str = "", codes: str = "", selection: str = "", notes: str = "",
        coding: str = "") -> bytes:
    """A small valid project.qde; each keyword replaces one part with a damaged one."""
    users = users or f'<User guid="{USER}" name="dana"/>'
    codes = codes or f'<Code guid="{CODE}" name="Time" isCodable="true"/>'
    coding = coding or (f'<Coding guid="{CODING}" creatingUser="{USER}">'
                        f'<CodeRef targetGUID="{CODE}"/></Coding>')
    selection = selection or (f'<PlainTextSelection guid="99999999-9999-4999-8999-999999999999" '
                              f'startPosition="16" endPosition="29" creatingUser="{USER}">'
                              f'{coding}<NoteRef targetGUID="{NOTE}"/></PlainTextSelection>')
    notes = notes or (f'<Note guid="{NOTE}" creatingUser="{USER}"><PlainTextContent>About time.'
                      "</PlainTextContent></Note>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="p">\n'
            f"<Users>\n{users}\n</Users>\n<CodeBook><Codes>\n{codes}\n</Codes></CodeBook>\n"
            f'<Sources>\n<TextSource guid="{SOURCE}" name="interview.txt">\n'
            f"<PlainTextContent>{TEXT}</PlainTextContent>\n{selection}\n</TextSource>\n"
            f"</Sources>\n<Notes>\n{notes}\n</Notes>\n</Project>\n").encode()


def _selection(start: str, end: str) -> str:
    return (f'<PlainTextSelection guid="99999999-9999-4999-8999-999999999999" '
            f'startPosition="{start}" endPosition="{end}" creatingUser="{USER}">'
            f'<Coding guid="{CODING}" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/>'
            "</Coding></PlainTextSelection>")


def _coding(guid: str = CODING, code: str = CODE, user: str = USER) -> str:
    return f'<Coding guid="{guid}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'


QDPX_DAMAGE = {
    "selection past the text": (qde(selection=_selection("16", "500")), "<PlainTextSelection>"),
    "selection start after end": (qde(selection=_selection("20", "16")), "<PlainTextSelection>"),
    "selection negative": (qde(selection=_selection("-1", "5")), "<PlainTextSelection>"),
    "selection not a number": (qde(selection=_selection("1e3", "5")), "<PlainTextSelection>"),
    "coding on an unknown code": (qde(coding=_coding(code="33333333-3333-4333-8333-000000000000")),
                                  "<CodeRef>"),
    "code ref not a GUID": (qde(coding=_coding(code="Time")), "<CodeRef>"),
    "coding GUID not a GUID": (qde(coding=_coding(guid="x")), "<Coding>"),
    "coding user not a GUID": (qde(coding=_coding(user=SQL_QUOTES)), "<Coding>"),
    "user GUID 200 chars": (qde(users=f'<User guid="{"a" * 200}" name="dana"/>'), "User"),
    "code GUID empty": (qde(codes='<Code guid="" name="Time" isCodable="true"/>'), "Code"),
    "note GUID not a GUID": (qde(notes='<Note guid="note-1"><PlainTextContent>x</PlainTextContent>'
                                       "</Note>"), "<Note>"),
    "note ref target not a GUID": (
        qde(selection=_selection("16", "29").replace(
            "</PlainTextSelection>", '<NoteRef targetGUID="memo one"/></PlainTextSelection>')),
        "<NoteRef>"),
    "unit memo on a unit that is not a GUID": (
        qde(notes=f'<Note guid="{NOTE}"><PlainTextContent>x</PlainTextContent><Description>'
                  f"qualcode:unit not-a-guid source={SOURCE} kind=sentence start=0 end=5"
                  "</Description></Note>"), "<Note>"),
    "two codes, one GUID in two cases": (
        qde(codes=f'<Code guid="{CODE}" name="Time" isCodable="true"/>'
                  f'<Code guid="{CODE.upper()}" name="Money" isCodable="true"/>'), "appears twice"),
    "two notes, one GUID in two cases": (
        qde(notes=f'<Note guid="{NOTE}"><PlainTextContent>a</PlainTextContent></Note>'
                  f'<Note guid="{NOTE.upper()}"><PlainTextContent>b</PlainTextContent></Note>'),
        "two notes share GUID"),
}


def zipped(path: Path, project_qde: bytes) -> Path:
    """A .qdpx holding ``project_qde``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_qde)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "study.qualcode")


def test_unit_marker_is_what_the_test_thinks() -> None:
    """The unit memo case above uses qualcode's own marker (so it tests the GUID, not a typo)."""
    from qualcode.interchange.refi.project_xml import UNIT_MARK

    assert UNIT_MARK == "qualcode:unit"


@pytest.mark.parametrize("case", list(QDPX_DAMAGE), ids=list(QDPX_DAMAGE))
@pytest.mark.parametrize("command", ["import", "merge"])
def test_damaged_qdpx_is_refused_whole(project: Path, tmp_path: Path, case: str,
                                       command: str) -> None:
    xml, element = QDPX_DAMAGE[case]
    bad = zipped(tmp_path / "damaged.qdpx", xml)
    before = digest(project)
    args = [command, str(project), str(bad)]
    for prefer in ([], ["--prefer", "theirs"]) if command == "merge" else ([],):
        run = run_cli(args + prefer)
        problem = one_line_error(run, bad)
        assert problem is None, problem
        assert element in run.stderr and "line" in run.stderr and "nothing was imported" in \
            run.stderr, run.stderr
        assert digest(project) == before


def test_the_sound_qdpx_imports(project: Path, tmp_path: Path) -> None:
    """The control: the template every damaged .qdpx above was cut from imports cleanly."""
    good = zipped(tmp_path / "good.qdpx", qde())
    run = run_cli(["import", str(project), str(good)])
    assert run.exit_code == 0, run.stderr
    with Store.open(project) as store:
        source = store.source_by_external_id("interview.txt")
        [coding] = [c for c in store.codings() if c.source_id == source.id]
        assert source.excerpt(coding.start, coding.end) == "time pressure" and \
            coding.layer is Layer.CODER
        assert store.db.execute("SELECT count(*) FROM memos WHERE target_kind = 'coding'"
                                ).fetchone()[0] == 1


@pytest.mark.parametrize("target", ["x", "", "a" * 200, SQL_QUOTES])
def test_a_qdc_note_ref_that_is_not_a_guid_is_refused(project: Path, tmp_path: Path,
                                                      target: str) -> None:
    """A codebook's note reference (a memo's target) must be a GUID too."""
    from xml.sax.saxutils import quoteattr

    qdc = tmp_path / "book.qdc"
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?>\n'
                   '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
                   f'<Code guid="{CODE}" name="Time" isCodable="true">\n'
                   f"<NoteRef targetGUID={quoteattr(target)}/></Code></Codes></CodeBook>\n",
                   encoding="utf-8")
    before = digest(project)
    run = run_cli(["codebook", "import", str(project), str(qdc)])
    problem = one_line_error(run, qdc)
    assert problem is None, problem
    assert "NoteRef" in run.stderr and "line 4" in run.stderr and "export" in run.stderr
    assert digest(project) == before


def test_merged_metadata_follows_the_project_number_rule(sound: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    """A whole number beyond SQLite's 64 bits in the other file's metadata is stored as its
    digits (the rule of qualcode.storage.metadata), so `qualcode check` stays clean."""
    from qualcode.storage.check import check_project

    big = "123456789012345678901234567890"
    project, other = _damaged(
        sound, tmp_path,
        "INSERT INTO sources(guid, external_id, name, text, metadata, created_at) VALUES "
        "('0e0e0e0e-0000-4000-8000-000000000001', 'r9', 'r9', 'New text.', "
        f"'{{\"n\": {big}, \"ok\": 2}}', '2026-01-01T00:00:00Z')",
        "INSERT INTO units(guid, source_id, start, \"end\", kind, position) VALUES "
        "('0e0e0e0e-0000-4000-8000-000000000002', (SELECT id FROM sources WHERE external_id = "
        "'r9'), 0, 9, 'source', 9)")
    run = run_cli(["merge", str(project), str(other)])
    assert run.exit_code == 0, run.stderr
    conn = sqlite3.connect(project)
    try:
        (stored,) = conn.execute("SELECT metadata FROM sources WHERE external_id = 'r9'").fetchone()
    finally:
        conn.close()
    assert stored == f'{{"n": "{big}", "ok": 2}}'
    assert check_project(project) == []
