"""The grants the README gives a coder are exactly enough to code on a server project.

The ```sql block of the README's "Working as a team on a server" is run as written
(project and role names as shown), connected as the lead (a login with CREATEROLE, as
the README makes it), on the session's throwaway server; a role holding
those grants then imports codings, marks work done, undoes and reads agreement, while a
role without them is refused in one line, naming no password.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.store_engines import drop_project
from qualcode.cli import main

ROOT = Path(__file__).resolve().parents[1]


def readme_grants() -> list[str]:
    """The SQL statements of the README's server section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Working as a team on a server", 1)[1].split("\n### ", 1)[0]
    (block,) = re.findall(r"```sql\n(.*?)```", section, re.S)
    return [statement.strip() for statement in block.split(";") if statement.strip()]


def as_role(url: str, role: str, project: str) -> str:
    """The throwaway server's URL, connecting as ``role`` to ``project``."""
    with_role = re.sub(r"^postgresql://[^@/]*@", f"postgresql://{role}@", url)
    return f"{with_role}{'&' if '?' in with_role else '?'}project={project}"


def cli(*args: object) -> tuple[int, str]:
    done = CliRunner().invoke(main, [str(a) for a in args])
    return done.exit_code, done.output


PROJECT = "grants_balint"
"""The project's schema here (the README's ``balint`` may exist: the README run makes it)."""


@pytest.fixture
def lead_project(pg_server_url: str) -> str:
    """The project's URL as the README's ``lead``: a login that may create roles and
    create projects in the database (README: ``createuser --createrole lead`` and a
    database it owns; here CREATE on the test database stands in for owning it)."""
    import psycopg

    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute("CREATE ROLE lead LOGIN CREATEROLE")
        database = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(f'GRANT CREATE ON DATABASE "{database}" TO lead')
    yield as_role(pg_server_url, "lead", PROJECT)
    drop_project(pg_server_url, PROJECT)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        for role in ("alice", "mallory", "lead"):
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(f"DROP OWNED BY {role}")  # its grants, then the role
                conn.execute(f"DROP ROLE {role}")


def test_a_coder_with_the_readme_grants_codes_and_one_without_is_refused(
        pg_server_url: str, lead_project: str) -> None:
    import psycopg

    for args in (("init", lead_project),
                 ("codebook", "import", lead_project, ROOT / "codebooks/balint.yaml"),
                 ("import", lead_project, ROOT / "corpora/balint_metasynthesis.csv")):
        status, output = cli(*args)
        assert status == 0, output
    statements = [re.sub(r"\bbalint\b", PROJECT, s) for s in readme_grants()]
    assert statements[0].startswith("CREATE ROLE alice")
    from qualcode.storage.backends.urls import split_project_url

    lead_session = split_project_url(lead_project)[0]
    with psycopg.connect(lead_session, autocommit=True) as conn:
        for statement in statements:  # as the lead, as the README says
            conn.execute(statement)
        conn.execute("CREATE ROLE mallory LOGIN")
    alice = as_role(pg_server_url, "alice", PROJECT)
    status, output = cli("codings", "import", alice,
                         ROOT / "corpora/codings/metasynthesis_alice.csv", "--coder", "alice")
    assert status == 0, output
    for args in (("status", alice), ("undo", alice, "--coder", "alice"),
                 ("redo", alice, "--coder", "alice"), ("codebook", "show", alice)):
        status, output = cli(*args)
        assert status == 0, (args, output)
    mallory = as_role(pg_server_url, "mallory", PROJECT)
    status, output = cli("status", mallory)
    assert status == 1 and "Traceback" not in output, output
    assert len(output.strip().splitlines()) == 1, output
    assert "choose-one" not in output
