"""Project locations on a server: ``postgresql://[user[:password]@]host[:port]/db?project=NAME``.

A project on PostgreSQL is one schema of a database, so one database holds several
projects; ``project`` (default ``qualcode``) names the schema and is qualcode's only
parameter: it is taken out and the rest of the URL goes to libpq as written, so libpq's
conventions hold (``PG*`` variables, ``~/.pgpass``, ``sslmode=...``, ``host=/socket/dir``).
A password may be written in the URL, but :func:`mask_password` removes it from every
message; ``.pgpass`` or ``PGPASSWORD`` keep it out of shell history too.

>>> split_project_url("postgresql://ann:secret@db.example.org/review?project=study1&sslmode=require")
('postgresql://ann:secret@db.example.org/review?sslmode=require', 'study1')
>>> mask_password("could not connect to postgresql://ann:secret@db.example.org/review")
'could not connect to postgresql://ann:***@db.example.org/review'
>>> mask_password("host=/tmp user=ann password=secret dbname=x")
'host=/tmp user=ann password=*** dbname=x'
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PosixPath
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from qualcode.errors import StoreError

SCHEMES = ("postgresql://", "postgres://")
DEFAULT_PROJECT = "qualcode"
_PROJECT_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_HOST_NEXT = r"[\w.\-\[\]:%,]*(?:[/?#\s\"']|$)"
"""What follows the @ that ends a URL's password: a host (maybe empty, maybe with a port),
then the path, the query, a space or a quote. A password typed with an @ in it has one
that is not followed so (``p@ss@db/x``: ``ss@`` is no host), and one in the query
(``?application_name=qc@lab``) comes after the first that is."""
# One slash or more: a URL that went through a path lost one.
# The password never holds a query ("?key="): db:5432/x?user=ann@corp has none.
_URL_PASSWORD = re.compile(r"(postgres(?:ql)?:/+[^:/@\s]*:)((?:(?!\?[^\s#@]*=)\S)*?)(@)"
                           rf"(?={_HOST_NEXT})", re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&\s]*)", re.IGNORECASE)


def server_url(project: str | Path) -> str | None:
    """Return the URL when ``project`` names a server project, else None (a file).

    A URL that went through :class:`pathlib.Path` (click's PROJECT argument) lost one
    slash of its ``//``; it is given back.
    """
    text = str(project)
    note_password(text)
    for scheme in SCHEMES:
        single = scheme[:-1]
        if text.startswith(scheme):
            return text
        if text.startswith(single):
            return scheme + text[len(single):]
    return None


def split_project_url(url: str) -> tuple[str, str]:
    """Split a project URL into (libpq URL, project name), checking the name."""
    note_password(url)
    try:
        parts = urlsplit(url)
    except ValueError as error:  # e.g. an unclosed [ of an IPv6 host
        raise StoreError(f"is not a valid server URL ({error}); write it as "
                         "postgresql://USER@HOST/DATABASE?project=NAME",
                         path=mask_password(url)) from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [value for key, value in query if key == "project"]
    rest = [(key, value) for key, value in query if key != "project"]
    name = names[-1] if names else DEFAULT_PROJECT
    if not _PROJECT_NAME.fullmatch(name):
        raise StoreError(f"project name {name!r} in the URL must be lower-case letters, digits "
                         "and _ (up to 63, not starting with a digit), e.g. ?project=study1",
                         path=mask_password(url))
    query_text = urlencode(rest)
    # Not urlunsplit: it drops the empty host of postgresql:///db (libpq then takes PGHOST).
    libpq_url = f"{parts.scheme}://{parts.netloc}{parts.path}" + (
        f"?{query_text}" if query_text else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return libpq_url, name


def with_project(url: str, name: str) -> str:
    """Return ``url`` naming project ``name`` instead (same server, database and login).

    >>> with_project("postgresql://ann@db/review?project=study1&sslmode=require", "study2")
    'postgresql://ann@db/review?sslmode=require&project=study2'
    """
    libpq_url, _ = split_project_url(url)
    base, hash_mark, fragment = libpq_url.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}project={name}"
    split_project_url(joined)  # checks the name
    return joined + hash_mark + fragment


_FULL_URLS: dict[str, str] = {}
"""Server URLs given in this process, by their masked form (the password stays in memory)."""
INHERITED = "QUALCODE_SERVER_URLS"
"""Environment variable that hands the remembered URLs to child processes (the coding
screen's suggester runs in one): a child's environment, unlike its command line, is not
readable by other users."""


def remember(url: str) -> str:
    """Keep ``url`` for this process and its children; return the masked form to show."""
    masked = mask_password(url)
    if masked != url:
        _FULL_URLS[masked] = url
        os.environ[INHERITED] = json.dumps(_FULL_URLS)
    return masked


def recall(url: str) -> str:
    """Return the full URL remembered (here or by a parent process) for a masked one."""
    if url in _FULL_URLS:
        return _FULL_URLS[url]
    try:
        inherited = json.loads(os.environ.get(INHERITED, "{}"))
    except ValueError:
        return url
    found = inherited.get(url) if isinstance(inherited, dict) else None
    return found if isinstance(found, str) else url


class ServerPath(PosixPath):
    """A server project where a file path is expected: prints as its URL, password masked.

    The layers above storage name a project by a path (messages, the TUI's title, a
    reopen by ``Store.open(store.path)``); for a server project that path is this.

    >>> path = ServerPath("postgresql://ann:pw@db/review?project=study1")
    >>> str(path), path.name
    ('postgresql://ann:***@db/review?project=study1', 'study1')
    """

    _url: str | None = None
    """The URL as given: a path would fold ``postgresql:///db`` (no host) into ``:/db``."""

    def __new__(cls, url: str | Path) -> ServerPath:
        made = super().__new__(cls, url)
        made._url = server_url(url)
        return made

    def __str__(self) -> str:
        return mask_password(self._url or server_url(super().__str__()) or super().__str__())

    def __repr__(self) -> str:
        return f"ServerPath({str(self)!r})"

    @property
    def name(self) -> str:
        """The project's name (its schema)."""
        return split_project_url(str(self))[1]

    @property
    def stem(self) -> str:
        """The project's name, as a file's stem would be."""
        return self.name


_PASSWORDS: set[str] = set()
"""Passwords seen in this process's URLs: masked wherever they show, even outside a URL."""
_SHORTEST_PIECE = 3
"""A piece of a password shorter than this is not masked on its own (it would garble words)."""


def note_password(url: str) -> None:
    """Remember the password written in ``url``, so :func:`mask_password` hides it anywhere.

    libpq quotes parts of a URL it cannot read ("invalid percent-encoded token: ..."), and
    a password typed with ``@``, ``/``, ``?`` or ``#`` in it is split by the URL's grammar,
    so a message may show the password, or a piece of it, where no pattern of a URL can
    find it. The password is the text between the user name's ``:`` and the first ``@``
    a host follows (``_HOST_NEXT``); it is kept as typed, decoded, and in the pieces
    those characters cut it into. A piece that is also the URL's user, host, database or
    project name is not kept: the URL shows those anyway, and masking them would blank
    ordinary words of a message.

    >>> note_password("postgresql://ann:fish@chips@db/review")
    >>> mask_password('could not translate host name "chips@db" to address')
    'could not translate host name "***@db" to address'
    """
    match = re.match(r"postgres(?:ql)?:/+(.*)", url, re.IGNORECASE | re.DOTALL)
    after_scheme = match.group(1) if match else ""
    end = re.search(rf"@(?={_HOST_NEXT})", after_scheme)
    if end is None:
        return
    user_info, place = after_scheme[:end.start()], after_scheme[end.start() + 1:]
    user, colon, typed = user_info.partition(":")
    if not colon or "@" in user or re.search(r"\?[^#]*=", user_info):
        return  # no password; or "db:5432/x?user=ann@corp": the @ is in the query
    found = {typed, unquote(typed)} | set(re.split(r"[@/?#&=:]", typed))
    shown = {user, *re.split(r"[:/?&=#@]", place)}
    _PASSWORDS.update(found - shown - {""})


def mask_password(text: str) -> str:
    """Return ``text`` with any password in a URL or libpq keyword string replaced by ***.

    Passwords noted from this process's URLs (:func:`note_password`) are masked wherever
    they appear, longest first, each only where no letter or digit adjoins it.
    """
    text = _URL_PASSWORD.sub(r"\1***\3", text)
    text = _QUERY_PASSWORD.sub(r"\1***", text)
    text = _KEYWORD_PASSWORD.sub(r"\1***", text)
    for password in sorted(_PASSWORDS, key=len, reverse=True):
        if len(password) >= _SHORTEST_PIECE and password != "***":
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(password)}(?![A-Za-z0-9])", "***",
                          text)
    return text
