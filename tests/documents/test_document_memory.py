"""Long documents import in bounded memory, with progress through a PDF's pages.

Each import runs the real CLI in a child whose memory is capped and measured
(tests/helpers/memory_ceiling.py); the ceiling is the one README.md documents for every
import (``CEILING_MB``). Inputs are generated: a 300-page PDF and a Word file of 20,000
paragraphs (about 10 MB of text).
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from helpers.memory_ceiling import CEILING_MB, measured, rows
from helpers.pdf_builder import build_pdf
from helpers.robust_harness import make_project
from qualcode.interchange.readers.documents import read_document

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(),
                                reason="peak memory is read from /proc (Linux)")
WORDS = "Balint groups helped the doctors listen to patients and to each other in the team"


def _long_pdf(path: Path, pages: int = 300) -> Path:
    words = WORDS.split()
    body = [[[" ".join(words[(p + b + line) % 5:][:12]) + "." for line in range(6)]
             for b in range(4)] for p in range(pages)]
    path.write_bytes(build_pdf(body, header="Illustrative report", footer="Page {page}"))
    return path


def test_a_300_page_pdf_imports_under_the_ceiling_with_page_progress(tmp_path: Path) -> None:
    pdf = _long_pdf(tmp_path / "report.pdf")
    seen: list[tuple[int, int]] = []
    document = read_document(pdf, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(page, 300) for page in range(1, 301)]
    assert {p.page for p in document.paragraphs} == set(range(1, 301))
    assert not any("Illustrative report" in p.text or p.text.startswith("Page ")
                   for p in document.paragraphs)
    project = make_project(tmp_path / "study.qualcode")
    done, peak = measured(["import", str(project), str(pdf)], tmp_path)
    assert done.returncode == 0, done.stderr[-800:]
    assert peak < CEILING_MB, f"peak {peak} MB importing a 300-page PDF"
    ((pages,),) = rows(project, "SELECT count(DISTINCT page) FROM paragraph_attributes")
    assert pages == 300


def test_a_long_word_file_imports_under_the_ceiling(tmp_path: Path) -> None:
    document = docx.Document()
    for number in range(20_000):
        document.add_paragraph(f"P{number % 7}: {WORDS} ({number}). " * 4)
    path = tmp_path / "long.docx"
    document.save(str(path))
    project = make_project(tmp_path / "study.qualcode")
    done, peak = measured(["import", str(project), str(path), "--speakers"], tmp_path)
    assert done.returncode == 0, done.stderr[-800:]
    assert peak < CEILING_MB, f"peak {peak} MB importing a 20,000-paragraph .docx"
    ((speakers,),) = rows(project, "SELECT count(DISTINCT speaker) FROM paragraph_attributes")
    assert speakers == 7
