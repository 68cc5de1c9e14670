"""A team on one server project: many coders at once, a killed import, a lost connection.

Run on the session's throwaway PostgreSQL server (tests/conftest.py ``pg_server_url``):

- 8 coder processes each store 500 codings at once: all 4,000 are there, each coder's own;
- a ``qualcode import`` killed with SIGKILL in the middle leaves the project as it was
  (no source, no unit), and the next import runs (the write lock died with the session);
- a session the server drops (``pg_terminate_backend``) fails the action that meets it in
  one line saying nothing was saved, and the next action runs on a new session.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.store_engines import drop_project
from qualcode.errors import StoreError
from qualcode.model import SourceRecord
from qualcode.storage import Store
from qualcode.storage.failures import one_line_failures

CODERS = 8
EACH = 500


@pytest.fixture
def server(pg_server_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"team_{request.node.name[5:25].lower()}"
    sep = "&" if "?" in pg_server_url else "?"
    yield f"{pg_server_url}{sep}project={name}"
    drop_project(pg_server_url, name)


def _code(url: str, name: str, queue: multiprocessing.Queue) -> None:
    try:
        with Store.open(url) as store:
            me = store.coder(name)
            code = store.codebook().find("Listening")[0]
            sources = [s.id for s in store.iter_sources()]
            for n in range(EACH):
                store.add_coding(me.id, sources[n % len(sources)], code.id, n % 30, n % 30 + 5)
        queue.put("ok")
    except Exception as error:  # reported to the parent, which fails the test
        queue.put(repr(error))


def test_eight_coders_at_once_lose_nothing(server: str) -> None:
    with Store.create(server) as store:
        store.import_sources(SourceRecord(f"s{i}", "The group helped me listen to patients.")
                             for i in range(50))
        store.add_code("Listening")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_code, args=(server, f"coder{i}", queue))
               for i in range(CODERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    assert sorted(queue.get(timeout=10) for _ in workers) == ["ok"] * CODERS
    with Store.open(server) as store:
        assert len(store.codings()) == CODERS * EACH
        for i in range(CODERS):
            assert len(store.codings(coder_id=store.coder(f"coder{i}", create=False).id)) == EACH


def test_a_killed_import_leaves_the_project_as_it_was(server: str, tmp_path: Path) -> None:
    Store.create(server).close()
    corpus = tmp_path / "big.csv"
    with corpus.open("w", encoding="utf-8") as handle:
        handle.write("id,text\n")
        for i in range(400_000):
            handle.write(f"r{i},The group helped me listen to patients and answer {i}.\n")
    child = subprocess.Popen([sys.executable, "-m", "qualcode", "import", server, str(corpus)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with Store.open(server) as store:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until the import holds the write lock
            busy = store.db.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            ).fetchone()[0]
            if busy or child.poll() is not None:
                break
            time.sleep(0.05)
        assert child.poll() is None, f"the import ended first: {child.stderr.read()[-600:]}"
        time.sleep(0.5)  # well into the rows
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
        assert store.source_count() == 0
        assert store.db.execute("SELECT count(*) FROM units").fetchone()[0] == 0
    with Store.open(server) as store:
        store.import_sources([SourceRecord("after", "The next import runs.")])
        assert store.source_count() == 1


def test_a_dropped_session_fails_one_action_in_one_line_then_reconnects(
        server: str, pg_server_url: str) -> None:
    import psycopg

    with Store.create(server) as store:
        store.import_sources([SourceRecord("s1", "The group helped me listen.")])
        code = store.add_code("Listening")
        coder = store.coder("alice")
        store.add_coding(coder.id, 1, code.id, 0, 9)
        backend = store.db.conn.info.backend_pid
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [backend])
        with pytest.raises(StoreError) as caught, one_line_failures(store.path):
            store.add_coding(coder.id, 1, code.id, 10, 20)
        message = str(caught.value)
        assert "nothing of it was saved" in message and "\n" not in message
        again = store.add_coding(coder.id, 1, code.id, 10, 20)  # a new session
        assert store.db.conn.info.backend_pid != backend
        assert [(c.start, c.end) for c in store.codings()] == [(0, 9), (again.start, again.end)]


def test_a_server_older_than_supported_is_one_line(server: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The version check (PostgreSQL 12 or newer) refuses before anything is written."""
    from qualcode.storage.backends import postgres

    monkeypatch.setattr(postgres, "MIN_SERVER_VERSION", 10 ** 7)
    with pytest.raises(StoreError) as caught:
        Store.create(server)
    message = str(caught.value)
    assert "qualcode needs 12 or newer" in message and "\n" not in message
    monkeypatch.undo()
    with pytest.raises(StoreError, match="no such project"):
        Store.open(server)  # nothing was created


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    """No server listens on the socket folder: one line, the password masked."""
    url = f"postgresql://ann:s3cret@/review?host={tmp_path}&project=p"
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert "cannot connect" in message and "s3cret" not in message and "\n" not in message
