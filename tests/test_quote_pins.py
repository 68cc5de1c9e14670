"""Pinned quotes: ``qualcode quote pin|unpin|list``, the event log and undo, the theme table.

The theme table shows a code's pinned quotes first, in the order they were pinned, then
fills the rest with its own choice (never the pinned passage twice).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.robust_harness import digest
from helpers.store_engines import ENGINES, engine_store
from qualcode.analysis.theme_table import theme_table
from qualcode.cli import main
from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store
from qualcode.storage.pins import pin_quote, pinned_quotes


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)

TEXTS = {
    "A1": "I waited all day. Then a nurse finally came and explained why the scan was late.",
    "A2": "The staff were kind to my daughter and always made her feel welcome on the ward.",
    "A3": "  Food was cold.\n\n   ",
    "A4": "Nobody told me when the doctor would come, so I sat there for hours wondering.",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "p.qualcode"
    with Store.create(path) as store:
        store.import_sources([SourceRecord(k, v, metadata={"participant": k})
                              for k, v in TEXTS.items()], path="x.csv")
        theme = store.add_code("Care", kind=CodeKind.THEME)
        waiting = store.add_code("Waiting", parent_id=theme.id)
        store.add_code("Kindness", parent_id=theme.id)
        alice = store.coder("alice")
        for ext in ("A1", "A3", "A4"):
            store.add_coding(alice.id, store.source_by_external_id(ext).id, waiting.id)
    return path


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def quotes(path: Path, code: str = "Waiting", n: int = 2) -> list[tuple[str, str, bool]]:
    with Store.open(path) as store:
        table = theme_table(store, quotes=n, auto_kappa=False)
    row = next(r for r in table.rows if r.code.name == code)
    return [(q.source, q.text, q.pinned) for q in row.quotes]


def test_pinned_quotes_come_first_in_pin_order(project: Path) -> None:
    # Unpinned: the two readable answers, one per source.
    assert [q[0] for q in quotes(project)] == ["A1", "A4"]
    assert run("quote", "pin", project, "--code", "Waiting", "--source", "A3")[0] == 0
    assert run("quote", "pin", project, "--code", "Care/Waiting", "--source", "A1",
               "--start", "0", "--end", "17")[0] == 0
    assert quotes(project, n=3) == [("A3", "Food was cold.", True),
                                    ("A1", "I waited all day.", True),
                                    ("A4", " ".join(TEXTS["A4"].split()), False)]
    # Fewer quotes than pins: the first pins only.
    assert quotes(project, n=1) == [("A3", "Food was cold.", True)]


def test_a_pinned_passage_is_not_shown_twice(project: Path) -> None:
    run("quote", "pin", project, "--code", "Waiting", "--source", "A4")
    got = quotes(project, n=3)
    assert [q[0] for q in got] == ["A4", "A1", "A3"]
    assert len({q[1] for q in got}) == 3


def test_a_pin_on_an_uncoded_code_is_shown(project: Path) -> None:
    # Nobody coded Kindness; the user's pin still gives the row its exemplar.
    run("quote", "pin", project, "--code", "Kindness", "--source", "A2")
    assert [q[0] for q in quotes(project, "Kindness")] == ["A2"]


def test_pin_and_unpin_are_logged_and_undone(project: Path) -> None:
    code, out, err = run("quote", "pin", project, "--code", "Waiting", "--source", "A1",
                         "--coder", "alice")
    assert code == 0, err and "Pinned" in out
    code, out, err = run("quote", "unpin", project, "--code", "Waiting", "--coder", "alice")
    assert code == 0 and "Unpinned 1 quote" in out
    with Store.open(project) as store:
        actions = [e.action for e in store.events()][-2:]
        assert actions == ["quote.pin", "quote.unpin"]
        assert pinned_quotes(store) == []
        alice = store.coder("alice", create=False)
        store.undo(alice.id)  # the unpin
        assert [p.source_id for p in pinned_quotes(store)] == [
            store.source_by_external_id("A1").id]
        store.undo(alice.id)  # the pin
        assert pinned_quotes(store) == []
        store.redo(alice.id)
        assert len(pinned_quotes(store)) == 1
        guid = pinned_quotes(store)[0].guid
        assert len(guid) == 36 and guid.count("-") == 4


def test_list_shows_pins_and_says_when_there_are_none(project: Path) -> None:
    code, out, _ = run("quote", "list", project)
    assert code == 0 and "No pinned quotes" in out
    run("quote", "pin", project, "--code", "Waiting", "--source", "A1", "--start", "18",
        "--end", "40")
    code, out, _ = run("quote", "list", project, "--code", "Waiting")
    assert code == 0 and "A1" in out and "18-40" in out


def test_pins_of_a_deleted_code_or_source_are_gone(project: Path) -> None:
    run("quote", "pin", project, "--code", "Waiting", "--source", "A1")
    with Store.open(project) as store:
        waiting = store.codebook().find("Waiting")[0]
        store.db.execute("UPDATE codes SET deleted_at = 'x' WHERE id = ?", [waiting.id])
        assert pinned_quotes(store) == []


BAD_PINS = [
    (["--code", "Wating", "--source", "A1"], "no code 'Wating'"),
    (["--code", "Waiting", "--source", "Z9"], "no source with id 'Z9'"),
    (["--code", "Care", "--source", "A1"], "heading"),
    (["--code", "Waiting", "--source", "A1", "--start", "5"], "both --start and --end"),
    (["--code", "Waiting", "--source", "A1", "--start", "9", "--end", "3"], "span 9..3"),
    (["--code", "Waiting", "--source", "A1", "--start", "3", "--end", "3"], "span 3..3"),
    (["--code", "Waiting", "--source", "A1", "--start", "0", "--end", "9999"], "9999"),
    (["--code", "Waiting", "--source", "A3", "--start", "0", "--end", "2"], "only whitespace"),
    (["--code", "Waiting", "--source", "A3", "--start", "16", "--end", "21"], "only whitespace"),
    (["--code", "Waiting", "--source", "A1", "--start", "-1", "--end", "3"], "-1"),
]


@pytest.mark.parametrize("args,said", BAD_PINS)
def test_a_bad_pin_is_one_line_and_changes_nothing(project: Path, args: list[str],
                                                   said: str) -> None:
    before = digest(project)
    code, out, err = run("quote", "pin", project, *args)
    assert code != 0 and out == ""
    lines = err.strip().splitlines()
    assert len([ln for ln in lines if ln.startswith("Error")]) == 1, err
    assert said in err and "Traceback" not in err
    assert digest(project) == before


def test_pinning_the_same_passage_twice_is_refused(project: Path) -> None:
    assert run("quote", "pin", project, "--code", "Waiting", "--source", "A1")[0] == 0
    code, _, err = run("quote", "pin", project, "--code", "Waiting", "--source", "A1")
    assert code != 0 and "already pinned" in err and len(err.strip().splitlines()) == 1


def test_unpin_with_nothing_to_unpin_is_one_line(project: Path) -> None:
    for args in (["--code", "Waiting"], ["--code", "Waiting", "--source", "A1"],
                 ["--code", "Waiting", "--start", "0", "--end", "3"]):
        code, _, err = run("quote", "unpin", project, *args)
        assert code != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_older_project_gains_the_pins_table_on_open(project: Path) -> None:
    conn = sqlite3.connect(project)
    conn.execute("DROP TABLE pinned_quotes")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_pinned_quotes'")
    conn.commit()
    conn.close()
    with Store.open(project) as store:
        source = store.source_by_external_id("A1")
        waiting = store.codebook().find("Waiting")[0]
        pin_quote(store, code_id=waiting.id, source_id=source.id)
        assert len(pinned_quotes(store)) == 1


def test_undo_names_the_pin_in_plain_words(project: Path) -> None:
    run("quote", "pin", project, "--code", "Waiting", "--source", "A1", "--coder", "alice")
    code, out, err = run("undo", project, "--coder", "alice")
    assert code == 0, err
    assert "pin of a quote from A1 to Waiting" in out + err
    run("redo", project, "--coder", "alice")
    run("quote", "unpin", project, "--code", "Waiting", "--coder", "alice")
    code, out, err = run("undo", project, "--coder", "alice")
    assert "unpin of 1 quote of Waiting" in out + err
