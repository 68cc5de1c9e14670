"""The suggestion log out of the project: `qualcode export suggestions` and `qualcode status`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.store_engines import ENGINES, engine_store
from qualcode.cli import main
from qualcode.model import Suggestion
from qualcode.storage import Store
from qualcode.storage.suggestion_log import log_accepted, log_shown


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)


def _log_some(store: Store) -> None:
    """alice: shown two codes on r1 before done, accepts one; bob: shown one after done."""
    book = store.codebook()
    listening, pressure = book.find("Listening")[0].id, book.find("Time pressure")[0].id
    alice, bob = store.coder("alice").id, store.coder("bob").id
    r1 = store.whole_unit(store.source_by_external_id("r1").id)
    r2 = store.whole_unit(store.source_by_external_id("r2").id)
    log_shown(store, coder_id=alice, unit_id=r1.id, mode="on", unit_done=False, model="m1",
              suggestions=[Suggestion(listening, 0.8123456), Suggestion(pressure, 0.1)])
    coding = store.add_coding(alice, r1.source_id, listening, r1.start, r1.end)
    log_accepted(store, coder_id=alice, unit_id=r1.id, code_id=listening, coding_id=coding.id)
    log_shown(store, coder_id=bob, unit_id=r2.id, mode="after", unit_done=True, model="m2",
              suggestions=[Suggestion(pressure, 0.5)])


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_log_as_csv_has_one_row_per_suggestion_shown(small_store: Store) -> None:
    _log_some(small_store)
    code, out, err = run("export", "suggestions", small_store.path, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    got = [
        (
            r["Coder"],
            r["Source"],
            r["Code"],
            r["Rank"],
            r["Mode"],
            r["Shown after done"],
            bool(r["Accepted at (UTC)"]),
            r["Code on unit now"],
        )
        for r in rows
    ]
    assert got == [
        ("alice", "r1", "Communication/Listening", "1", "on", "0", True, "1"),
        ("alice", "r1", "Time pressure", "2", "on", "0", False, "0"),
        ("bob", "r2", "Time pressure", "1", "after", "1", False, "0"),
    ]
    assert rows[0]["Score"] == "0.8123"
    assert rows[0]["End"] == str(len("The group helped me listen to patients."))


def test_log_for_one_coder_and_a_deleted_code(small_store: Store) -> None:
    _log_some(small_store)
    alice = small_store.coder("alice")
    pressure = small_store.codebook().find("Time pressure")[0]
    small_store.delete_code(pressure.id, force=True, actor_id=alice.id)
    code, out, err = run("export", "suggestions", small_store.path, "--coder", "alice",
                         "--format", "csv")
    assert code == 0, err
    codes = [r["Code"] for r in csv.DictReader(io.StringIO(out))]
    assert codes == ["Communication/Listening", "Time pressure (deleted)"]


def test_unknown_coder_is_one_clear_line(small_store: Store) -> None:
    code, _, err = run("export", "suggestions", small_store.path, "--coder", "zed")
    assert code != 0
    assert "no coder named 'zed'" in err and "Traceback" not in err


def test_summary_and_status_report_accepted_and_kept(small_store: Store) -> None:
    _log_some(small_store)
    code, out, err = run("export", "suggestions", small_store.path, "--summary",
                         "--format", "csv")
    assert code == 0, err
    rows = {r["Coder"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (
        rows["alice"]["Unit-code pairs shown"],
        rows["alice"]["Accepted"],
        rows["alice"]["Code on unit now"],
        rows["alice"]["Accepted share"],
    ) == ("2", "1", "1", "0.5")
    assert (rows["bob"]["Unit-code pairs shown"], rows["bob"]["Shown before done"],
            rows["bob"]["Accepted"]) == ("1", "0", "0")

    code, out, err = run("status", small_store.path, "--format", "json")
    assert code == 0, err
    status = {s["coder"]: s for s in json.loads(out)["suggestions"]}
    assert (status["alice"]["accepted"], status["bob"]["shown"]) == (1, 1)
    code, out, _ = run("status", small_store.path)
    assert "Suggestions" in out and "1 (50%)" in out
