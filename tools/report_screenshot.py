"""Make docs/report.png, the README's picture of `qualcode report` on the demo project.

Builds the demo project in a temporary folder, writes its report, and saves the first
screen of it as rendered by headless Chromium (Debian's ``chromium``, driven by
playwright, as in tests/browser/). Run from the repository root:

    .venv/bin/python tools/report_screenshot.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "report.png"
sys.path.insert(0, str(ROOT / "tests"))

from helpers.browser import CHROMIUM_ARGS  # noqa: E402  (the tests' flags: no network calls)


def main() -> None:
    """Build, report, screenshot."""
    from playwright.sync_api import sync_playwright

    qualcode = Path(sys.executable).parent / "qualcode"
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        project, page_file = Path(folder) / "demo.qualcode", Path(folder) / "report.html"
        subprocess.run([str(qualcode), "demo", str(project)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, env={**os.environ})
        subprocess.run([str(qualcode), "report", str(project), "-o", str(page_file)],
                       check=True, stdout=subprocess.DEVNULL)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 1100})
            page.goto(page_file.as_uri())
            page.screenshot(path=str(TARGET))
            browser.close()
    print(f"Wrote {TARGET}")


if __name__ == "__main__":
    main()
