"""Helpers shared by the REFI-QDA and merge tests."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "refi"
CRLF_TEXT = "First line of the answer.\r\nSecond line 😊 here.\r\nThird line: the end."
EMOJI_TEXT = "Sessions 😴 were too long 🏥 after nights."


def zip_folder(folder: Path, dest: Path) -> Path:
    """Zip ``folder``'s project.qde and sources into ``dest``; copy other files beside it."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_dir():
                continue
            relative = path.relative_to(folder)
            if relative.name == "project.qde" or relative.parts[0].lower() == "sources":
                archive.write(path, relative.as_posix())
            else:
                shutil.copy(path, dest.parent / relative.name)
    return dest


def fingerprint(path: Path) -> str:
    """Return a digest of a project's whole content (independent of WAL checkpoints)."""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()
    finally:
        conn.close()
