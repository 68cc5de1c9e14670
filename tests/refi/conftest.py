"""Fixtures for the REFI-QDA tests: tool-like projects zipped on the fly, schemas, a rich store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from helpers.refi_helpers import CRLF_TEXT, DATA, EMOJI_TEXT, zip_folder
from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store


@pytest.fixture
def tool_qdpx(tmp_path: Path) -> Callable[[str], Path]:
    """Return a function zipping one of tests/data/refi/<name>/ into a .qdpx in tmp_path."""
    def make(name: str) -> Path:
        return zip_folder(DATA / name, tmp_path / f"{name}.qdpx")
    return make


@pytest.fixture(scope="session")
def project_schema() -> etree.XMLSchema:
    """The REFI-QDA Project.xsd."""
    return etree.XMLSchema(etree.parse(str(DATA / "Project.xsd")))


@pytest.fixture(scope="session")
def codebook_schema() -> etree.XMLSchema:
    """The REFI-QDA Codebook.xsd."""
    return etree.XMLSchema(etree.parse(str(DATA / "Codebook.xsd")))


@pytest.fixture
def rich_store(tmp_path: Path) -> Store:
    """A project with definitions, examples, CRLF and emoji texts, two coders, consensus, memos."""
    store = Store.create(tmp_path / "rich.qualcode")
    store.import_sources([
        SourceRecord("r1", CRLF_TEXT, metadata={"study": "S01", "finding_type": "quote"}),
        SourceRecord("r2", EMOJI_TEXT, name="Second answer", metadata={"study": "S02"}),
        SourceRecord("r3", "Nothing to add.", metadata={"study": "S01"}),
    ], path="fixture.csv")
    theme = store.add_code("Communication", kind=CodeKind.THEME, colour="#1F77B4",
                           description="How people talk.")
    sub = store.add_code("Listening", kind=CodeKind.SUBTHEME, parent_id=theme.id, codable=False)
    listen = store.add_code("Letting finish", parent_id=sub.id, shortcut="l",
                            description="Letting the patient finish.\n\nInclude: literally",
                            inclusion="Names a listening behaviour.\nSecond line.",
                            exclusion="Feelings only.", examples=("I let her finish.",
                                                                  "Example: nested label"),
                            colour="#AEC7E8")
    tired = store.add_code("Time pressure", shortcut="t", description="Too little time.")
    alice, bob, carol = store.coder("alice"), store.coder("bob"), store.coder("carol")
    s1 = store.source_by_external_id("r1")
    s2 = store.source_by_external_id("r2")
    second = CRLF_TEXT.index("Second")
    store.add_coding(alice.id, s1.id, listen.id, second, CRLF_TEXT.index(" here"))
    store.add_coding(bob.id, s1.id, listen.id, second, len(CRLF_TEXT))
    store.add_coding(bob.id, s2.id, tired.id, EMOJI_TEXT.index("😴"), EMOJI_TEXT.index(" after"))
    store.add_coding(alice.id, s2.id, tired.id)
    consensus = store.add_coding(carol.id, s1.id, listen.id, second, len(CRLF_TEXT),
                                 layer=Layer.CONSENSUS)
    for coder in (alice, bob):
        for source in (s1, s2):
            store.mark_done(store.whole_unit(source.id).id, coder.id)
    store.mark_done(store.whole_unit(s1.id).id, carol.id, layer=Layer.CONSENSUS)
    store.set_memo("code", listen.guid, "Watch for\r\nline endings.", coder_id=alice.id)
    store.set_memo("source", s2.guid, "Night shifts 🌙", coder_id=bob.id)
    store.set_memo("coding", consensus.guid, "Adjudicated after discussion.", coder_id=carol.id)
    store.set_memo("project", store.project_info()["guid"], "Project journal.")
    store.set_memo("unit", store.whole_unit(s1.id).guid, "Unit memo.", coder_id=bob.id)
    return store
