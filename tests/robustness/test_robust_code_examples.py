"""A code's stored examples (a JSON column) never stop the codebook from being read.

``codes.examples`` holds a JSON list of texts. Text another program (or an older qualcode)
wrote there that is not such a list reads as no examples, or as the JSON of its odd items,
so every command and screen still opens; ``qualcode check`` names the code, says what is
wrong and how to repair it, and the repair makes check clean. Each case is written with
raw SQL over a sound project.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from helpers.robust_harness import digest, make_project, run_cli
from qualcode.storage import Store
from qualcode.storage.rows import EXAMPLES_REPAIR, decode_examples, examples_problem

BAD_EXAMPLES = {  # stored text -> what check says about it
    "not json": "not valid JSON",
    "[": "not valid JSON",
    '{"a": 1}': "not a list of texts",
    "42": "not a list of texts",
    "null": "not a list of texts",
    '"one text"': "not a list of texts",
    '[1, "x"]': "holds a int",
    '["x", {"y": 2}]': "holds a dict",
    "[NaN]": "holds NaN",
    '["x", Infinity]': "holds Infinity",
}


def damage(project: Path, examples: str) -> None:
    """Write ``examples`` over the code Listening's examples with raw SQL."""
    conn = sqlite3.connect(project, isolation_level=None)
    try:
        conn.execute("UPDATE codes SET examples = ? WHERE name = 'Listening'", (examples,))
    finally:
        conn.close()


@pytest.mark.parametrize("examples", sorted(BAD_EXAMPLES))
def test_bad_examples_are_read_and_named_by_check(tmp_path: Path, examples: str) -> None:
    project = make_project(tmp_path / "study.qualcode")
    damage(project, examples)
    before = digest(project)
    with Store.open(project) as store:
        listening = next(c for c in store.codebook() if c.name == "Listening")
        assert all(isinstance(text, str) for text in listening.examples)
    for command in (["codebook", "show", str(project)], ["codebook", "export", str(project)],
                    ["status", str(project)], ["codings", "export", str(project)]):
        run = run_cli(command)
        assert run.exception is None, f"{command}: {type(run.exception).__name__}"
        assert run.exit_code == 0, (command, run.stderr)
    run = run_cli(["check", str(project), "--format", "json"])
    assert run.exit_code == 1 and run.exception is None
    findings = [f for f in json.loads(run.stdout)["findings"] if f["check"] == "code examples"]
    assert len(findings) == 1 and findings[0]["severity"] == "error", findings
    message = findings[0]["message"]
    assert "code 'Listening'" in message and BAD_EXAMPLES[examples] in message, message
    assert EXAMPLES_REPAIR in message
    assert digest(project) == before

    repaired = run_cli(["codebook", "edit", str(project), "Listening", "--example",
                        "I felt heard."])
    assert repaired.exit_code == 0, repaired.stderr
    assert run_cli(["check", str(project)]).exit_code == 0


def test_sound_examples_read_as_stored_and_pass_check(tmp_path: Path) -> None:
    project = make_project(tmp_path / "study.qualcode")
    stored = ["[laughs] yes", "", "ünïcode \U0001F634"]
    damage(project, json.dumps(stored))
    with Store.open(project) as store:
        listening = next(c for c in store.codebook() if c.name == "Listening")
    assert listening.examples == tuple(stored)
    assert examples_problem(json.dumps(stored)) is None and examples_problem("[]") is None
    assert run_cli(["check", str(project)]).exit_code == 0


def test_what_a_bad_value_reads_as() -> None:
    """A list keeps its texts (odd items as their JSON), a lone text is one, others none."""
    assert decode_examples('[1, "x", null, {"y": 2}]') == ("1", "x", '{"y": 2}')
    assert decode_examples('"one text"') == ("one text",)
    for unreadable in ("not json", "[", '{"a": 1}', "42", "null", None, b"[]"):
        assert decode_examples(unreadable) == ()
