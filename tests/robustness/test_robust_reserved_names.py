"""Reserved names: no path makes ``consensus`` (or another name the CLI gives meaning) a coder.

Typed names (``--coder`` of codings import, the coding screen, merge, import) are refused
with one line saying why and what to do, the project unchanged; imported ones (.qdpx
users, merge input coders) are renamed by the rule of :func:`qualcode.model.unreserved_name`
and listed in the report.
"""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from helpers.robust_harness import digest, make_project, one_line_error, run_cli
from qualcode.errors import NotFoundError, StoreError
from qualcode.model import RESERVED_NAMES, Layer, is_reserved_name, unreserved_name
from qualcode.storage import Store

SPELLINGS = ["consensus", "Consensus", " CONSENSUS ", "all", "coder", "ｃｏｎｓｅｎｓｕｓ"]
"""Reserved names as someone might type them (any case, padded, full-width letters)."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "study.qualcode")


def test_the_reserved_names_are_the_ones_the_cli_gives_meaning() -> None:
    from qualcode.analysis.agreement_report import CONSENSUS
    from qualcode.cli.codings import LAYER_CHOICES

    assert {CONSENSUS, *LAYER_CHOICES, "all"} == RESERVED_NAMES
    assert all(is_reserved_name(name) for name in SPELLINGS)
    assert not any(is_reserved_name(name) for name in ("alice", "consensus (imported)",
                                                        "consensual", ""))


def test_the_renaming_rule() -> None:
    taken = {"consensus (imported)", "consensus (imported 2)"}
    assert unreserved_name("consensus", lambda name: False) == "consensus (imported)"
    assert unreserved_name("consensus", taken.__contains__) == "consensus (imported 3)"
    assert unreserved_name("All", lambda name: False) == "All (imported)"
    assert unreserved_name("bob", taken.__contains__) == "bob"


@pytest.mark.parametrize("name", SPELLINGS)
def test_store_refuses_to_create_a_reserved_coder(project: Path, name: str) -> None:
    before = digest(project)
    with Store.open(project) as store:
        with pytest.raises(StoreError, match="cannot be a coder's name.*own name"):
            store.coder(name)
        with pytest.raises(NotFoundError):
            store.coder(name, create=False)
    assert digest(project) == before


def _codings_csv(folder: Path) -> Path:
    path = folder / "codings.csv"
    path.write_text("source_id,code,start,end\nr1,Listening,0,3\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", SPELLINGS)
@pytest.mark.parametrize("command", ["codings import", "code", "merge", "import", "adjudicate"])
def test_a_typed_reserved_coder_is_refused(project: Path, tmp_path: Path, name: str,
                                           command: str) -> None:
    other = tmp_path / "other.qualcode"
    shutil.copy(project, other)
    args = {
        "codings import": ["codings", "import", str(project), str(_codings_csv(tmp_path))],
        "code": ["code", str(project)],
        "merge": ["merge", str(project), str(other)],
        "import": ["import", str(project), str(_codings_csv(tmp_path))],
        "adjudicate": ["adjudicate", str(project), "--coders", "alice", "bob", "--as"],
    }[command]
    args += [name] if command == "adjudicate" else ["--coder", name]
    before = digest(project)
    run = run_cli(args)
    problem = one_line_error(run, Path(repr(name.strip())))  # the line names the refused name
    assert problem is None, problem
    assert "cannot be a coder's name" in run.stderr
    assert ("--as carol" if command == "adjudicate" else "--coder carol") in run.stderr
    assert digest(project) == before


# -- imported coders are renamed and listed ------------------------------------------------------
USER, CODE, SOURCE = (
    "11111111-1111-4111-8111-111111111111",
    "33333333-3333-4333-8333-333333333333",
    "55555555-5555-4555-8555-555555555555",
)


def _qdpx(path: Path, user_name: str) -> Path:
    qde = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="p"><Users><User guid="{USER}" name="{user_name}"/></Users>'
           f'<CodeBook><Codes><Code guid="{CODE}" name="Time" isCodable="true"/></Codes>'
           f'</CodeBook><Sources><TextSource guid="{SOURCE}" name="q1">'
           "<PlainTextContent>Too little time.</PlainTextContent>"
           '<PlainTextSelection guid="99999999-9999-4999-8999-999999999999" startPosition="0" '
           f'endPosition="3"><Coding guid="77777777-7777-4777-8777-777777777777" '
           f'creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
           "</TextSource></Sources></Project>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    return path


@pytest.mark.parametrize(("user", "layer"), [("consensus", Layer.CODER),
                                             ("Consensus", Layer.CODER),
                                             ("all", Layer.CODER),
                                             ("consensus (adjudicated)", Layer.CONSENSUS)])
def test_a_qdpx_user_with_a_reserved_name_is_renamed_and_listed(project: Path, tmp_path: Path,
                                                                user: str, layer: Layer) -> None:
    qdpx = _qdpx(tmp_path / "from-tool.qdpx", user)
    run = run_cli(["import", str(project), str(qdpx)])
    assert run.exit_code == 0, run.stderr
    base = "consensus" if layer is Layer.CONSENSUS else user
    renamed = f"{base} (imported)"
    assert f"coder {base!r} renamed {renamed!r}" in run.stdout
    with Store.open(project) as store:
        names = [c.name for c in store.coders()]
        assert renamed in names and not any(is_reserved_name(n) for n in names)
        [coding] = store.codings(coder_id=store.coder(renamed, create=False).id)
        assert coding.layer is layer
    again = run_cli(["import", str(project), str(qdpx)])  # the same GUID: matched, not renamed
    assert again.exit_code == 0 and "renamed" not in again.stdout


def test_a_merge_input_coder_with_a_reserved_name_is_renamed_and_listed(project: Path,
                                                                       tmp_path: Path) -> None:
    other = tmp_path / "other.qualcode"
    shutil.copy(project, other)
    with Store.open(project) as store:  # the first new name is taken here already
        store.coder("consensus (imported)")
    conn = sqlite3.connect(other)  # only a damaged or foreign file can hold such a coder
    conn.execute("INSERT INTO coders(guid, name, created_at) VALUES "
                 "('0c0c0c0c-0000-4000-8000-000000000001', 'consensus', '2026-01-01T00:00:00Z')")
    conn.execute("INSERT INTO codings(guid, coder_id, source_id, code_id, start, \"end\", layer, "
                 "created_at) VALUES ('0d0d0d0d-0000-4000-8000-000000000001', "
                 "(SELECT id FROM coders WHERE name = 'consensus'), 1, 2, 0, 3, 'coder', "
                 "'2026-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    run = run_cli(["merge", str(project), str(other)])
    assert run.exit_code == 0, run.stderr
    assert "coder 'consensus' renamed 'consensus (imported 2)'" in run.stdout
    with Store.open(project) as store:
        renamed = store.coder("consensus (imported 2)", create=False)
        assert len(store.codings(coder_id=renamed.id)) == 1
        assert not any(is_reserved_name(c.name) for c in store.coders())


def test_agreement_still_reads_consensus_as_the_layer(project: Path, tmp_path: Path) -> None:
    """After importing a user called consensus, `--coders ... consensus` is still the layer."""
    assert run_cli(["import", str(project), str(_qdpx(tmp_path / "t.qdpx", "consensus"))]
                   ).exit_code == 0
    with Store.open(project) as store:
        from qualcode.analysis.agreement_report import _layer_key

        assert _layer_key(store, "consensus") == (Layer.CONSENSUS, None)
        assert _layer_key(store, "consensus (imported)")[0] is Layer.CODER
