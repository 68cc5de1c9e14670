"""The codebook's shape rules (qualcode.model.CodebookShape) hold on every write path.

Each path that places a code (add, move, merge of codes, YAML import, REFI-QDA import,
merge of projects) is tried with placements that break a rule; the store refuses them
with one line and the codebook is unchanged. ``qualcode check`` reports a codebook an
older version left misshapen, and such a codebook can still be repaired.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.store_engines import ENGINES, engine_store
from qualcode.cli import main
from qualcode.codebook_shape import CodebookShape
from qualcode.errors import CodebookError
from qualcode.interchange.codebook_yaml_write import dump_codebook_yaml
from qualcode.model import Codebook, CodeKind, CodeSpec
from qualcode.storage import Store


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)


def _tree(store: Store) -> dict[int, int]:
    """Return the codebook three levels deep: Care > Time > Rush, plus a bare theme Calm."""
    care = store.add_code("Care", kind=CodeKind.THEME)
    time = store.add_code("Time", parent_id=care.id, kind=CodeKind.SUBTHEME)
    rush = store.add_code("Rush", parent_id=time.id)
    calm = store.add_code("Calm", kind=CodeKind.THEME)
    calm_code = store.add_code("Quiet", parent_id=calm.id)
    return {"care": care.id, "time": time.id, "rush": rush.id, "calm": calm.id,
            "quiet": calm_code.id}


def _paths(store: Store) -> set[str]:
    book = store.codebook()
    return {book.path(code) for code in book}


@pytest.mark.parametrize(("parent", "kind"), [
    ("rush", CodeKind.CODE),        # fourth level, and under a code
    ("rush", CodeKind.SUBTHEME),
    ("time", CodeKind.SUBTHEME),    # a sub-theme under a sub-theme
    ("time", CodeKind.THEME),       # a theme below the top
    ("care", CodeKind.THEME),
])
def test_add_code_refuses_every_misplacement(store: Store, parent: str, kind: CodeKind) -> None:
    ids = _tree(store)
    before = _paths(store)
    with pytest.raises(CodebookError) as refused:
        store.add_code("Late", parent_id=ids[parent], kind=kind)
    assert "\n" not in refused.value.message
    assert _paths(store) == before
    assert store.shape_problems() == []


@pytest.mark.parametrize(("moving", "to"), [
    ("calm", "rush"),   # a theme with a code under a code, four levels deep
    ("calm", "time"),   # theme > code under a sub-theme: four levels
    ("time", "calm"),   # sub-theme with its code under a theme's code
    ("quiet", "rush"),  # a code under a code
    ("care", "rush"),   # under itself
])
def test_move_code_refuses_every_misplacement(store: Store, moving: str, to: str) -> None:
    ids = _tree(store)
    if (moving, to) == ("time", "calm"):
        to = "quiet"
    before = _paths(store)
    with pytest.raises(CodebookError):
        store.move_code(ids[moving], ids[to])
    assert _paths(store) == before


def test_cli_merge_refuses_to_put_children_under_a_code(tmp_path: Path) -> None:
    project = tmp_path / "study.qualcode"
    with Store.create(project) as store:
        _tree(store)
    result = CliRunner().invoke(main, ["codebook", "merge", str(project), "Care/Time",
                                       "Calm/Quiet"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert "'Calm/Quiet/Rush' sits under a code" in result.output
    assert len(result.output.strip().splitlines()) == 1
    with Store.open(project) as store:
        assert "Care/Time/Rush" in _paths(store)


def test_merge_codes_refuses_to_put_children_under_a_code(store: Store) -> None:
    ids = _tree(store)
    before = _paths(store)
    with pytest.raises(CodebookError, match="nothing was changed"):
        store.merge_codes(ids["time"], ids["quiet"])  # Rush would sit under the code Quiet
    assert _paths(store) == before


@pytest.mark.parametrize("levels", [4, 5, 7])
def test_codebook_import_refuses_a_tree_too_deep(store: Store, levels: int) -> None:
    _tree(store)
    before = _paths(store)
    spec = CodeSpec(f"Level {levels}")
    for level in range(levels - 1, 0, -1):
        kind = {1: CodeKind.THEME, 2: CodeKind.SUBTHEME}.get(level, CodeKind.CODE)
        spec = CodeSpec(f"Level {level}", kind=kind, children=(spec,))
    with pytest.raises(CodebookError, match="sits 4 levels deep.*nothing was changed"):
        store.import_codebook([spec])
    assert _paths(store) == before


def _qdc(path: Path, levels: int) -> Path:
    """Write a REFI-QDA codebook nesting ``levels`` codes, one inside the other."""
    body = "".join(f'<Code guid="00000000-0000-4000-8000-{level:012d}" name="Level {level}" '
                   'isCodable="true">' for level in range(1, levels + 1))
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="other tool"><Codes>'
                    f'{body}{"</Code>" * levels}</Codes></CodeBook>', encoding="utf-8")
    return path


@pytest.mark.parametrize("levels", [4, 5, 6])
def test_refi_import_lifts_deep_codes_to_the_third_level(tmp_path: Path, levels: int) -> None:
    project = tmp_path / "study.qualcode"
    Store.create(project).close()
    result = CliRunner().invoke(main, ["codebook", "import", str(project),
                                       str(_qdc(tmp_path / "deep.qdc", levels))])
    assert result.exit_code == 0, result.output
    assert "lifted to the third level" in result.output
    with Store.open(project) as store:
        paths = _paths(store)
        assert store.shape_problems() == []
        exported = dump_codebook_yaml(store.codebook())  # the YAML export takes it
    assert {f"Level 1/Level 2/Level {n}" for n in range(3, levels + 1)} <= paths
    assert max(path.count("/") for path in paths) == 2
    assert "Level 4" in exported


def _misshapen(project: Path) -> None:
    """Make the codebook an older version could leave: four levels deep, a theme nested."""
    with Store.create(project) as store:
        ids = _tree(store)
        # Older versions wrote such rows; only raw SQL can now.
        store.db.execute("INSERT INTO codes(guid, parent_id, name, kind, position, codable) "
                         "VALUES ('00000000-0000-4000-8000-00000000000a', ?, 'Late', 'code', "
                         "0, 1)", [ids["rush"]])
        store.db.execute("UPDATE codes SET parent_id = ? WHERE id = ?",
                         [ids["care"], ids["calm"]])
        store.db.conn.commit()


def test_check_reports_a_misshapen_codebook(tmp_path: Path) -> None:
    project = tmp_path / "old.qualcode"
    _misshapen(project)
    result = CliRunner().invoke(main, ["check", str(project), "--format", "json"])
    assert result.exit_code != 0
    report = json.loads(result.stdout)
    [finding] = [f for f in report["findings"] if f["check"] == "codebook shape"]
    assert finding["severity"] == "error"
    assert finding["count"] >= 2
    assert any("'Care/Time/Rush/Late' sits 4 levels deep" in e for e in finding["examples"])


def test_a_misshapen_codebook_can_be_repaired_but_not_made_worse(tmp_path: Path) -> None:
    project = tmp_path / "old.qualcode"
    _misshapen(project)
    with Store.open(project) as store:
        problems = store.shape_problems()
        assert problems
        book = store.codebook()
        rush = book.find("Care/Time/Rush")[0]
        with pytest.raises(CodebookError):
            store.add_code("Later", parent_id=book.find("Care/Time/Rush/Late")[0].id)
        store.add_code("Elsewhere", parent_id=book.find("Care/Time")[0].id)  # unrelated edit
        store.move_code(book.find("Care/Time/Rush/Late")[0].id, rush.parent_id)
        store.move_code(book.find("Calm")[0].id, None)
        assert store.shape_problems() == []
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 0, result.output


def test_default_codability_follows_the_kind(store: Store) -> None:
    ids = _tree(store)
    book: Codebook = store.codebook()
    assert not book.by_id(ids["care"]).codable and not book.by_id(ids["time"]).codable
    assert book.by_id(ids["rush"]).codable
    assert CodebookShape.default_codable(CodeKind.SUBTHEME) is False


def test_merging_a_misshapen_project_is_refused_naming_it(tmp_path: Path) -> None:
    old = tmp_path / "old.qualcode"
    _misshapen(old)
    target = tmp_path / "study.qualcode"
    Store.create(target).close()
    result = CliRunner().invoke(main, ["merge", str(target), str(old)])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.output.strip().splitlines()
    assert "old.qualcode" in line and "levels deep" in line and "nothing was changed" in line
    with Store.open(target) as store:
        assert len(store.codebook()) == 0
