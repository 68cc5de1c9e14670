"""Limits shared by every ZIP qualcode reads (.qdpx, .xlsx): compression method and ratio.

Memory is bounded by absolute sizes, not by the ratio alone: :mod:`zipfile` never inflates
a member past the size its header declares (and checks its CRC), and only stored and
deflated members are read (zipfile inflates bzip2 and LZMA data without a bound per read).
A high ratio is refused only for a member larger than any text qualcode itself takes from
a file, so qualcode's own export of a long, repetitive text imports again.
"""

from __future__ import annotations

import zipfile

MAX_RATIO = 200
"""Largest compression ratio accepted for a member bigger than :data:`RATIO_FLOOR`."""
RATIO_FLOOR = 64 * 1024 * 1024
"""Members up to this size may compress any amount: above the largest text qualcode takes
from any file (50 MB), so what qualcode exports always imports again."""
READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def method_problem(info: zipfile.ZipInfo) -> str | None:
    """Say why a member's compression cannot be read within bounds, or None."""
    if info.flag_bits & 0x1:
        return f"member {info.filename!r} is encrypted"
    if info.compress_type not in READABLE_METHODS:
        return (f"member {info.filename!r} uses compression method {info.compress_type} "
                "(only stored and deflated members are read)")
    return None


def ratio_problem(info: zipfile.ZipInfo) -> str | None:
    """Say why a large member's compression ratio looks like a ZIP bomb, or None."""
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return (f"member {info.filename!r} is compressed "
                f"{info.file_size // max(info.compress_size, 1)}:1 to "
                f"{info.file_size / 2**20:.0f} MB, over the {MAX_RATIO}:1 limit for members "
                f"over {RATIO_FLOOR // 2**20} MB (a ZIP bomb?)")
    return None


