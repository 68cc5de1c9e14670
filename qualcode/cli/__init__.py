"""The ``qualcode`` command: a thin click group over the library.

Each command family lives in its own module and registers itself on :data:`main`.
Heavy libraries (Textual, spaCy, scikit-learn) are imported inside the commands
that need them, so ``qualcode --help`` stays instant.
"""

from __future__ import annotations

# Importing a command module registers its commands on ``main``; the tuple below names them
# all, so the imports are visibly used.
from qualcode.cli import (
    adjudicate,
    agreement,
    code,
    codebook,
    codings,
    corpus,
    demo,
    discover,
    export,
    history,
    maintenance,
    merge,
    project,
    quote,
    refi,
    report,
    suggest,
)
from qualcode.cli.base import main

COMMAND_MODULES = (adjudicate, agreement, code, codebook, codings, corpus, demo, discover,
                   export, history, maintenance, merge, project, quote, refi, report, suggest)
"""The modules whose commands ``main`` holds."""

__all__ = ["main"]
