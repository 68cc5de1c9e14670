"""Every export validates against the REFI-QDA schemas and says what the standard asks."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from helpers.refi_helpers import CRLF_TEXT
from helpers.store_engines import ENGINES, engine_store
from qualcode.cli import main
from qualcode.errors import CodebookError
from qualcode.interchange.refi import export_qdc, export_qdpx
from qualcode.storage import Store


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)

NS = {"p": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}


def qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def test_qdc_validates(rich_store: Store, tmp_path: Path, codebook_schema) -> None:
    out = tmp_path / "book.qdc"
    assert export_qdc(rich_store, out) == 4
    doc = etree.parse(str(out))
    assert codebook_schema.validate(doc), codebook_schema.error_log
    listen = doc.find(".//c:Code[@name='Letting finish']", NS)
    description = listen.find("c:Description", NS).text
    assert "Include: Names a listening behaviour.\nSecond line." in description
    assert listen.get("color") == "#AEC7E8" and listen.get("isCodable") == "true"


def test_empty_codebook_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="empty"):
        export_qdc(store, tmp_path / "book.qdc")
    assert not (tmp_path / "book.qdc").exists()


def test_qdpx_validates_and_holds_texts_as_stored(rich_store: Store, tmp_path: Path,
                                                  project_schema) -> None:
    out = tmp_path / "study.qdpx"
    report = export_qdpx(rich_store, out)
    root = qde(out)
    assert project_schema.validate(root), project_schema.error_log
    assert report.counts["codings"] == 5 and report.counts["sources"] == 3
    source = rich_store.source_by_external_id("r1")
    with zipfile.ZipFile(out) as archive:
        assert archive.read(f"sources/{source.guid}.txt") == CRLF_TEXT.encode("utf-8")
    text_source = root.find(f".//p:TextSource[@guid='{source.guid}']", NS)
    assert text_source.get("plainTextPath") == f"internal://{source.guid}.txt"
    for selection in text_source.findall("p:PlainTextSelection", NS):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        # The selection's name quotes the passage its code-point positions point at.
        assert " ".join(CRLF_TEXT[start:end].split()).startswith(selection.get("name").rstrip("…"))


def test_each_coder_is_a_user_and_consensus_its_own(rich_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_qdpx(rich_store, out)
    root = qde(out)
    users = {u.get("guid"): u.get("name") for u in root.findall(".//p:User", NS)}
    coders = {c.name: c.guid for c in rich_store.coders()}
    assert users[coders["alice"]] == "alice" and users[coders["bob"]] == "bob"
    consensus = [g for g, n in users.items() if n == "consensus (adjudicated by carol)"]
    assert len(consensus) == 1
    makers = [c.get("creatingUser") for c in root.findall(".//p:Coding", NS)]
    assert makers.count(coders["alice"]) == 2 and makers.count(coders["bob"]) == 2
    assert makers.count(consensus[0]) == 1
    assert coders["carol"] not in makers  # carol's only codings are consensus ones


def test_coder_filter_and_no_consensus(rich_store: Store, tmp_path: Path, project_schema) -> None:
    out = tmp_path / "alice.qdpx"
    report = export_qdpx(rich_store, out, coders={rich_store.coder("alice").id}, consensus=False)
    root = qde(out)
    assert project_schema.validate(root), project_schema.error_log
    assert report.counts["codings"] == 2
    assert not [u for u in root.findall(".//p:User", NS) if u.get("name").startswith("consensus")]


def test_empty_project_exports_valid_qdpx(store: Store, tmp_path: Path, project_schema) -> None:
    out = tmp_path / "empty.qdpx"
    export_qdpx(store, out)
    assert project_schema.validate(qde(out)), project_schema.error_log


def test_demo_project_exports_valid_files(tmp_path: Path, project_schema, codebook_schema) -> None:
    runner = CliRunner()
    project = tmp_path / "demo.qualcode"
    root = Path(__file__).resolve().parents[2]
    assert runner.invoke(main, ["demo", str(project), "--data", str(root)]).exit_code == 0
    result = runner.invoke(main, ["export", "qdpx", str(project), "-o", str(tmp_path / "d.qdpx")])
    assert result.exit_code == 0, result.output
    assert "174 sources" in result.output
    assert project_schema.validate(qde(tmp_path / "d.qdpx")), project_schema.error_log
    result = runner.invoke(main, ["export", "qdc", str(project), "-o", str(tmp_path / "d.qdc")])
    assert result.exit_code == 0, result.output
    assert codebook_schema.validate(etree.parse(str(tmp_path / "d.qdc")))
