"""Which existing coder a typed name most likely means, for "did you mean" in refusals.

A mistyped ``--coder alcie`` must not pass for a new coder: the commands that would create
one refuse an unknown name and suggest the closest existing one (see qualcode/cli/coders.py).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence

__all__ = ["closest_coder", "coders_list"]

CUTOFF = 0.6
"""difflib's similarity ratio from which a name counts as a likely typo of another."""


_SERIES = re.compile(r"^(.*?)(\d+|(?<=[\s_.\-])[^\W\d_])$")
"""A name's numbering at its end: digits (coder2, R10) or one letter after a separator
(rater B, coder_a)."""


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _series(folded: str) -> tuple[str, str]:
    """Split a folded name into its stem and its number or letter ('' when it has none)."""
    match = _SERIES.match(folded)
    return (match[1], match[2]) if match else (folded, "")


def _siblings(a: str, b: str) -> bool:
    """True for two members of one numbered series (Annotator1 and Annotator2, rater A
    and rater B): teams name coders so, and one is not a typo of the other."""
    (stem_a, mark_a), (stem_b, mark_b) = _series(a), _series(b)
    return stem_a == stem_b and mark_a != mark_b


def closest_coder(name: str, names: Sequence[str]) -> str | None:
    """Return the existing name ``name`` most likely means, or None when none is close.

    The same name in another case or width comes first, then difflib's closest match
    among the names that are not its siblings in a numbered series.

    >>> closest_coder("alcie", ["alice", "bob"])
    'alice'
    >>> closest_coder("ALICE", ["alice", "bob"])
    'alice'
    >>> closest_coder("dana", ["alice", "bob"]) is None
    True
    >>> closest_coder("Annotator2", ["Annotator1"]) is None
    True
    """
    folded = {_fold(n): n for n in names}
    key = _fold(name)
    if key in folded:
        return folded[key]
    others = [f for f in folded if not _siblings(key, f)]
    close = difflib.get_close_matches(key, others, n=1, cutoff=CUTOFF)
    return folded[close[0]] if close else None


def coders_list(names: Sequence[str], limit: int = 10) -> str:
    """Return 'alice, bob' (the first ``limit`` names, then how many more), or 'none yet'."""
    if not names:
        return "none yet"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
