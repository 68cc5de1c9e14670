"""PostgreSQL failures a team meets, each said in one line with what to do (files: ../failures.py).

The driver's words are kept (with any password masked) and the cause is named from the
error's SQLSTATE class, so a coder knows whether to ask for grants, check the server or
just run the action again. Nothing of a failed action was saved: the server rolled its
transaction back.
"""

from __future__ import annotations

from qualcode.storage.backends.urls import mask_password

GRANTS = "ask the lead reviewer for the coder grants (README: 'Working as a team on a server')"
"""What a login short of the coder grants is told to do."""

# SQLSTATE (or its two-letter class) -> what it means for the user, and what to do.
_BY_STATE: dict[str, str] = {
    "42501": f"your login lacks a permission this action needs; {GRANTS}",
    "3F000": f"the project's schema cannot be used by your login (missing, or no USAGE on "
             f"it); {GRANTS}",
    "25006": "the project is open read-only on this server; nothing can be written",
    "57P01": "the server ended the connection (it was shut down or the session was "
             "terminated): run the action again, qualcode reconnects",
    "08": "the connection to the server was lost: run the action again, qualcode reconnects",
    "53": "the server is out of resources (disk, memory or connections): tell its "
          "administrator",
    "42P01": "a table of the project is missing on the server: run `qualcode check` on it, "
             "or copy it back from a backup",
}

# libpq's words when a connection cannot be made -> what to do (no SQLSTATE exists yet).
_BY_WORDS: tuple[tuple[str, str], ...] = (
    ("password authentication failed", "check the user name and password (PGPASSWORD or "
                                       "~/.pgpass; never put it in a shared URL)"),
    ("no password supplied", "give the password in PGPASSWORD or ~/.pgpass"),
    ("does not exist", "check the database (and user) name in the URL; the lead reviewer "
                       "creates the database"),
    ("connection refused", "the server is not running there, or not on that port: check "
                           "the host and port"),
    ("could not translate host name", "check the host name in the URL"),
    ("failed to resolve host", "check the host name in the URL"),
    ("timeout expired", "the server did not answer: check the host, the network and "
                        "any firewall"),
    ("no such file or directory", "no server listens on that socket: start the server, or "
                                  "give host= and port="),
    ("permission denied for database", "your login may not connect to it; ask the lead "
                                       "reviewer to GRANT CONNECT on the database"),
    ("server closed the connection", "the connection to the server was lost: run the "
                                     "action again, qualcode reconnects"),
)


def _words(error: BaseException) -> str:
    said = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return mask_password(said)


CREATE_NEEDED = ("creating a project, or a newer qualcode's first run on it, needs CREATE on "
                 "the database: ask the lead reviewer (or the server's administrator) to run "
                 "it, or to grant CREATE")
"""What a login told "permission denied for database" during an action is told to do."""


def _advice(error: BaseException, said: str, *, action: bool = False) -> str | None:
    if action and "permission denied for database" in said.lower():
        return CREATE_NEEDED  # CREATE SCHEMA (init, a migration); no coder grant gives it
    state = str(getattr(error, "sqlstate", None) or "")
    for key in (state, state[:2]):
        if key and key in _BY_STATE:
            return _BY_STATE[key]
    lowered = said.lower()
    for words, advice in _BY_WORDS:
        if words in lowered:
            return advice
    return None


def explain_action_failure(error: BaseException) -> str:
    """One line for a driver error during an action: the cause, the driver's words, no password."""
    said = _words(error)
    advice = _advice(error, said, action=True)
    if advice is None:
        return (f"the database server failed this action ({said}); nothing of it was "
                "saved: check the connection and try again")
    return (f"the database server failed this action ({said}); nothing of it was saved: "
            f"{advice}")


def explain_connect_failure(error: BaseException) -> str:
    """One line for a connection that could not be made, with what to check; no password."""
    said = _words(error)
    advice = _advice(error, said)
    return f"cannot connect: {said}" + (f"; {advice}" if advice else "")
