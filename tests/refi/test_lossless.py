"""What REFI-QDA carries comes back: typed variables, descriptions, users and dates, note and
unit GUIDs, every field by GUID; foreign descriptions stay data; filtered exports filter all."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from helpers.store_engines import ENGINES, engine_store
from qualcode.cli import main
from qualcode.interchange.merge_input import merge_into
from qualcode.interchange.refi import export_qdc, export_qdpx
from qualcode.model import SourceRecord
from qualcode.storage import Store
from qualcode.storage.codebook import code_fields
from qualcode.storage.refi_details import project_description


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)

NS = {"p": "urn:QDA-XML:project:1.0"}
TYPED = [  # (id, metadata): every JSON kind, nulls, a field mixing kinds, dates
    ("t1", {"age": 41, "score": 3.5, "ok": True, "when": "2024-05-31",
            "at": "2024-05-31T09:30:00Z", "tags": ["a", "b"], "nothing": None,
            "nested": {"k": [1, 2.5, None, "x"]}, "mixed": "41", "whole_float": 3.0,
            "big": 2 ** 70, "tiny": 1e-300, "huge": 1.5e300, "text": "  padded  "}),
    ("t2", {"age": -7, "score": 2, "ok": False, "when": "1999-12-31",
            "at": "2024-05-31T09:30:00.250+02:00", "tags": [], "nothing": None,
            "nested": {}, "mixed": 41, "whole_float": -0.5, "text": "line\nbreak"}),
    ("t3", {"age": 0, "text": ""}),  # fields a source lacks stay absent
]


def _typed_store(path: Path) -> Store:
    store = Store.create(path)
    store.import_sources([SourceRecord(i, f"Text of {i}.", metadata=m) for i, m in TYPED])
    return store


def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def _exact(metadata: dict) -> str:
    """Metadata as JSON text: 3 and 3.0, 1 and True differ here, as they do in the project."""
    return json.dumps(metadata, sort_keys=True)


# -- 3. typed variables -------------------------------------------------------------------------
def test_typed_metadata_round_trips_exactly(tmp_path: Path, project_schema) -> None:
    store = _typed_store(tmp_path / "typed.qualcode")
    export_qdpx(store, tmp_path / "typed.qdpx")
    root = _qde(tmp_path / "typed.qdpx")
    assert project_schema.validate(root), project_schema.error_log
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//p:Variable", NS)}
    assert {k: types[k] for k in ("age", "score", "ok", "when", "at", "whole_float",
                                  "tiny", "huge")} == {
        "age": "Integer", "score": "Float", "ok": "Boolean", "when": "Date", "at": "DateTime",
        "whole_float": "Float", "tiny": "Float", "huge": "Float"}
    assert types["tags"] == types["mixed"] == types["nothing"] == "Text"
    copy = Store.create(tmp_path / "copy.qualcode")
    merge_into(copy, tmp_path / "typed.qdpx", backup=False)
    before = {s.external_id: _exact(s.metadata) for s in store.iter_sources()}
    after = {s.external_id: _exact(s.metadata) for s in copy.iter_sources()}
    assert after == before
    assert copy.source_by_external_id("t1").metadata["tags"] == ["a", "b"]  # not "['a', 'b']"
    assert copy.source_by_external_id("t1").metadata["nothing"] is None  # null kept


@pytest.mark.parametrize(("element", "text", "expected"), [
    ("IntegerValue", "41", 41), ("IntegerValue", " -3 ", -3), ("FloatValue", "2.50", 2.5),
    ("FloatValue", "7", 7), ("BooleanValue", "true", True), ("BooleanValue", "0", False),
    ("DateValue", "2020-02-29", "2020-02-29"),
    ("DateTimeValue", "2020-02-29T10:00:00Z", "2020-02-29T10:00:00Z"),
    ("TextValue", '["a", "b"]', '["a", "b"]'),  # another tool's text is text, JSON-like or not
    ("IntegerValue", "forty", "forty"), ("FloatValue", "NaN", "NaN"),  # kept as written
    ("FloatValue", "1" + "0" * 400 + ".0", "1" + "0" * 400 + ".0"),
    ("BooleanValue", "maybe", "maybe"),
    # Beyond 64 bits: kept as its digits, by the project's numbers rule (storage.metadata).
    ("IntegerValue", "123456789012345678901234567890", "123456789012345678901234567890"),
])
def test_foreign_typed_values_read_as_values(store: Store, tmp_path: Path, element: str,
                                             text: str, expected: object) -> None:
    path = _foreign(tmp_path, variable=(element, text))
    merge_into(store, path, backup=False)
    [source] = store.iter_sources()
    assert _exact(source.metadata) == _exact({"v": expected})


# -- 2. foreign descriptions are data -------------------------------------------------------------
LABELLED = ["Shortcut: s", "Kind: nonsense", "Include: everything\nExclude: nothing",
            "Example: one\n\nShortcut: s\nKind: theme", "\\Include: escaped", ""]


def _foreign(tmp_path: Path, *, descriptions: list[str] = (), variable=None,
             project_description: str = "", notes: int = 0, pdfs: int = 0,
             origin: str = "NVivo 14") -> Path:
    """A foreign .qdpx: codes with these descriptions, one source, optional extras."""
    user = "11111111-2222-4333-8444-555555555555"
    codes = "".join(f'<Code guid="aaaaaaaa-0000-4000-8000-{n:012d}" name="code {n}" '
                    f'isCodable="true"><Description>{etree_text(d)}</Description></Code>'
                    for n, d in enumerate(descriptions or ["plain"]))
    variables, value = "", ""
    if variable:
        variables = ('<Variables><Variable guid="bbbbbbbb-0000-4000-8000-000000000001" name="v" '
                     'typeOfVariable="Text"/></Variables>')
        value = ('<VariableValue><VariableRef targetGUID="bbbbbbbb-0000-4000-8000-000000000001"/>'
                 f"<{variable[0]}>{variable[1]}</{variable[0]}></VariableValue>")
    note_refs = "".join(f'<NoteRef targetGUID="cccccccc-0000-4000-8000-{n:012d}"/>'
                        for n in range(notes))
    note_list = "".join(f'<Note guid="cccccccc-0000-4000-8000-{n:012d}" name="note {n}" '
                        f'creatingUser="{user}"><PlainTextContent>text {n}</PlainTextContent>'
                        "</Note>" for n in range(notes))
    pdf = "".join(f'<PDFSource guid="dddddddd-0000-4000-8000-{n:012d}" name="scan {n}.pdf" '
                  f'path="internal://scan{n}.pdf"/>' for n in range(pdfs))
    first = f'<Coding guid="eeeeeeee-0000-4000-8000-000000000001" creatingUser="{user}">' \
            '<CodeRef targetGUID="aaaaaaaa-0000-4000-8000-000000000000"/></Coding>'
    qde = (f'<Project xmlns="urn:QDA-XML:project:1.0" name="f" origin="{origin}">'
           f'<Users><User guid="{user}" name="Ana"/></Users>'
           f"<CodeBook><Codes>{codes}</Codes></CodeBook>{variables}"
           f'<Sources><TextSource guid="ffffffff-0000-4000-8000-000000000001" name="S" '
           f'creatingUser="{user}" creationDateTime="2021-01-02T03:04:05Z" '
           f'modifiedDateTime="2022-01-02T03:04:05Z">'
           f"<Description>Interview at the clinic.</Description>"
           '<PlainTextContent>Some text here.</PlainTextContent>'
           '<PlainTextSelection guid="99999999-0000-4000-8000-000000000001" startPosition="0" '
           f'endPosition="4">{first}</PlainTextSelection>{value}</TextSource>{pdf}</Sources>'
           + (f"<Notes>{note_list}</Notes>" if notes else "")
           + (f"<Description>{etree_text(project_description)}</Description>"
              if project_description else "") + note_refs + "</Project>")
    path = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    return path


def etree_text(text: str) -> str:
    """Escape text for an XML element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("origin", ["NVivo 14", "QualCoder 3.5", "qualcoder", "", "qualcodeX"])
def test_foreign_descriptions_stay_whole_definitions(store: Store, tmp_path: Path,
                                                     origin: str) -> None:
    # Two codes saying "Shortcut: s" would clash if read as shortcuts; neither is.
    merge_into(store, _foreign(tmp_path, descriptions=LABELLED, origin=origin), backup=False)
    book = store.codebook()
    got = {c.name: code_fields(c) for c in book}
    for n, text in enumerate(LABELLED):
        fields = got[f"code {n}"]
        assert fields["description"] == text
        assert (fields["inclusion"], fields["exclusion"], fields["examples"],
                fields["shortcut"]) == ("", "", [], None)


def test_foreign_qdc_descriptions_stay_whole(store: Store, tmp_path: Path) -> None:
    codes = "".join(f'<Code guid="aaaaaaaa-0000-4000-8000-{n:012d}" name="code {n}" '
                    f'isCodable="true"><Description>{etree_text(d)}</Description></Code>'
                    for n, d in enumerate(LABELLED))
    path = tmp_path / "book.qdc"
    path.write_text(f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti 23">'
                    f"<Codes>{codes}</Codes></CodeBook>", encoding="utf-8")
    result = CliRunner().invoke(main, ["codebook", "import", str(store.path), str(path)])
    assert result.exit_code == 0, result.output
    got = {c.name: code_fields(c) for c in store.codebook()}
    assert [got[f"code {n}"]["description"] for n in range(len(LABELLED))] == LABELLED
    assert all(f["shortcut"] is None and f["inclusion"] == "" for f in got.values())


def test_qualcode_labels_still_parse_from_qualcode(rich_store: Store, tmp_path: Path) -> None:
    export_qdc(rich_store, tmp_path / "book.qdc")
    fresh = Store.create(tmp_path / "fresh.qualcode")
    result = CliRunner().invoke(main, ["codebook", "import", str(fresh.path),
                                       str(tmp_path / "book.qdc")])
    assert result.exit_code == 0, result.output
    [listen] = fresh.codebook().find("Letting finish")
    assert (listen.shortcut, listen.exclusion) == ("l", "Feelings only.")


# -- 4. what the standard carries ----------------------------------------------------------------
def test_descriptions_users_dates_and_notes_come_back(store: Store, tmp_path: Path,
                                                      project_schema) -> None:
    path = _foreign(tmp_path, project_description="A study of clinics.\nSecond line.",
                    notes=3)
    merge_into(store, path, backup=False)
    assert project_description(store) == "A study of clinics.\nSecond line."
    [memo] = store.db.execute("SELECT guid, text FROM memos").fetchall()  # three notes joined
    assert memo[1] == "\n\n---\n\n".join(f"note {n}\n\ntext {n}" for n in range(3))
    export_qdpx(store, tmp_path / "again.qdpx")
    root = _qde(tmp_path / "again.qdpx")
    assert project_schema.validate(root), project_schema.error_log
    assert root.findtext("p:Description", namespaces=NS) == "A study of clinics.\nSecond line."
    source = root.find(".//p:TextSource", NS)
    assert source.findtext("p:Description", namespaces=NS) == "Interview at the clinic."
    assert (source.get("creatingUser"), source.get("creationDateTime"),
            source.get("modifiedDateTime")) == ("11111111-2222-4333-8444-555555555555",
                                                "2021-01-02T03:04:05Z", "2022-01-02T03:04:05Z")
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//p:User", NS)}
    assert users["11111111-2222-4333-8444-555555555555"] == "Ana"
    notes = {n.get("guid"): (n.get("name"), n.findtext("p:PlainTextContent", namespaces=NS))
             for n in root.iterfind(".//p:Note", NS)}
    assert notes == {f"cccccccc-0000-4000-8000-{n:012d}": (f"note {n}", f"text {n}")
                     for n in range(3)}
    refs = [r.get("targetGUID") for r in root.findall("p:NoteRef", NS)]
    assert refs == list(notes)
    # And once more into a fresh project: the same memo, the same details.
    copy = Store.create(tmp_path / "copy.qualcode")
    merge_into(copy, tmp_path / "again.qdpx", backup=False)
    assert copy.db.execute("SELECT guid, text FROM memos").fetchall() == [tuple(memo)]
    assert project_description(copy) == project_description(store)


def test_every_left_out_item_is_reachable(tmp_path: Path) -> None:
    project = tmp_path / "p.qualcode"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    path = _foreign(tmp_path, pdfs=14)
    result = runner.invoke(main, ["import", str(project), str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert sorted(report["left_out"]) == sorted(
        f"PDF source 'scan {n}.pdf' has no text representation and its PDF "
        f"'internal://scan{n}.pdf' is not in the archive or beside it as a regular file; left "
        "out with its 0 codings" for n in range(14))
    assert report["added"]["sources"] == 1
    log = runner.invoke(main, ["log", str(project), "--format", "jsonl", "--last", "50"])
    events = [json.loads(line) for line in log.output.splitlines() if line.strip()]
    [summary] = [e for e in events if e["action"] == "refi.import"]
    assert summary["payload"]["left_out"] == report["left_out"]
    fresh = tmp_path / "q.qualcode"
    runner.invoke(main, ["init", str(fresh)])
    text = runner.invoke(main, ["import", str(fresh), str(path)]).output
    assert "... and 4 more (every one: --format json" in text


def test_json_format_is_refused_for_a_corpus(tmp_path: Path) -> None:
    project = tmp_path / "p.qualcode"
    runner = CliRunner()
    runner.invoke(main, ["init", str(project)])
    (tmp_path / "c.jsonl").write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    result = runner.invoke(main, ["import", str(project), str(tmp_path / "c.jsonl"),
                                  "--format", "json"])
    assert result.exit_code == 2 and "--format jsonl" in result.output


# -- 5. filtered exports -------------------------------------------------------------------------
@pytest.mark.parametrize("consensus", [False, True])
def test_coder_export_holds_only_that_coder(rich_store: Store, tmp_path: Path, project_schema,
                                            consensus: bool) -> None:
    out = tmp_path / "alice.qdpx"
    args = ["export", "qdpx", str(rich_store.path), "-o", str(out), "--coder", "alice"]
    result = CliRunner().invoke(main, args + ([] if consensus else ["--no-consensus"]))
    assert result.exit_code == 0, result.output
    root = _qde(out)
    assert project_schema.validate(root), project_schema.error_log
    names = [u.get("name") for u in root.iterfind(".//p:User", NS)]
    alice = rich_store.coder("alice", create=False)
    assert names == (["alice", "consensus (adjudicated by carol)"] if consensus else ["alice"])
    notes = [n.findtext("p:PlainTextContent", namespaces=NS) for n in root.iterfind(
        ".//p:Note", NS)]
    # alice's code memo; with consensus, carol's memo on her consensus coding.
    assert notes == (["Watch for\r\nline endings.", "Adjudicated after discussion."]
                     if consensus else ["Watch for\r\nline endings."])
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    for other in ("bob", "Night shifts", "Unit memo.", "Project journal."):
        assert other not in qde
    # With the consensus layer, its adjudicator carol is named (her consensus done marks too).
    others = {c.guid for c in rich_store.coders()
              if c.name not in ("alice", "carol" if consensus else "alice")}
    assert others and not any(guid in qde for guid in others)
    coders = {c.get("creatingUser") for c in root.iterfind(".//p:Coding", NS)}
    assert alice.guid in coders and all(u in {alice.guid} or u.startswith(
        tuple("0123456789abcdef")) for u in coders)


# -- 6. qualcode -> .qdpx -> qualcode, by GUID ---------------------------------------------------
def _by_guid(store: Store) -> dict:
    book = store.codebook()
    coders = {c.id: c.guid for c in store.coders()}
    sources = {s.id: s for s in store.iter_sources()}
    codes = {c.id: c.guid for c in book}
    units = {row[0]: row[1] for row in store.db.execute(
        "SELECT s.guid, u.guid FROM units u JOIN sources s ON s.id = u.source_id "
        "WHERE u.kind = 'source'")}
    return {
        "codes": {c.guid: (code_fields(c), c.kind, book.path(c)) for c in book},
        "codings": {c.guid: (coders[c.coder_id], sources[c.source_id].guid, codes[c.code_id],
                             c.start, c.end, c.layer) for c in store.codings()},
        "sources": {s.guid: (s.external_id, s.name, s.text, _exact(s.metadata), units[s.guid])
                    for s in sources.values()},
        # A project memo's target is the project's own GUID, which each project has its own.
        "memos": {row[0]: (row[1], "" if row[1] == "project" else row[2], *row[3:])
                  for row in store.db.execute(
            "SELECT m.guid, m.target_kind, m.target_guid, m.text, c.guid FROM memos m "
            "LEFT JOIN coders c ON c.id = m.coder_id WHERE m.deleted_at IS NULL")},
        "done": sorted(store.db.execute(
            "SELECT s.guid, c.guid, r.layer FROM reviews r JOIN units u ON u.id = r.unit_id "
            "JOIN sources s ON s.id = u.source_id JOIN coders c ON c.id = r.coder_id")),
        "coders": {c.guid: c.name for c in store.coders()},
    }


def test_round_trip_keeps_everything_by_guid(rich_store: Store, tmp_path: Path,
                                             project_schema) -> None:
    rich_store.import_sources([SourceRecord(i, f"Text of {i}.", metadata=m) for i, m in TYPED])
    export_qdpx(rich_store, tmp_path / "all.qdpx")
    assert project_schema.validate(_qde(tmp_path / "all.qdpx"))
    copy = Store.create(tmp_path / "copy.qualcode")
    merge_into(copy, tmp_path / "all.qdpx", backup=False)
    before, after = _by_guid(rich_store), _by_guid(copy)
    for part in before:
        assert after[part] == before[part], part
    # Exported again, the copy writes the same document (but for its own project's GUID).
    export_qdpx(copy, tmp_path / "again.qdpx")
    strip = lambda root: etree.tostring(root).replace(  # noqa: E731
        b'name="copy"', b'name="rich"')
    first, second = _qde(tmp_path / "all.qdpx"), _qde(tmp_path / "again.qdpx")
    for root in (first, second):
        for attr in ("creationDateTime",):
            root.attrib.pop(attr, None)
    assert strip(second) == strip(first)


# Text XML 1.0 can hold (qualcode writes others as U+FFFD), and no surrogates.
_XML_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="".join(
    chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])), max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 63), 2 ** 63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | _XML_TEXT
    | st.sampled_from(["2024-05-31", "2024-05-31T09:30:00Z", "1999-01-01T00:00:00+01:00"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_XML_TEXT, inner, max_size=3),
    max_leaves=6)
_KEYS = _XML_TEXT.filter(lambda k: k not in ("qualcode id", "qualcode unit"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(_KEYS, _JSON, max_size=4), min_size=1, max_size=4))
def test_any_metadata_round_trips_exactly(metadatas: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        store = Store.create(base / "p.qualcode")
        store.import_sources([SourceRecord(f"s{n}", "text", metadata=m)
                              for n, m in enumerate(metadatas)])
        export_qdpx(store, base / "p.qdpx")
        copy = Store.create(base / "copy.qualcode")
        merge_into(copy, base / "p.qdpx", backup=False)
        assert ({s.external_id: _exact(s.metadata) for s in copy.iter_sources()}
                == {s.external_id: _exact(s.metadata) for s in store.iter_sources()})
        store.close()
        copy.close()


def test_a_project_keeps_its_own_description_and_says_so(store: Store, tmp_path: Path) -> None:
    merge_into(store, _foreign(tmp_path, project_description="Ours."), backup=False)
    other = tmp_path / "other"
    other.mkdir()
    path = _foreign(other, project_description="Theirs.", pdfs=1)
    report = merge_into(store, path, backup=False)
    assert project_description(store) == "Ours."
    assert ("the file's project description: the project has its own, which was kept"
            in report.skipped)
