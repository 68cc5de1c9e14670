"""The demo projects are built from the bundled data through the real import paths."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.storage import Store

ROOT = Path(__file__).resolve().parents[1]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("corpus, table, stem", [
    ("metasynthesis", "balint_metasynthesis.csv", "metasynthesis"),
    ("survey", "balint_survey.csv", "survey"),
])
def test_demo_holds_every_source_and_every_coded_row(tmp_path: Path, corpus: str, table: str,
                                                     stem: str) -> None:
    project = tmp_path / "demo.qualcode"
    result = CliRunner().invoke(main, ["demo", str(project), "--corpus", corpus,
                                       "--data", str(ROOT)])
    assert result.exit_code == 0, result.output
    sources = _rows(ROOT / "corpora" / table)
    with Store.open(project) as store:
        assert store.db.execute("SELECT count(*) FROM sources").fetchone()[0] == len(sources)
        for coder in ("alice", "bob"):
            rows = _rows(ROOT / "corpora" / "codings" / f"{stem}_{coder}.csv")
            coded = [r for r in rows if r["code"]]
            who = store.coder(coder, create=False)
            stored = store.db.execute(
                "SELECT count(*) FROM codings WHERE coder_id = ? AND deleted_at IS NULL",
                [who.id]).fetchone()[0]
            assert stored == len(coded)
            # Every unit in a coder's file is one that coder finished, coded or not.
            assert store.done_count(who.id) == len({r["source_id"] for r in rows})
    assert not list(tmp_path.glob(".*building*")), "the build file must not be left behind"


def test_demo_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    project = tmp_path / "demo.qualcode"
    runner = CliRunner()
    assert runner.invoke(main, ["demo", str(project), "--data", str(ROOT)]).exit_code == 0
    with Store.open(project) as store:
        store.coder("carol")
    refused = runner.invoke(main, ["demo", str(project), "--data", str(ROOT)])
    assert refused.exit_code == 1
    assert "already exists" in refused.output and "--force" in refused.output
    kept = runner.invoke(main, ["demo", str(project), "--keep", "--data", str(ROOT)])
    assert kept.exit_code == 0
    with Store.open(project) as store:
        assert "carol" in {c.name for c in store.coders()}
    forced = runner.invoke(main, ["demo", str(project), "--force", "--data", str(ROOT)])
    assert forced.exit_code == 0
    with Store.open(project) as store:
        assert {c.name for c in store.coders()} == {"alice", "bob"}


def test_demo_without_data_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "d.qualcode"),
                                       "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "corpora/" in result.output
    assert not (tmp_path / "d.qualcode").exists()


def test_demo_on_a_server_matches_the_file_and_keeps_or_replaces_as_asked(
        tmp_path: Path, pg_server_url: str) -> None:
    """``qualcode demo URL`` builds the same project on a PostgreSQL server as in a file
    (same agreement JSON); --keep leaves it, a second build is refused, --force rebuilds it
    (coding done meanwhile is gone)."""
    from helpers.store_engines import drop_project

    url = f"{pg_server_url}{'&' if '?' in pg_server_url else '?'}project=demo_server"
    file = tmp_path / "demo.qualcode"
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, [*args, "--data", str(ROOT)])
        assert result.exit_code == 0, result.output
        return result.output

    try:
        run("demo", str(file))
        assert "Built postgresql://" in run("demo", url)
        agreement = ["agreement", "--coders", "alice", "bob", "--format", "json"]
        on_file = runner.invoke(main, [*agreement, "--project", str(file)]).output
        on_server = runner.invoke(main, [*agreement, "--project", url]).output
        assert '"kappa"' in on_file and on_file.replace(str(file), "P") == \
            on_server.replace(url, "P")
        assert "keeping it" in run("demo", url, "--keep")
        refused = runner.invoke(main, ["demo", url, "--data", str(ROOT)])
        assert refused.exit_code == 1 and "--force" in refused.output
        with Store.open(url) as store:
            store.add_code("Added after the build")
        run("demo", url, "--force")
        with Store.open(url) as store:
            assert not store.codebook().find("Added after the build")
            assert store.source_count() == len(_rows(ROOT / "corpora" /
                                                     "balint_metasynthesis.csv"))
    finally:
        drop_project(pg_server_url, "demo_server")
