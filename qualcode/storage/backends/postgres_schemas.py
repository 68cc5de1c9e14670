"""Project schemas on a server as wholes: whether one is there, dropping one, replacing one.

``qualcode demo --force`` replaces a server project in one transaction: the new project
is built beside the old one, takes the old one's owner and grants, and the old schema is
dropped as the new one is renamed into its place (:func:`replace_project_schema`). A
schema that is not a qualcode project is never replaced.
"""

from __future__ import annotations

from typing import Any

from qualcode.errors import StoreError
from qualcode.storage.backends.postgres import (
    PROJECT_MARK,
    SCHEMA_MARK,
    application_name,
    open_session,
)
from qualcode.storage.backends.translate import to_pyformat
from qualcode.storage.backends.urls import mask_password, split_project_url

_GRANTEE = ("CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) "
            "END || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END")
_GRANTS_TO_CARRY = f"""
SELECT format('GRANT %%s ON SCHEMA %%I TO %%s', a.privilege_type, %(new)s::text, {_GRANTEE})
FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
WHERE n.nspname = %(old)s AND a.grantee <> n.nspowner
UNION ALL
SELECT format('GRANT %%s ON %%s %%I.%%I TO %%s', a.privilege_type,
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
              %(new)s::text, c.relname, {_GRANTEE})
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE n.nspname = %(old)s AND a.grantee <> c.relowner AND c.relkind IN ('r', 'p', 'v', 'S')
  AND EXISTS (SELECT 1 FROM pg_class b JOIN pg_namespace bn ON bn.oid = b.relnamespace
              WHERE bn.nspname = %(new)s AND b.relname = c.relname AND b.relkind = c.relkind)
UNION ALL
SELECT format('GRANT %%s (%%I) ON TABLE %%I.%%I TO %%s', a.privilege_type, att.attname,
              %(new)s::text, c.relname, {_GRANTEE})
FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(att.attacl) a
WHERE n.nspname = %(old)s AND NOT att.attisdropped AND c.relkind IN ('r', 'p', 'v')
  AND EXISTS (SELECT 1 FROM pg_attribute batt JOIN pg_class b ON b.oid = batt.attrelid
              JOIN pg_namespace bn ON bn.oid = b.relnamespace
              WHERE bn.nspname = %(new)s AND b.relname = c.relname
                AND batt.attname = att.attname AND NOT batt.attisdropped)
UNION ALL
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %%I IN SCHEMA %%I GRANT %%s ON %%s TO %%s',
              pg_get_userbyid(d.defaclrole), %(new)s::text, a.privilege_type,
              CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'
                   WHEN 'f' THEN 'FUNCTIONS' ELSE 'TYPES' END, {_GRANTEE})
FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL aclexplode(d.defaclacl) a
WHERE n.nspname = %(old)s AND d.defaclobjtype IN ('r', 'S', 'f', 'T')
  AND pg_has_role(d.defaclrole, 'MEMBER')
"""
"""The GRANT statements that give schema ``new`` and its tables, columns and sequences
what others were granted on schema ``old`` and on its tables, columns and sequences of
the same names (the owner's own rights come with ownership), and the schema's default
privileges (those for a role the one replacing is not a member of cannot be set again:
they are left out, the README says so)."""
_OWNERSHIP_TO_CARRY = """
SELECT format('ALTER SCHEMA %%I OWNER TO %%I', %(new)s::text, %(owner)s::text)
UNION ALL
SELECT format('ALTER %%s %%I.%%I OWNER TO %%I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END,
              %(new)s::text, c.relname, %(owner)s::text)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(new)s AND c.relkind IN ('r', 'p', 'v', 'S')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
UNION ALL
SELECT format('ALTER FUNCTION %%I.%%I(%%s) OWNER TO %%I', %(new)s::text, f.proname,
              pg_get_function_identity_arguments(f.oid), %(owner)s::text)
FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace WHERE n.nspname = %(new)s
UNION ALL
SELECT format('ALTER COLLATION %%I.%%I OWNER TO %%I', %(new)s::text, k.collname,
              %(owner)s::text)
FROM pg_collation k JOIN pg_namespace n ON n.oid = k.collnamespace WHERE n.nspname = %(new)s
"""
"""The statements that give schema ``new`` and what is in it to ``owner`` (a sequence of
an identity column follows its table)."""


def project_schema_exists(url: str) -> bool:
    """True when the server holds the schema the project URL names."""
    libpq_url, schema = split_project_url(url)
    with open_session(libpq_url, mask_password(url), schema) as session:
        return session.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                               [schema]).fetchone() is not None


def drop_project_schema(url: str) -> None:
    """Remove the project the URL names, and everything in it, from the server."""
    libpq_url, schema = split_project_url(url)
    with open_session(libpq_url, mask_password(url), schema) as session:
        session.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def replace_project_schema(built_url: str, url: str) -> None:
    """Put the project at ``built_url`` in the place of the one ``url`` names, atomically.

    One transaction gives the built schema the old one's grants (so coders keep their
    access) and owner, drops the old schema and renames the built one (DDL is
    transactional on PostgreSQL), so other sessions see the old project or the new one,
    never neither. A schema that is not a qualcode project, or one another session has
    open, is never dropped.
    """
    libpq_url, schema = split_project_url(url)
    built_libpq_url, built = split_project_url(built_url)
    if built_libpq_url != libpq_url:
        raise ValueError("a project replaces another only in the same database")
    with open_session(libpq_url, mask_password(url), schema) as session, session.transaction():
        refuse_unless_project(session, schema, mask_password(url))
        refuse_while_open(session, schema, mask_password(url))
        owner = session.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace "
                                "WHERE nspname = %s AND pg_get_userbyid(nspowner) <> "
                                "current_user", [schema]).fetchone()
        if owner is not None:  # replaced by another login: the project stays its owner's
            # First: grants made after it are the owner's, so one to the login replacing
            # it survives (a change of owner would hand that login's grants to the owner).
            for change in session.execute(_OWNERSHIP_TO_CARRY, {"new": built,
                                                                "owner": owner[0]}):
                session.execute(change[0])
        for grant in session.execute(_GRANTS_TO_CARRY, {"old": schema, "new": built}):
            session.execute(grant[0])
        session.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        session.execute(f'ALTER SCHEMA "{built}" RENAME TO "{schema}"')


def refuse_unless_project(session: Any, schema: str, location: str) -> None:
    """Raise StoreError when ``schema`` exists but is not marked as a qualcode project."""
    row = session.execute(to_pyformat(SCHEMA_MARK), [schema]).fetchone()
    if row is not None and row[0] != PROJECT_MARK:
        raise StoreError(f"schema {schema!r} on the server is not a qualcode project; "
                         "qualcode never replaces it: name another project (?project=NAME)",
                         path=location)


def refuse_while_open(session: Any, schema: str, location: str) -> None:
    """Raise StoreError while another qualcode session has project ``schema`` open.

    As on a file (``prepare_to_replace``): a project is never pulled from under a coder's
    feet. Sessions are told apart by their :func:`application_name`, which the server
    shows every login.
    """
    logins = [row[0] for row in session.execute(
        "SELECT usename FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = %s AND pid <> pg_backend_pid() ORDER BY usename",
        [application_name(schema)])]
    if logins:
        raise StoreError(f"is open in {len(logins)} other qualcode session(s) (login "
                         f"{', '.join(sorted(set(logins)))}); ask them to quit first, then "
                         "try again", path=location)


def check_replaceable(url: str) -> None:
    """Raise StoreError unless the schema ``url`` names is a project nobody has open, or
    is not there."""
    libpq_url, schema = split_project_url(url)
    with open_session(libpq_url, mask_password(url), schema) as session:
        refuse_unless_project(session, schema, mask_password(url))
        refuse_while_open(session, schema, mask_password(url))
