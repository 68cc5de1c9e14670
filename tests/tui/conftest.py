"""Fixtures for the coding-screen tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.tui_project import build_project
from qualcode.storage import Store


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Store]:
    """The test project, open; closed after the test."""
    store = build_project(tmp_path / "study.qualcode")
    yield store
    store.close()
