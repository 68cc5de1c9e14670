"""The ``qualcode`` command: a thin click group over the library.

Each command family lives in its own module and registers itself on :data:`main`.
Heavy libraries (Textual, spaCy, scikit-learn) are imported inside the commands
that need them, so ``qualcode --help`` stays instant.
"""

from __future__ import annotations

from qualcode.cli.base import main

# Importing a command module registers its commands on ``main``.
from qualcode.cli import project as _project  # noqa: F401,E402
from qualcode.cli import corpus as _corpus  # noqa: F401,E402
from qualcode.cli import codings as _codings  # noqa: F401,E402
from qualcode.cli import codebook as _codebook  # noqa: F401,E402
from qualcode.cli import code as _code  # noqa: F401,E402
from qualcode.cli import demo as _demo  # noqa: F401,E402
from qualcode.cli import history as _history  # noqa: F401,E402
from qualcode.cli import suggest as _suggest  # noqa: F401,E402
from qualcode.cli import discover as _discover  # noqa: F401,E402
from qualcode.cli import agreement as _agreement  # noqa: F401,E402
from qualcode.cli import adjudicate as _adjudicate  # noqa: F401,E402
from qualcode.cli import maintenance as _maintenance  # noqa: F401,E402
from qualcode.cli import export as _export  # noqa: F401,E402
from qualcode.cli import quote as _quote  # noqa: F401,E402
from qualcode.cli import refi as _refi, merge as _merge  # noqa: F401,E402

__all__ = ["main"]
