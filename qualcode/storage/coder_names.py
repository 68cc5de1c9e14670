"""Which existing coder a typed name most likely means, for "did you mean" in refusals.

A mistyped ``--coder alcie`` must not pass for a new coder: the commands that would create
one refuse an unknown name and suggest the closest existing one (see qualcode/cli/coders.py).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence

__all__ = ["closest_coder", "coders_list"]

CUTOFF = 0.6
"""difflib's similarity ratio from which a name counts as a likely typo of another."""


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def closest_coder(name: str, names: Sequence[str]) -> str | None:
    """Return the existing name ``name`` most likely means, or None when none is close.

    The same name in another case or width comes first, then difflib's closest match.

    >>> closest_coder("alcie", ["alice", "bob"])
    'alice'
    >>> closest_coder("ALICE", ["alice", "bob"])
    'alice'
    >>> closest_coder("dana", ["alice", "bob"]) is None
    True
    """
    folded = {_fold(n): n for n in names}
    key = _fold(name)
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=CUTOFF)
    return folded[close[0]] if close else None


def coders_list(names: Sequence[str], limit: int = 10) -> str:
    """Return 'alice, bob' (the first ``limit`` names, then how many more), or 'none yet'."""
    if not names:
        return "none yet"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
