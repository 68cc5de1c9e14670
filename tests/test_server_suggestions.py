"""Suggestions on a server project: the same ranked codes and scores as on the file.

The demo project is built as a file, copied to the session's throwaway PostgreSQL server,
and ``qualcode suggest`` and ``qualcode evaluate`` run on both. The fitted model is kept
in the project (a ``bytea`` on the server): the second ``suggest`` reuses it.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from helpers.store_engines import drop_project
from qualcode.cli import main
from qualcode.storage import Store

ROOT = Path(__file__).resolve().parents[1]


def run(*args: object) -> str:
    done = CliRunner().invoke(main, [str(a) for a in args])
    assert done.exit_code == 0, (args, done.output)
    return done.output


def stored_models(url: str) -> list[tuple[int, str, int]]:
    """(id, created_at, size) of each model kept in the project."""
    with Store.open(url) as store:
        rows = store.db.execute("SELECT id, created_at, length(model) FROM suggester_models "
                                "ORDER BY id").fetchall()
    return [tuple(row) for row in rows]


def test_suggest_and_evaluate_agree_on_file_and_server(tmp_path: Path,
                                                       pg_server_url: str) -> None:
    file = tmp_path / "demo.qualcode"
    url = f"{pg_server_url}{'&' if '?' in pg_server_url else '?'}project=suggest_server"
    run("demo", file, "--data", ROOT)
    try:
        run("copy", file, url)
        suggest = ["suggest", "--coder", "alice", "--format", "json", "--limit", "25"]
        on_file = json.loads(run(*suggest, "--project", file))
        on_server = json.loads(run(*suggest, "--project", url))
        assert on_file and on_file == on_server
        kept = stored_models(url)
        assert kept  # the fitted model was kept on the server
        assert json.loads(run(*suggest, "--project", url)) == on_server
        assert stored_models(url) == kept  # reused, not fitted and stored again
        evaluate = ["evaluate", "--coder", "alice", "--format", "json", "--seed", "1"]
        scores_file = json.loads(run(*evaluate, "--project", file))
        scores_server = json.loads(run(*evaluate, "--project", url))
        for key in ("micro_f1", "macro_f1"):
            assert scores_file[key] == scores_server[key], key
    finally:
        drop_project(pg_server_url, "suggest_server")
