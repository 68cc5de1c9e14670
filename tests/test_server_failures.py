"""Failures a team meets on a server, each one line naming what to do, never a password.

Run against the session's real throwaway server: a wrong password (a login the test
makes, which must authenticate with SCRAM on the socket), a database that does not
exist, a host name that does not resolve, no server listening, a project name not on the
server, and a login without the coder grants (README: "Working as a team on a server").
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from click.testing import CliRunner

from helpers.store_engines import drop_project
from qualcode.cli import main
from qualcode.model import SourceRecord
from qualcode.storage import Store

_names = itertools.count()
SECRET = "hunter2-secret"
RIGHT = "the-right-one"
LOGIN = "pwcoder"


@pytest.fixture
def server(pg_server_url: str) -> Iterator[str]:
    """A project with one source and one code on the session's server."""
    name = f"fail{os.getpid()}_{next(_names)}"
    url = f"{pg_server_url}{'&' if '?' in pg_server_url else '?'}project={name}"
    with Store.create(url) as store:
        store.import_sources([SourceRecord("s1", "0123456789 and more")])
        store.add_code("Theme")
    yield url
    drop_project(pg_server_url, name)


@pytest.fixture
def password_login(pg_server_url: str, server: str) -> Iterator[str]:
    """``server``'s URL as a login that must give its password (SCRAM on the socket)."""
    data = Path(parse_qs(urlsplit(pg_server_url).query)["host"][0]) / "data"
    rules = data / "pg_hba.conf"
    before = rules.read_text(encoding="utf-8")
    rules.write_text(f"local all {LOGIN} scram-sha-256\n{before}", encoding="utf-8")
    schema = parse_qs(urlsplit(server).query)["project"][0]
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {LOGIN} LOGIN PASSWORD '{RIGHT}'")
        admin.execute(f"GRANT USAGE ON SCHEMA {schema} TO {LOGIN}")
        admin.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} "
                      f"TO {LOGIN}")
        admin.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {LOGIN}")
        admin.execute("SELECT pg_reload_conf()")
    yield re.sub(r"^postgresql://[^@/]*@", f"postgresql://{LOGIN}@", server)
    rules.write_text(before, encoding="utf-8")
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute("SELECT pg_reload_conf()")
        admin.execute(f"DROP OWNED BY {LOGIN}")
        admin.execute(f"DROP ROLE {LOGIN}")


def one_line(args: list[str], env: dict[str, str] | None = None) -> str:
    """The single ``Error:`` line a failing command prints (exit 1, no traceback)."""
    result = CliRunner(env={"PGPASSWORD": None, **(env or {})}).invoke(main, args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    assert "Traceback" not in result.output and SECRET not in result.output
    return lines[0]


def with_password(url: str, password: str = SECRET) -> str:
    return re.sub(r"^postgresql://([^@/:]*)@", rf"postgresql://\1:{password}@", url)


def test_a_wrong_password_says_check_it_and_never_prints_it(password_login: str) -> None:
    for url, env in ((with_password(password_login), None),
                     (password_login, {"PGPASSWORD": SECRET})):
        line = one_line(["status", url], env)
        assert "password authentication failed" in line, line
        assert "check the user name and password" in line
    line = one_line(["status", password_login])  # none given at all
    assert "PGPASSWORD or ~/.pgpass" in line, line
    done = CliRunner(env={"PGPASSWORD": RIGHT}).invoke(main, ["status", password_login])
    assert done.exit_code == 0, done.output  # the right one opens it


def test_the_password_may_come_from_a_pgpass_file(password_login: str,
                                                  tmp_path: Path) -> None:
    """libpq's password file (here named by PGPASSFILE, by default ~/.pgpass) is read."""
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:*:*:{LOGIN}:{RIGHT}\n", encoding="utf-8")
    passfile.chmod(0o600)  # libpq ignores a password file others can read
    done = CliRunner(env={"PGPASSWORD": None, "PGPASSFILE": str(passfile)}).invoke(
        main, ["status", password_login])
    assert done.exit_code == 0, done.output


def test_a_missing_database_names_the_fix(server: str) -> None:
    missing = re.sub(r"/qualcode_test\b", "/no_such_db", server)
    line = one_line(["status", with_password(missing)])
    assert "no_such_db" in line and "check the database" in line, line


def test_an_unknown_host_or_no_server_is_one_line_saying_what_to_check(
        server: str, tmp_path: Path) -> None:
    unknown = "postgresql://ann@no-such-host.invalid/review?project=balint"
    line = one_line(["status", with_password(unknown)])
    assert "check the host name" in line, line
    nobody = re.sub(r"host=[^&]+", f"host={tmp_path}", server)
    line = one_line(["status", with_password(nobody)])
    assert "cannot connect" in line and "no server listens" in line, line
    refused = "postgresql://ann@127.0.0.1:1/review?project=balint"
    line = one_line(["status", with_password(refused)])
    assert "not running there" in line, line


def test_a_project_not_on_the_server_names_qualcode_init(server: str) -> None:
    line = one_line(["status", re.sub(r"project=\w+", "project=nothing_here", server)])
    assert "qualcode init" in line


def test_a_login_without_the_coder_grants_is_told_whom_to_ask(
        pg_server_url: str, server: str) -> None:
    """A login with no grant on the project, then one that may only read: one line each,
    naming the lead reviewer's grants; nothing is written."""
    schema = parse_qs(urlsplit(server).query)["project"][0]
    narrow = re.sub(r"^postgresql://[^@/]*@", "postgresql://narrow@", server)
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute("CREATE ROLE narrow LOGIN")
    try:
        line = one_line(["status", narrow])
        assert "no USAGE on its schema" in line and "coder grants" in line, line
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute(f"GRANT USAGE ON SCHEMA {schema} TO narrow")
            admin.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO narrow")
        assert CliRunner().invoke(main, ["status", narrow]).exit_code == 0  # reading works
        line = one_line(["codebook", "add", narrow, "Another"])
        assert "lacks a permission" in line and "coder grants" in line, line
        with Store.open(server) as store:
            assert [code.name for _, code in store.codebook().walk()] == ["Theme"]
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute("DROP OWNED BY narrow")
            admin.execute("DROP ROLE narrow")


@pytest.mark.parametrize(("driver_said", "advice"), [
    ('connection to server on socket "/tmp/.s.PGSQL.5432" failed: FATAL:  password '
     'authentication failed for user "ann"', "check the user name and password"),
    ('connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused',
     "not running there"),
    ('connection to server at "db" (10.0.0.5), port 5432 failed: timeout expired',
     "check the host, the network"),
    ('connection to server at "db" (10.0.0.5), port 5432 failed: FATAL:  permission denied '
     'for database "review"', "ask the lead reviewer"),
])
def test_what_a_remote_server_says_gets_its_advice(driver_said: str, advice: str) -> None:
    """Refusals only a remote server gives (a timeout, no CONNECT) keep the password masked."""
    from qualcode.storage.backends.server_failures import explain_connect_failure

    echoed = f"{driver_said} (postgresql://ann:{SECRET}@db/reviews)"  # a URL echoed back
    line = explain_connect_failure(psycopg.OperationalError(echoed))
    assert line.startswith("cannot connect: ") and advice in line and "\n" not in line
    assert SECRET not in line


def test_libpq_environment_variables_fill_what_the_url_leaves_out(server: str) -> None:
    """PGHOST and PGUSER (libpq's conventions) stand in for the URL's host and user."""
    parts = urlsplit(server)
    query = parse_qs(parts.query)
    bare = f"postgresql:///{parts.path.lstrip('/')}?project={query['project'][0]}"
    env = {"PGHOST": query["host"][0], "PGUSER": parts.username or "postgres"}
    done = CliRunner(env=env).invoke(main, ["status", bare])
    assert done.exit_code == 0 and "1 sources" in " ".join(done.output.split()), done.output


def test_a_password_in_the_url_is_never_printed_logged_or_stored(
        password_login: str, pg_server_url: str, tmp_path: Path) -> None:
    """A coder who types the password into the URL: every output, the event log on the
    server, and the files copied or backed up from it hold it nowhere."""
    url = with_password(password_login, RIGHT)
    printed = []
    for args in (["codebook", "add", url, "Listening"], ["status", url],
                 ["log", url, "--format", "jsonl"], ["copy", url, tmp_path / "copy.qualcode"],
                 ["backup", url, "-o", tmp_path / "backup.qualcode"],
                 ["check", url, "--format", "json"]):
        done = CliRunner(env={"PGPASSWORD": None}).invoke(main, [str(a) for a in args])
        assert done.exit_code == 0, (args, done.output)
        printed.append(done.output)
    assert "***" in "".join(printed) and RIGHT not in "".join(printed)
    schema = parse_qs(urlsplit(password_login).query)["project"][0]
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        tables = [row[0] for row in admin.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema])]
        stored = {table: admin.execute(f"SELECT coalesce(string_agg(t::text, ' '), '') "
                                       f"FROM {schema}.{table} t").fetchone()[0]
                  for table in tables}
    assert "code.add" in stored["events"]  # the coder's action is in the log
    assert not [table for table, rows in stored.items() if RIGHT in rows]
    for file in ("copy.qualcode", "backup.qualcode"):
        assert RIGHT.encode() not in (tmp_path / file).read_bytes()


@pytest.mark.parametrize("password", ["pa%zzword-x", "pass word-x", "p@ss@word-x",
                                      "pa/ss:word-x", "pa'ss\"word-x", "tr0ub?Adour99",
                                      "pa#ss&word=x"])
def test_an_awkward_password_in_the_url_is_never_printed(
        password_login: str, tmp_path: Path, password: str) -> None:
    """A password with characters a URL must escape (%, a space, @, /, quotes), typed as
    is: whatever libpq or qualcode says about it (a malformed URL, a failed login, a
    merge from it), the password itself never shows, raw or decoded."""
    url = with_password(password_login, password)
    with Store.create(tmp_path / "a.qualcode"):
        pass
    for args in (["status", url], ["merge", str(tmp_path / "a.qualcode"), url],
                 ["copy", url, str(tmp_path / "b.qualcode")]):
        done = CliRunner(env={"PGPASSWORD": None}).invoke(main, args)
        assert done.exit_code != 0, done.output
        assert "Traceback" not in done.output, done.output
        for secret in (password, password.replace(" ", "%20")):
            assert secret not in done.output, (args, done.output)
        for piece in re.split(r"[%@ /:'\"?#&=]", password):
            if len(piece) > 2:
                assert piece not in done.output, (args, done.output)


def test_a_coder_who_tries_to_create_a_project_is_told_it_needs_create(
        pg_server_url: str, server: str) -> None:
    """``qualcode init`` by a login with only the coder grants: the server refuses CREATE
    SCHEMA; the line says creating a project needs CREATE on the database (the coder
    grants would not help), and no schema is left."""
    creator = re.sub(r"^postgresql://[^@/]*@", "postgresql://creator@", server)
    creator = re.sub(r"project=\w+", "project=coder_made", creator)
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute("CREATE ROLE creator LOGIN")
    try:
        line = one_line(["init", creator])
        assert "needs CREATE on the database" in line and "coder grants" not in line, line
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            assert admin.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'coder_made'"
                                 ).fetchone() is None
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute("DROP OWNED BY creator")
            admin.execute("DROP ROLE creator")


def test_click_s_own_errors_mask_a_password_they_quote() -> None:
    """A URL typed where click expected nothing (an extra argument, an unknown command)
    is quoted by click's usage error: masked too."""
    url = f"postgresql://ann:{SECRET}@db/review?project=p1"
    for args in (["status", "a.qualcode", url], [url]):
        done = CliRunner().invoke(main, args)
        assert done.exit_code == 2 and "ann:***@db" in done.output, done.output
        assert SECRET not in done.output
