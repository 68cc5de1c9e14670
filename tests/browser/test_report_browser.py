"""The report in a real browser: no error, nothing fetched, figures laid out, prints whole.

The demo project's report is opened from a file:// URL in headless Chromium with every
request recorded; so is a report of a project whose names and texts are hostile.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from helpers.report_projects import coded_project, demo_project
from qualcode.cli import main
from qualcode.model import SourceRecord

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = 9


def run(*args: object) -> None:
    done = CliRunner().invoke(main, [str(a) for a in args])
    assert done.exit_code == 0, (args, done.output)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    demo_project(folder / "demo.qualcode")
    run("report", folder / "demo.qualcode", "-o", folder / "report.html")
    return folder / "report.html"


def open_page(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    """Open a page, recording every request and every console or page error."""
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text)
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, errors


def test_the_report_loads_with_no_error_and_fetches_nothing(browser: Any, report: Path) -> None:
    page, requests, errors = open_page(browser, report)
    assert errors == []
    assert [url for url in requests if not url.startswith("data:")] == [report.as_uri()]
    sizes = page.eval_on_selector_all(
        "svg", "nodes => nodes.map(n => [n.getBoundingClientRect().width, "
               "n.getBoundingClientRect().height])")
    assert len(sizes) == 3 and all(w > 100 and h > 100 for w, h in sizes), sizes
    page.close()


def test_a_screenshot_is_not_blank(browser: Any, report: Path) -> None:
    from PIL import Image

    page, _, _ = open_page(browser, report)
    shot = Image.open(io.BytesIO(page.screenshot(full_page=False))).convert("RGB")
    page.close()
    colours = shot.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # text, links, the palette's marks: not one flat colour
    background = max(colours)[0] / (shot.width * shot.height)
    assert background < 0.95


def test_printing_to_pdf_gives_one_outline_entry_per_section(browser: Any,
                                                             report: Path) -> None:
    """Chromium's tagged PDF outline lists the headings: the title and the 9 sections."""
    from pypdf import PdfReader

    page, _, _ = open_page(browser, report)
    pdf = page.pdf(format="A4", outline=True, tagged=True, print_background=True)
    page.close()
    reader = PdfReader(io.BytesIO(pdf))

    def titles(items: list[Any]) -> list[str]:
        found: list[str] = []
        for item in items:
            found.extend(titles(item) if isinstance(item, list) else [item.title])
        return found

    headings = titles(reader.outline)
    assert len([t for t in headings if not t.startswith("Double-coded")]) == SECTIONS, headings
    assert len(reader.pages) >= SECTIONS  # each section starts a page


def test_hostile_text_stays_inert_in_the_browser(browser: Any, tmp_path: Path) -> None:
    project = coded_project(tmp_path / "hostile.qualcode", [
        SourceRecord("s1", "A </script><script>alert(1)</script> text",
                     metadata={"study_id": "<img src=x onerror=alert(2)>"}),
        SourceRecord("s2", "Plain.", metadata={"study_id": "S2"})],
        "<img src=x onerror=alert(3)>")
    page_file = tmp_path / "report.html"
    run("report", project, "-o", page_file, "--layer", "alice")
    page, requests, errors = open_page(browser, page_file)
    assert errors == []
    assert [url for url in requests if not url.startswith("data:")] == [page_file.as_uri()]
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    page.close()
