"""REFI-QDA projects whose sources are PDFs or Word files (NVivo, ATLAS.ti, MAXQDA exports).

Every .qdpx is built here: a PDF source with a text ``Representation`` (its text
selections land as codings; its page-and-coordinate ``PDFSelection`` codings are listed as
left out, with their number), a PDF source with no representation (read with qualcode's
PDF reader), a text source given only as a Word file (``richTextPath``, read with the
``.docx`` reader) and one given both ways (its plain text wins, so offsets land exactly).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from click.testing import CliRunner

from helpers.pdf_builder import build_pdf
from qualcode.cli import main
from qualcode.interchange.readers.documents import read_document
from qualcode.storage import Store

USER = "11111111-1111-4111-8111-111111111111"
CODE = "33333333-3333-4333-8333-333333333333"
PDF_A, PDF_B = "55555555-5555-4555-8555-555555555555", "55555555-5555-4555-8555-555555555556"
WORD_A, WORD_B = "66666666-6666-4666-8666-666666666666", "66666666-6666-4666-8666-666666666667"
REP = "77777777-7777-4777-8777-777777777777"
SELS = [f"8888888{i}-8888-4888-8888-888888888888" for i in range(6)]
CODINGS = [f"9999999{i}-9999-4999-8999-999999999999" for i in range(6)]
REP_TEXT = "Participants felt heard in the group. Time was short."
WORD_TEXT = "Interviewer: Why did you join?\n\nP1: To talk about hard cases."


def _docx(text_paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in text_paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _coding(index: int) -> str:
    return (f'<Coding guid="{CODINGS[index]}" creatingUser="{USER}">'
            f'<CodeRef targetGUID="{CODE}"/></Coding>')


def _selection(index: int, start: int, end: int) -> str:
    return (f'<PlainTextSelection guid="{SELS[index]}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{USER}">{_coding(index)}</PlainTextSelection>')


def _qdpx(path: Path) -> Path:
    heard = REP_TEXT.index("felt heard")
    hard = WORD_TEXT.index("hard cases")
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="docs"><Users><User guid="{USER}" name="alice"/></Users>'
        f'<CodeBook><Codes><Code guid="{CODE}" name="Being heard" isCodable="true"/></Codes>'
        "</CodeBook><Sources>"
        f'<PDFSource guid="{PDF_A}" name="Smith 2019" path="internal://{PDF_A}.pdf">'
        f'<Representation guid="{REP}" plainTextPath="internal://{REP}.txt">'
        f"{_selection(0, heard, heard + 10)}</Representation>"
        f'<PDFSelection guid="{SELS[1]}" page="1" firstX="10" firstY="10" secondX="90" '
        f'secondY="40" creatingUser="{USER}">{_coding(1)}</PDFSelection></PDFSource>'
        f'<PDFSource guid="{PDF_B}" name="Jones 2021" path="internal://{PDF_B}.pdf">'
        f'<PDFSelection guid="{SELS[2]}" page="1" firstX="1" firstY="1" secondX="9" '
        f'secondY="9" creatingUser="{USER}">{_coding(2)}</PDFSelection></PDFSource>'
        f'<TextSource guid="{WORD_A}" name="Interview 1" richTextPath="internal://{WORD_A}.docx">'
        f"{_selection(3, hard, hard + 10)}</TextSource>"
        f'<TextSource guid="{WORD_B}" name="Interview 2" richTextPath="internal://{WORD_B}.docx" '
        f'plainTextPath="internal://{WORD_B}.txt">{_selection(4, 0, 12)}</TextSource>'
        "</Sources></Project>\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{PDF_A}.pdf", build_pdf([[["A page the representation "
                                                              "stands for."]]]))
        archive.writestr(f"sources/{REP}.txt", REP_TEXT)
        archive.writestr(f"sources/{PDF_B}.pdf", build_pdf([[["Jones found that time was "
                                                              "short."]], [["Page two."]]]))
        archive.writestr(f"sources/{WORD_A}.docx", _docx(["Interviewer: Why did you join?",
                                                          "P1: To talk about hard cases."]))
        archive.writestr(f"sources/{WORD_B}.docx", _docx(["Rich text differs."]))
        archive.writestr(f"sources/{WORD_B}.txt", "Plain text wins over the Word file.")
    return path


def test_pdf_and_word_sources_import_with_their_text_codings(tmp_path: Path) -> None:
    qdpx = _qdpx(tmp_path / "docs.qdpx")
    project = tmp_path / "study.qualcode"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    done = runner.invoke(main, ["import", str(project), str(qdpx), "--format", "json"])
    assert done.exit_code == 0, done.output
    assert "2 selections by page and coordinates (PDFSelection) left out" not in done.output
    assert "'Smith 2019': 1 selections by page and coordinates" in done.output
    assert "'Jones 2021': 1 selections by page and coordinates" in done.output
    with Store.open(project) as store:
        texts = {s.name: s.text for s in store.iter_sources()}
        coded = {store.source(c.source_id).name: store.source(c.source_id).text[c.start:c.end]
                 for c in store.codings()}
    assert texts["Smith 2019"] == REP_TEXT
    jones = tmp_path / "jones.pdf"
    jones.write_bytes(build_pdf([[["Jones found that time was short."]], [["Page two."]]]))
    assert texts["Jones 2021"] == read_document(jones).text
    assert texts["Interview 1"] == WORD_TEXT
    assert texts["Interview 2"] == "Plain text wins over the Word file."
    assert coded == {"Smith 2019": "felt heard", "Interview 1": "hard cases",
                     "Interview 2": "Plain text w"}
