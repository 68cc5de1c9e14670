"""One headless Chromium for the browser tests (Debian's ``chromium``, driven by playwright).

Nothing is downloaded: playwright's driver comes in its wheel and the browser is the
machine's (``.ci/run`` installs Debian's package where it is missing). The ``browser``
fixture (tests/conftest.py) skips, saying why, only where neither can be had.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
"""Flags that keep Chromium off the network it would otherwise call at start-up."""


def chromium_session() -> Iterator[Any]:
    """Yield a Chromium browser for the session, or skip saying why there is none."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (it is in the test extra)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
