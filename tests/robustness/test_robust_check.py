"""``qualcode check`` and ``qualcode backup`` on sound and on deliberately damaged projects.

Each damage is written with raw SQL and foreign keys off (as another tool or a bug
might), and the check must name it; a sound project passes every check.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.storage import Store
from qualcode.storage.check import check_project, has_errors


def _damage(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    for sql in statements:
        conn.execute(sql)
    conn.close()


@pytest.fixture
def coded(small_store: Store) -> Path:
    """A sound project with a coding, a done mark, a memo, an undo; closed."""
    alice = small_store.coder("alice")
    source = small_store.source_by_external_id("r1")
    code = [c for c in small_store.codebook() if c.codable][0]
    small_store.add_coding(alice.id, source.id, code.id, 4, 9)
    small_store.add_coding(alice.id, source.id, code.id)
    small_store.undo(alice.id)
    small_store.mark_done(small_store.whole_unit(source.id).id, alice.id)
    small_store.set_memo("source", source.guid, "a memo", coder_id=alice.id)
    small_store.close()
    return small_store.path


def test_a_sound_project_passes(coded: Path) -> None:
    assert check_project(coded) == []
    result = CliRunner().invoke(main, ["check", str(coded)])
    assert result.exit_code == 0, result.output
    assert ": ok" in result.output


DAMAGES = {
    "coding past the end": ("codings", 'UPDATE codings SET "end" = 10000 WHERE id = 1'),
    "unit past the end": ("units", "UPDATE sources SET text = 'short' WHERE external_id = 'r1'"),
    "coding on a missing code": ("foreign-keys", "UPDATE codings SET code_id = 999 WHERE id = 1"),
    "review on a missing unit": ("reviews", "UPDATE reviews SET unit_id = 999"),
    "memo on a missing source": ("memos", "UPDATE memos SET target_guid = 'nope'"),
    "source without its unit": ("units", "DELETE FROM units WHERE id = 2"),
    "code cycle": ("codes", "UPDATE codes SET parent_id = id"),
    "payload not JSON": ("events", "DROP TRIGGER events_no_update",
                         "UPDATE events SET payload = '{oops' WHERE id = 1"),
    "undo of nothing": ("events", "INSERT INTO events(guid, at, coder_id, action, payload, "
                        "undoes) VALUES ('g-x', '2026-01-01T00:00:00', 1, 'undo', '{}', 999)"),
    "coding event lost its coding": ("events", "DELETE FROM codings WHERE id = 2"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_each_damage_is_found(coded: Path, damage: str) -> None:
    check_name, *statements = DAMAGES[damage]
    _damage(coded, *statements)
    findings = check_project(coded)
    assert has_errors(findings)
    assert check_name in {f.check for f in findings}, findings
    result = CliRunner().invoke(main, ["check", str(coded), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False and report["findings"]
    table = CliRunner().invoke(main, ["check", str(coded)])
    assert table.exit_code == 1 and check_name in table.output


def test_check_does_not_change_the_project(coded: Path) -> None:
    before = coded.read_bytes()
    CliRunner().invoke(main, ["check", str(coded)])
    assert coded.read_bytes() == before


def test_corrupted_pages_fail_the_integrity_check(coded: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.qualcode"
    data = bytearray(coded.read_bytes())
    page = 4096
    for at in range(2 * page + 8, min(len(data), 8 * page), 97):  # scribble over b-tree pages
        data[at] = 0xFF
    broken.write_bytes(bytes(data))
    findings = check_project(broken)
    assert has_errors(findings)
    result = CliRunner().invoke(main, ["check", str(broken)])
    assert result.exit_code == 1


def test_cli_backup_and_check_of_not_a_project(coded: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "copy.qualcode"
    result = runner.invoke(main, ["backup", str(coded), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert check_project(out) == []
    again = runner.invoke(main, ["backup", str(coded), "-o", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output
    default = runner.invoke(main, ["backup", str(coded)])
    assert default.exit_code == 0 and ".backups" in default.output
    junk = tmp_path / "junk.qualcode"
    junk.write_text("not sqlite")
    for command in ("check", "backup"):
        result = runner.invoke(main, [command, str(junk)])
        assert result.exit_code == 1
        assert "not an SQLite file" in result.output and result.output.count("\n") == 1
