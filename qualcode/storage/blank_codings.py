"""Codings that cover only whitespace (read side, for agreement's presence rule).

A coding whose text is only spaces or line breaks, such as the gap between two sentences,
overlaps the whole source but no sentence or paragraph cut from it (segments leave the
whitespace between them out). To count the same at every unit level, agreement leaves such
codings out everywhere; this module finds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from qualcode.model import Layer
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
              "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""Every character Python's ``str.isspace`` accepts, for SQLite's ``trim``."""


def blank_coding_ids(store: ProjectStore, *, layer: Layer,
                     coder_id: int | None = None) -> np.ndarray:
    """Return the sorted ids of a layer's (and coder's) live, non-empty all-whitespace codings.

    Offsets are code points, as SQLite's ``substr`` counts characters of TEXT values.
    Zero-length codings (a position, not a span) are not included.
    """
    sql = ('SELECT c.id FROM codings c JOIN sources s ON s.id = c.source_id '
           'WHERE c.deleted_at IS NULL AND c.layer = ? AND c."end" > c.start '
           'AND trim(substr(s.text, c.start + 1, c."end" - c.start), ?) = \'\'')
    params: list[object] = [Layer(layer).value, WHITESPACE]
    if coder_id is not None:
        sql += " AND c.coder_id = ?"
        params.append(coder_id)
    ids = [row[0] for row in store_db(store).execute(sql + " ORDER BY c.id", params)]
    return np.array(ids, dtype=np.int64)
