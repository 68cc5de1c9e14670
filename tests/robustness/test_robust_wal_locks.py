"""Two coders at once lose nothing: no one opens a project outside SQLite.

POSIX drops all of a process's advisory locks on a file when the process closes *any*
descriptor of it. qualcode once read the project's header with ``open()`` each time a
``Store`` was opened; the coding screen's worker threads open stores, so the screen's own
connection silently lost its locks, the next process to close the project took itself for
the last one and deleted the ``-wal`` under the screen, and every later commit on either
side was lost (SQLite: "How To Corrupt An SQLite Database File", §2.2).

These tests fail on that code: the first reproduces the sequence with stores alone, the
second runs the real coding screen with suggestions fitted in the background while other
processes write codings, and the third watches every file a command opens, through
Python's audit hooks, while a connection to the project is held.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from helpers.robust_harness import make_project
from qualcode.cli import main
from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store

pytestmark = pytest.mark.timeout(300)


def companions(path: Path) -> dict[str, bool]:
    """Which of the project's WAL files exist right now."""
    return {suffix: Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm")}


def fingerprint(path: Path) -> tuple[str, list[tuple[Any, ...]]]:
    """integrity_check and every live coding, read through a fresh SQLite connection."""
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute(
            "SELECT coders.name, sources.external_id, codes.name, codings.start, codings.\"end\" "
            "FROM codings JOIN coders ON coders.id = codings.coder_id "
            "JOIN sources ON sources.id = codings.source_id JOIN codes ON codes.id = "
            "codings.code_id WHERE codings.deleted_at IS NULL ORDER BY 1, 2, 3, 4").fetchall()
        return check, rows
    finally:
        conn.close()


CHILD_CODES = """
import sys
from qualcode.storage import Store
path, coder, source, code = sys.argv[1:]
with Store.open(path) as store:
    who = store.coder(coder)
    store.add_coding(who.id, store.source_by_external_id(source).id,
                     store.codebook().find(code)[0].id)
"""


def child_codes(path: Path, coder: str, source: str, code: str) -> None:
    """Another process opens the project, adds one coding and closes it again."""
    subprocess.run([sys.executable, "-c", CHILD_CODES, str(path), coder, source, code],
                   check=True, timeout=120)


def test_a_second_store_in_the_process_keeps_the_first_ones_wal(tmp_path: Path) -> None:
    """The audit's reproduction: open A, open and close B, a child opens and closes."""
    path = make_project(tmp_path / "p.qualcode", units=3)
    first = Store.open(path)
    try:
        alice = first.coder("alice")
        listening = first.codebook().find("Listening")[0].id
        first.add_coding(alice.id, first.source_by_external_id("r1").id, listening)
        Store.open(path).close()  # what the coding screen's worker threads do
        child_codes(path, "bob", "r2", "Listening")
        assert companions(path) == {"-wal": True, "-shm": True}, \
            "another process deleted the WAL while this one still had the project open"
        first.add_coding(alice.id, first.source_by_external_id("r3").id, listening)
        child_codes(path, "bob", "r3", "Time pressure")
        # The first connection sees the child's work, and the child sees the first's.
        seen = {(c.coder_id, c.source_id) for c in first.codings()}
        assert len(seen) == 4
    finally:
        first.close()
    check, rows = fingerprint(path)
    assert check == "ok"
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("alice", "r1", "Listening"), ("alice", "r3", "Listening"),
        ("bob", "r2", "Listening"), ("bob", "r3", "Time pressure")]


# -- every command, watched ----------------------------------------------------------------
_WATCHED: set[str] = set()
_SEEN: list[tuple[str, str]] = []
_FILE_EVENTS = {"open", "os.remove", "os.rename", "os.replace", "os.truncate", "os.chmod",
                "shutil.copyfile", "shutil.move", "shutil.rmtree", "os.unlink"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _WATCHED or event not in _FILE_EVENTS:
        return
    for arg in args[:2]:
        if isinstance(arg, (str, bytes, os.PathLike)):
            name = os.path.abspath(os.fsdecode(arg))
            if name in _WATCHED:
                _SEEN.append((event, name))


sys.addaudithook(_audit)  # hooks cannot be removed; _audit does nothing while _WATCHED is empty


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[Path]:
    """A coded project, held open by this process, whose files no Python call may touch."""
    path = make_project(tmp_path / "watched.qualcode", units=6)
    with Store.open(path) as store:
        for name in ("alice", "bob"):
            coder = store.coder(name)
            for source in store.iter_sources():
                store.add_coding(coder.id, source.id, store.codebook().find("Listening")[0].id)
                store.mark_done(store.whole_unit(source.id).id, coder.id)
    names = {os.path.abspath(f"{path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
    _WATCHED.update(names)
    _SEEN.clear()
    try:
        yield path
    finally:
        _WATCHED.difference_update(names)


def _commands(path: Path, folder: Path) -> list[list[str]]:
    corpus = folder / "more.csv"
    corpus.write_text("id,text\nx1,One more answer about listening.\n", encoding="utf-8")
    codings = folder / "codings.csv"
    codings.write_text("source_id,code\nx1,Listening\n", encoding="utf-8")
    other = folder / "other.qualcode"
    p, o = str(path), str(folder)
    return [
        ["status", p],
        ["check", p],
        ["log", p],
        ["codebook", "show", p],
        ["agreement", p, "--coders", "alice", "bob"],
        ["agreement", p, "--coders", "alice", "bob", "--format", "json"],
        [
            "export",
            "themes",
            p,
            "--layer",
            "alice",
            "--study-field",
            "study",
            "-o",
            f"{o}/themes.csv",
        ],
        [
            "export",
            "matrix",
            p,
            "--layer",
            "alice",
            "--study-field",
            "study",
            "-o",
            f"{o}/matrix.csv",
        ],
        ["export", "qdpx", p, "-o", f"{o}/p.qdpx"],
        ["export", "qdc", p, "-o", f"{o}/p.qdc"],
        ["codings", "export", p, "-o", f"{o}/all.csv"],
        ["codebook", "export", p, "-o", f"{o}/codebook.yaml"],
        ["backup", p],
        ["backup", p, "-o", f"{o}/copy.qualcode"],
        ["import", p, str(corpus)],
        ["codings", "import", p, str(codings), "--coder", "carol"],
        ["undo", p, "--coder", "carol"],
        ["init", str(other)],
        ["merge", str(other), p],
        ["merge", p, f"{o}/copy.qualcode"],
        ["import", str(other), f"{o}/p.qdpx"],
    ]


def test_no_command_opens_the_project_outside_sqlite(watched: Path, tmp_path: Path) -> None:
    """While this process holds a connection, no command reads, copies or replaces the file."""
    runner = CliRunner()
    with Store.open(watched) as held:
        for args in _commands(watched, tmp_path):
            result = runner.invoke(main, args, catch_exceptions=False)
            assert result.exit_code == 0, (args, result.output)
        assert _SEEN == [], f"opened outside SQLite while a connection was held: {_SEEN}"
        assert companions(watched)["-wal"]
        held.coder("still-here")
    check, _ = fingerprint(watched)
    assert check == "ok"


def test_an_export_never_replaces_a_project(watched: Path, tmp_path: Path) -> None:
    """`-o PROJECT` (or its -wal) is refused before anything is written."""
    runner = CliRunner()
    before = fingerprint(watched)
    for target in (watched, Path(f"{watched}-wal"), Path(f"{watched}-shm")):
        result = runner.invoke(main, ["codings", "export", str(watched), "-o", str(target)])
        assert result.exit_code != 0
        assert "choose another output file" in result.output
        assert "Traceback" not in result.output
    assert fingerprint(watched) == before


# -- the real coding screen, with suggestions fitted in the background ------------------------
UNITS = 24
WRITERS = 2
WRITES = 12


def _shared_project(path: Path) -> None:
    texts = ["I was afraid of presenting my case to the group.",
             "Time pressure at work makes it hard to attend the sessions.",
             "The leader was supportive and listened without judging.",
             "I learnt to talk to difficult patients differently."]
    with Store.create(path) as store:
        store.import_sources(SourceRecord(f"U{i:03d}", f"{texts[i % 4]} ({i})")
                             for i in range(UNITS))
        theme = store.add_code("Experience", kind=CodeKind.THEME)
        for name, key in (("Fear", "f"), ("Workload", "w"), ("Support", "s"), ("Insight", "i")):
            store.add_code(name, parent_id=theme.id, shortcut=key)
        store.coder("alice")


def _writer(path: str, name: str, barrier: Any, results: Any) -> None:
    """Another coder's process: one `codings import`-like open, write, close per coding."""
    try:
        barrier.wait(timeout=120)
        done = []
        for i in range(WRITES):
            source = f"U{(i * 5 + len(name)) % UNITS:03d}"
            code = ("Fear", "Workload", "Support", "Insight")[i % 4]
            with Store.open(path) as store:
                who = store.coder(name)
                store.add_coding(who.id, store.source_by_external_id(source).id,
                                 store.codebook().find(code)[0].id)
                store.mark_done(store.whole_unit(store.source_by_external_id(source).id).id,
                                who.id)
            done.append((name, source, code))
            time.sleep(0.05)
        results.put((name, "ok", done))
    except BaseException as error:  # report, do not hang the test
        results.put((name, "error", repr(error)))


def test_coding_screen_with_background_fit_and_other_writers(tmp_path: Path) -> None:
    """The audit's case: the screen (suggestions on, a background fit) and other processes."""
    from qualcode.tui.app import make_app

    path = tmp_path / "shared.qualcode"
    _shared_project(path)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(WRITERS + 1), context.Queue()
    writers = [context.Process(target=_writer, args=(str(path), f"coder{n}", barrier, results))
               for n in range(WRITERS)]
    for process in writers:
        process.start()
    store = Store.open(path)
    alice = store.coder("alice")
    app = make_app(store, "alice", suggest="on", learn=True)

    async def drive() -> None:
        async with app.run_test(size=(110, 32)) as pilot:
            barrier.wait(timeout=120)
            deadline = time.monotonic() + 60
            pressed = 0
            while (any(p.is_alive() for p in writers) or pressed < 16) \
                    and time.monotonic() < deadline:
                # Code the unit, mark it done, move on: each is committed at once, and
                # each change may start a refit (a child process) and a worker store.
                await pilot.press("fwsi"[pressed % 4])
                await pilot.press("d")
                pressed += 1
                await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(drive())
    mine = sorted((store.source(c.source_id).external_id, c.code_id)
                  for c in store.codings(coder_id=alice.id, layer=Layer.CODER))
    store.close()
    reports = [results.get(timeout=60) for _ in writers]
    for process in writers:
        process.join(timeout=60)
    assert all(r[1] == "ok" for r in reports), reports
    check, rows = fingerprint(path)
    assert check == "ok"
    stored = {(r[0], r[1], r[2]) for r in rows}
    for _, _, done in reports:
        missing = [w for w in done if w not in stored]
        assert not missing, f"another coder's committed codings were lost: {missing}"
    assert mine, "the screen coded nothing"
    stored_alice = sorted((r[1], r[2]) for r in rows if r[0] == "alice")
    assert len(stored_alice) == len(mine), "the screen's own codings were lost"
