"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store

# Randomised tests give the same outcome on every run: hypothesis derives each test's seed from
# its name (derandomize) and a failure prints the blob that replays it. HYPOTHESIS_PROFILE=explore
# draws new examples on each run instead, to hunt for bugs.
settings.register_profile("fixed", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A throwaway PostgreSQL server for the session (skips, saying why, where none starts)."""
    from helpers.store_engines import server_url_fixture

    yield from server_url_fixture()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty project in a temporary folder."""
    project = Store.create(tmp_path / "study.qualcode")
    yield project
    project.close()


@pytest.fixture
def small_store(store: Store) -> Store:
    """A project with three sources, a theme with two codes, and coder alice."""
    store.import_sources(
        [
            SourceRecord(
                "r1", "The group helped me listen to patients.", metadata={"study": "S01"}
            ),
            SourceRecord(
                "r2", "Sessions were too long after a night shift. 😴", metadata={"study": "S02"}
            ),
            SourceRecord("r3", "Nothing to add.", metadata={"study": "S01"}),
        ],
        path="fixture.csv",
    )
    theme = store.add_code("Communication", kind=CodeKind.THEME, colour="#1F77B4")
    store.add_code("Listening", parent_id=theme.id, shortcut="l")
    store.add_code("Time pressure", shortcut="t")
    store.coder("alice")
    return store


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for one test module (tests/helpers/browser.py).

    Module scope, not session: playwright's synchronous API runs an event loop while its
    browser is open, and the Textual tests that follow need to start their own."""
    from helpers.browser import chromium_session

    yield from chromium_session()
