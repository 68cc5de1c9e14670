"""`qualcode copy` moves a whole project from a file to a server and back, losslessly.

The demo project (two coders, consensus after adjudication is not needed here: both
coder layers, done marks, memos, events) is copied SQLite -> PostgreSQL -> SQLite; every
table of the round trip equals the original row for row, and the three places export
identical codings, identical agreement JSON and an identical .qdpx (export time aside).
"""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.store_engines import drop_project
from qualcode.cli import main
from qualcode.errors import StoreError
from qualcode.storage.copy import schema_tables


def run(*args: object) -> str:
    done = CliRunner().invoke(main, [str(a) for a in args])
    assert done.exit_code == 0, (args, done.output)
    return done.output


def exports(project: str, folder: Path) -> tuple[str, str, str]:
    """Codings CSV, agreement JSON and project.qde (export timestamps masked, and the
    project's name, which an export takes from the file or schema name)."""
    codings = run("codings", "export", project)
    agreement = run("agreement", project, "--coders", "alice", "bob", "--format", "json")
    qdpx = folder / f"x{len(list(folder.iterdir()))}.qdpx"
    run("export", "qdpx", project, "-o", qdpx)
    with zipfile.ZipFile(qdpx) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    qde = re.sub(r'(creationDateTime|modifiedDateTime)="[^"]*"', "", qde)
    return codings, agreement, re.sub(r'<Project ([^>]*)name="[^"]*"', r"<Project \1", qde)


def table_rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                for table, _ in schema_tables()}
    finally:
        conn.close()


@pytest.fixture
def server_project(pg_server_url: str) -> str:
    name = "copy_round_trip"
    sep = "&" if "?" in pg_server_url else "?"
    yield f"{pg_server_url}{sep}project={name}"
    drop_project(pg_server_url, name)


def test_copy_to_a_server_and_back_is_lossless(tmp_path: Path, server_project: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[1])  # the demo reads corpora/
    original, back = tmp_path / "demo.qualcode", tmp_path / "back.qualcode"
    run("demo", original)
    said = run("copy", original, server_project)
    assert "Copied" in said and "events" in said
    assert "password" not in said.lower() or "***" in said
    run("copy", server_project, back)
    before, after = table_rows(original), table_rows(back)
    assert before == after
    assert sum(map(len, before.values())) > 900  # the demo: sources, units, codings, events
    folder = tmp_path / "exports"
    folder.mkdir()
    first, server, last = (exports(str(p), folder) for p in (original, server_project, back))
    assert first == server == last


def test_copy_refuses_an_existing_target_and_leaves_it(tmp_path: Path) -> None:
    source, target = tmp_path / "a.qualcode", tmp_path / "b.qualcode"
    run("init", source)
    run("init", target)
    done = CliRunner().invoke(main, ["copy", str(source), str(target)])
    assert done.exit_code == 1 and "already exists" in done.output
    assert "Traceback" not in done.output


def test_backup_of_a_server_project_is_a_project_file(tmp_path: Path, server_project: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    run("init", server_project)
    run("import", server_project, Path(__file__).resolve().parents[1]
        / "corpora" / "balint_survey.csv")
    out = tmp_path / "server-backup.qualcode"
    said = run("backup", server_project, "-o", out)
    assert "Backed up" in said
    assert "367 sources, 367 units" in run("status", out).replace("\n", "")


def test_a_copy_that_fails_leaves_no_target(tmp_path: Path, server_project: str) -> None:
    """A text PostgreSQL cannot hold (a NUL) stops the copy in one line; no schema is left."""
    from qualcode.model import SourceRecord
    from qualcode.storage import Store

    source = tmp_path / "nul.qualcode"
    with Store.create(source) as store:
        store.import_sources([SourceRecord("r1", "fine"), SourceRecord("r2", "a\x00b")])
    done = CliRunner().invoke(main, ["copy", str(source), server_project])
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert len(done.output.strip().splitlines()) == 1, done.output
    again = CliRunner().invoke(main, ["status", server_project])
    assert again.exit_code == 1 and "qualcode init" in again.output


def _schemas(base_url: str) -> set[str]:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT nspname FROM pg_namespace")}


def _with_codes(location: Path | str, *names: str) -> None:
    from qualcode.storage import Store

    opener = Store.open if not isinstance(location, Path) or location.exists() else Store.create
    with opener(location) as store:
        for name in names:
            store.add_code(name)


def _code_names(location: str) -> set[str]:
    from qualcode.storage import Store

    with Store.open(location) as store:
        return {code.name for _, code in store.codebook().walk()}


def test_replacing_a_server_project_is_all_or_nothing(
        tmp_path: Path, server_project: str, pg_server_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """copy_replacing: a copy that fails (a NUL text), or a swap that fails, leaves the old
    project as it was and no half-built project behind; so does one refused while a coder
    has the project open (as on a file); one that succeeds swaps it whole."""
    from qualcode.model import SourceRecord
    from qualcode.storage import Store
    from qualcode.storage import copy as copying
    from qualcode.storage.backends import postgres_schemas as schemas

    run("init", server_project)
    _with_codes(server_project, "Old code")
    before = _schemas(pg_server_url)
    broken = tmp_path / "nul.qualcode"
    with Store.create(broken) as store:
        store.import_sources([SourceRecord("r1", "a\x00b")])
    with Store.open(broken) as source, pytest.raises(Exception, match="NUL"):
        copying.copy_replacing(source, server_project)
    assert _code_names(server_project) == {"Old code"} and _schemas(pg_server_url) == before

    fresh = tmp_path / "fresh.qualcode"
    _with_codes(fresh, "New code")

    def swap_fails(built: str, url: str) -> None:
        raise RuntimeError("the server went away during the swap")

    with monkeypatch.context() as patch:
        patch.setattr(schemas, "replace_project_schema", swap_fails)
        with Store.open(fresh) as source, pytest.raises(RuntimeError, match="went away"):
            copying.copy_replacing(source, server_project)
    assert _code_names(server_project) == {"Old code"} and _schemas(pg_server_url) == before

    with Store.open(server_project) as coder:  # a coder has it open: never pulled away
        with Store.open(fresh) as source, pytest.raises(StoreError, match="ask them to quit"):
            copying.copy_replacing(source, server_project)
        assert {code.name for _, code in coder.codebook().walk()} == {"Old code"}
    with Store.open(fresh) as source:  # the coder quit
        copying.copy_replacing(source, server_project)
    assert _code_names(server_project) == {"New code"} and _schemas(pg_server_url) == before


def test_replacing_never_drops_a_schema_that_is_not_a_project(
        tmp_path: Path, pg_server_url: str) -> None:
    """``demo --force`` aimed at a schema of someone else's (``?project=payroll``, or
    ``public``) is one line and drops nothing: checked before the build, and again inside
    the swap's transaction (copy_replacing on its own)."""
    import psycopg

    from qualcode.storage import Store
    from qualcode.storage import copy as copying
    from qualcode.storage.backends.urls import with_project

    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute("CREATE SCHEMA payroll")
        admin.execute("CREATE TABLE payroll.salaries (amount int)")
        admin.execute("INSERT INTO payroll.salaries VALUES (42)")
    try:
        before = _schemas(pg_server_url)
        fresh = tmp_path / "fresh.qualcode"
        _with_codes(fresh, "New code")
        for name in ("payroll", "public"):
            done = CliRunner().invoke(main, ["demo", with_project(pg_server_url, name),
                                             "--force", "--data", str(Path(__file__).parents[1])])
            assert done.exit_code == 1 and done.output.count("\n") == 1, done.output
            assert "not a qualcode project" in done.output, done.output
        with Store.open(fresh) as source, pytest.raises(Exception, match="never replaces"):
            copying.copy_replacing(source, with_project(pg_server_url, "payroll"))
        assert _schemas(pg_server_url) == before
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            assert admin.execute("SELECT amount FROM payroll.salaries").fetchall() == [(42,)]
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute("DROP SCHEMA IF EXISTS payroll CASCADE")


def test_replacing_a_project_keeps_what_the_lead_granted_the_coders(
        tmp_path: Path, server_project: str, pg_server_url: str) -> None:
    """The project's owner and the coders it granted keep their access when another login
    (here the server's superuser) replaces it: the owner, the grants on the schema, its
    tables, columns and sequences, and its default privileges move to the new schema in
    the swap. The owner then replaces it again itself: a default privilege someone set for
    a role the owner is not a member of cannot be set again, and is left out (README).
    Last, a deputy (a member of the owner) replaces it: the grant made to the deputy stays
    the deputy's (ownership is handed back before the grants are carried)."""
    import psycopg

    from qualcode.storage import Store
    from qualcode.storage import copy as copying
    from qualcode.storage.backends.urls import split_project_url

    schema = split_project_url(server_project)[1]

    def as_role(role: str) -> str:
        return re.sub(r"^postgresql://[^@/]*@", f"postgresql://{role}@", server_project)

    roles = ("keeper", "peeker", "stranger", "deputy", "projectlead")
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        database = admin.execute("SELECT current_database()").fetchone()[0]
        for role in roles:
            admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f'GRANT CREATE ON DATABASE "{database}" TO projectlead')
    try:
        run("init", as_role("projectlead"))
        with psycopg.connect(split_project_url(as_role("projectlead"))[0],
                             autocommit=True) as lead:
            for statement in (
                    f"GRANT USAGE ON SCHEMA {schema} TO keeper, peeker",
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} "
                    "TO keeper",
                    f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO keeper",
                    f"GRANT SELECT (id) ON {schema}.sources TO peeker",
                    f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES "
                    "TO keeper"):
                lead.execute(statement)
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE stranger IN SCHEMA {schema} "
                          "GRANT SELECT ON TABLES TO peeker")
        fresh = tmp_path / "fresh.qualcode"
        _with_codes(fresh, "New code")
        with Store.open(fresh) as source:
            copying.copy_replacing(source, server_project)  # by the superuser

        def state() -> tuple[str, bool, list[str]]:
            with psycopg.connect(pg_server_url, autocommit=True) as admin:
                owner = admin.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace "
                                      "WHERE nspname = %s", [schema]).fetchone()[0]
                column = admin.execute("SELECT has_column_privilege('peeker', %s, 'id', "
                                       "'SELECT')", [f"{schema}.sources"]).fetchone()[0]
                defaults = admin.execute(
                    "SELECT pg_get_userbyid(d.defaclrole) FROM pg_default_acl d JOIN "
                    "pg_namespace n ON n.oid = d.defaclnamespace WHERE n.nspname = %s "
                    "ORDER BY 1", [schema]).fetchall()
            return owner, column, [row[0] for row in defaults]

        assert state() == ("projectlead", True, ["projectlead", "stranger"])
        with Store.open(as_role("keeper")) as store:
            store.add_code("Coded by the keeper after the swap")
        with Store.open(as_role("projectlead")) as store:
            store.add_code("Coded by the owner after the swap")
        assert len(_code_names(server_project)) == 3

        with Store.open(as_role("keeper")), Store.open(fresh) as source, pytest.raises(
                StoreError, match=r"1 other qualcode session\(s\) \(login keeper\)"):
            copying.copy_replacing(source, as_role("projectlead"))  # the coder is in it
        with Store.open(fresh) as source:  # by the owner, not a member of stranger
            copying.copy_replacing(source, as_role("projectlead"))
        assert state() == ("projectlead", True, ["projectlead"])
        with Store.open(as_role("keeper")) as store:
            store.add_code("Coded by the keeper after the second swap")

        with psycopg.connect(pg_server_url, autocommit=True) as admin:  # a deputy lead
            admin.execute("GRANT projectlead TO deputy")
            admin.execute(f'GRANT CREATE ON DATABASE "{database}" TO deputy')
            admin.execute(f"GRANT USAGE ON SCHEMA {schema} TO deputy")
        with Store.open(fresh) as source:  # by a member of the owner: the grant to it stays
            copying.copy_replacing(source, as_role("deputy"))
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            acl = admin.execute("SELECT nspacl::text FROM pg_namespace WHERE nspname = %s",
                                [schema]).fetchone()[0]
        assert state()[0] == "projectlead" and "deputy=U" in acl and "keeper=U" in acl, acl
    finally:
        drop_project(pg_server_url, schema)
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            for role in roles:
                admin.execute(f"DROP OWNED BY {role}")
                admin.execute(f"DROP ROLE {role}")
