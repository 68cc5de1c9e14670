"""Each document reader gives the paragraphs a coder should see, the same way every time.

Every input is generated here: Word and OpenDocument files with python-docx and odfpy,
PDFs with tests/helpers/pdf_builder.py, HTML, RTF and subtitles as text.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml import OxmlElement

from helpers.pdf_builder import build_pdf
from qualcode.cli import main
from qualcode.interchange.readers.documents import read_document
from qualcode.segmentation import paragraphs as paragraph_spans
from qualcode.storage import Store


def _tracked(change: str, text_tag: str, text: str) -> OxmlElement:
    """A tracked change (``w:del`` or ``w:ins``) holding one run of ``text``."""
    element, run, words = OxmlElement(change), OxmlElement("w:r"), OxmlElement(text_tag)
    words.text = text
    run.append(words)
    element.append(run)
    return element


def _docx(path: Path) -> Path:
    """A Word file with a heading, a tracked deletion and insertion, a table and a break."""
    document = docx.Document()
    document.core_properties.title = "Interview 3"
    document.core_properties.author = "Illustrative"
    document.add_heading("Interview with P3", level=1)
    paragraph = document.add_paragraph("Interviewer: How did the group help?")
    answer = document.add_paragraph("P3: It gave me ")
    answer._p.append(_tracked("w:del", "w:delText", "nothing at all"))
    answer._p.append(_tracked("w:ins", "w:t", "time to think"))
    answer.add_run(".").add_break()
    answer.add_run("Second line\tafter a tab.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Theme", "Studies"), ("Empathy", "3")), strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("")
    document.add_paragraph("Closing remark.")
    assert paragraph.text
    document.save(str(path))
    return path


def test_docx_reads_changes_accepted_tables_as_rows_and_metadata(tmp_path: Path) -> None:
    document = read_document(_docx(tmp_path / "p3.docx"))
    assert [p.text for p in document.paragraphs] == [
        "Interview with P3", "Interviewer: How did the group help?",
        "P3: It gave me time to think.\nSecond line\tafter a tab.", "Theme | Studies",
        "Empathy | 3", "Closing remark."]
    assert document.metadata["title"] == "Interview 3"
    assert document.metadata["author"] == "Illustrative"
    assert document.metadata["format"] == "docx"


def test_pdf_pages_headers_hyphens_and_paragraphs_across_pages(tmp_path: Path) -> None:
    pages = [[["Results of the illustrative study.", "Balint groups helped communica-",
               "tion with patients."], ["A finding cut by the page"]],
             [["break goes on here."], ["Empathy grew."]],
             [["Team cooperation improved."]]]
    path = tmp_path / "study.pdf"
    path.write_bytes(build_pdf(pages, header="Illustrative Journal 12 (3)", footer="{page}",
                               title="Findings"))
    document = read_document(path)
    assert [(p.text, p.page) for p in document.paragraphs] == [
        ("Results of the illustrative study. Balint groups helped communication with "
         "patients.", 1),
        ("A finding cut by the page break goes on here.", 1),
        ("Empathy grew.", 2), ("Team cooperation improved.", 3)]
    assert document.metadata["pages"] == 3 and document.metadata["title"] == "Findings"
    assert document.metadata["created"] == "2024-01-31T12:00:00"


def test_subtitles_keep_cue_times_and_merge_a_speakers_cues(tmp_path: Path) -> None:
    vtt = tmp_path / "talk.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>How was it?\n\n"
                   "00:00:03.500 --> 00:00:06.000\n<v P1>Good, <i>really</i>.\n\n"
                   "00:00:06.000 --> 00:00:08.000\n<v P1>It helped.\n", encoding="utf-8")
    document = read_document(vtt)
    assert [(p.text, p.speaker, p.start, p.end) for p in document.paragraphs] == [
        ("Interviewer: How was it?", "Interviewer", "00:00:01.000", "00:00:03.000"),
        ("P1: Good, really. It helped.", "P1", "00:00:03.500", "00:00:08.000")]
    srt = tmp_path / "talk.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,500\nFirst cue\non two lines\n\n"
                   "2\n00:00:03,000 --> 00:00:04,000\nSecond cue\n", encoding="utf-8")
    assert [(p.text, p.start) for p in read_document(srt).paragraphs] == [
        ("First cue on two lines", "00:00:01.000"), ("Second cue", "00:00:03.000")]


def test_html_keeps_visible_blocks_only(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Findings</title><style>p{color:red}</style>"
        "<script>var secret = 1;</script></head><body><h1>Theme: empathy</h1>"
        "<p>First <b>finding</b>.<br>Same paragraph.</p><div hidden>hidden text</div>"
        "<p style='display: none'>also hidden</p><ul><li>One</li><li>Two</li></ul>"
        "<table><tr><th>Study</th><td>Smith 2019</td></tr></table>"
        "<template><p>template</p></template><noscript>no</noscript></body></html>",
        encoding="utf-8")
    document = read_document(page)
    assert [p.text for p in document.paragraphs] == [
        "Theme: empathy", "First finding.\nSame paragraph.", "One", "Two",
        "Study | Smith 2019"]
    assert document.metadata["title"] == "Findings"


def test_rtf_and_odt(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    rtf = tmp_path / "notes.rtf"
    rtf.write_bytes(rb"{\rtf1\ansi\ansicpg1252 {\b Interviewer:} Caf\'e9 talk?\par P1: Yes.\par}")
    assert [p.text for p in read_document(rtf).paragraphs] == ["Interviewer: Café talk?",
                                                              "P1: Yes."]
    odt = tmp_path / "notes.odt"
    text = OpenDocumentText()
    text.text.addElement(H(outlinelevel=1, text="Interview"))
    text.text.addElement(P(text="P1: It helped."))
    text.save(str(odt))
    assert [p.text for p in read_document(odt).paragraphs] == ["Interview", "P1: It helped."]


@pytest.mark.parametrize("name", ["p3.docx", "study.pdf", "page.html"])
def test_paragraph_units_are_the_readers_paragraphs_and_reading_is_stable(
        tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".docx"):
        _docx(path)
    elif name.endswith(".pdf"):
        path.write_bytes(build_pdf([[["One para."], ["Two", "lines."]], [["Three."]]]))
    else:
        path.write_text("<p>A</p><p>B <i>c</i></p><div>D<br>E</div>", encoding="utf-8")
    first, second = read_document(path), read_document(path)
    assert first == second
    text = first.text
    assert [text[s:e] for s, e in paragraph_spans(text)] == [p.text for p in first.paragraphs]
    assert first.offsets() == paragraph_spans(text)


def test_reimport_with_update_keeps_codings_and_speakers(tmp_path: Path) -> None:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    _docx(folder / "p3.docx")
    (folder / "p4.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v P4>Hi.\n",
                                   encoding="utf-8")
    project = tmp_path / "study.qualcode"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    done = runner.invoke(main, ["import", str(project), str(folder), "--speakers"])
    assert done.exit_code == 0, done.output
    with Store.open(project) as store:
        source = store.source_by_external_id("p3")
        code = store.add_code("Reflection")
        start = source.text.index("time to think")
        store.add_coding(store.coder("alice").id, source.id, code.id, start, start + 13)
        before = [store.paragraph_attributes(s.id) for s in store.iter_sources()]
    again = runner.invoke(main, ["import", str(project), str(folder), "--speakers", "--update"])
    assert again.exit_code == 0, again.output
    assert "0 updated, 2 unchanged" in again.output
    with Store.open(project) as store:
        source = store.source_by_external_id("p3")
        (coding,) = store.codings()
        assert source.text[coding.start:coding.end] == "time to think"
        assert [store.paragraph_attributes(s.id) for s in store.iter_sources()] == before
        # p3.docx opens one turn each of Interviewer and P3: a Name: marker needs two turns
        # (speakers.MIN_TURNS) before it counts; a voice tag counts at once.
        assert store.speakers() == {"P4": 1}
        meta = dict(source.metadata)
    assert meta["file"] == "p3.docx" and meta["title"] == "Interview 3"


def test_a_single_file_import_uses_the_file_name_as_id(tmp_path: Path) -> None:
    project = tmp_path / "study.qualcode"
    path = tmp_path / "Smith 2019.pdf"
    path.write_bytes(build_pdf([[["Participants valued the group."]]]))
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    done = runner.invoke(main, ["import", str(project), str(path)])
    assert done.exit_code == 0, done.output
    with Store.open(project) as store:
        source = store.source_by_external_id("Smith 2019")
        assert source.text == "Participants valued the group."
        assert source.name == "Smith 2019.pdf"
