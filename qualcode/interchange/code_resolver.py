"""Match the code cells of an input file (a name or a ``Theme/Sub-theme/Code`` path) to codes.

Used by the codings importer: it resolves every distinct cell once, explains unknown
and ambiguous ones with the file's line, and plans (then creates) missing codes when
the user asked for ``--create-codes``.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from qualcode.errors import CodebookError
from qualcode.model import PATH_SEPARATOR, Code, Codebook, CodeKind

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = ["MAX_PATH_PARTS", "CodeResolver", "split_code_path"]

MAX_PATH_PARTS = 3
"""Theme > sub-theme > code: the deepest path ``--create-codes`` builds."""

KIND_LABEL = {CodeKind.THEME: "theme", CodeKind.SUBTHEME: "sub-theme", CodeKind.CODE: "code"}
SUGGESTIONS = 3

Parts = tuple[str, ...]


def split_code_path(value: str, *, path: str | None = None, line: int | None = None) -> Parts:
    """Split ``A/B/C`` into stripped parts, refusing empty ones (``A//C``, ``/A``)."""
    parts = tuple(p.strip() for p in value.split(PATH_SEPARATOR))
    if not all(parts):
        raise CodebookError(f"code path {value!r} has an empty part; write it as "
                            "Theme/Sub-theme/Code", path=path, line=line)
    return parts


def _folded(parts: Parts) -> Parts:
    return tuple(p.casefold() for p in parts)


class CodeResolver:
    """Resolve code cells against one codebook, caching each distinct cell.

    With ``create`` a cell naming no code is planned for creation instead of refused;
    :meth:`create_missing` then adds the planned codes (and missing parents).
    """

    def __init__(self, book: Codebook, *, create: bool = False, path: str | None = None) -> None:
        self.book = book
        self.create = create
        self.path = path
        self._cache: dict[str, int | None] = {}
        self._planned: dict[Parts, tuple[Parts, int]] = {}
        self._exact: dict[Parts, list[Code]] = {}
        self._folded: dict[Parts, list[Code]] = {}
        self._paths: dict[int, str] = {}
        by_id = {code.id: code for code in book}
        for code in book:
            parts = self._parts(code, by_id)
            self._exact.setdefault(parts, []).append(code)
            self._folded.setdefault(_folded(parts), []).append(code)
            self._paths[code.id] = PATH_SEPARATOR.join(parts)

    @staticmethod
    def _parts(code: Code, by_id: dict[int, Code]) -> Parts:
        chain = [code.name]
        seen = {code.id}
        parent = code.parent_id
        while parent is not None and parent in by_id and parent not in seen:
            seen.add(parent)
            chain.append(by_id[parent].name)
            parent = by_id[parent].parent_id
        return tuple(reversed(chain))

    def path_of(self, code_id: int) -> str:
        """Return the full path of a code of this codebook."""
        return self._paths[code_id]

    def _match(self, value: str, line: int) -> list[Code]:
        if PATH_SEPARATOR not in value:
            return self.book.find(value)
        parts = split_code_path(value, path=self.path, line=line)
        # Sibling names are unique regardless of case, so a case-insensitive match of a
        # path is never ambiguous and saves users from re-typing capitals.
        return self._exact.get(parts) or self._folded.get(_folded(parts), [])

    def check(self, value: str, line: int) -> None:
        """Resolve one cell (or plan its creation); raise CodebookError when impossible."""
        if value in self._cache:
            return
        matches = self._match(value, line)
        if len(matches) > 1:
            paths = ", ".join(repr(self._paths[c.id]) for c in matches)
            raise CodebookError(f"code {value!r} is ambiguous: it matches {paths}; write the "
                                "full path instead", path=self.path, line=line)
        if matches:
            code = matches[0]
            if not code.codable:
                raise CodebookError(f"{self._paths[code.id]!r} is a {KIND_LABEL[code.kind]} "
                                    "that is not codable; use one of the codes under it, or "
                                    "make it codable in the codebook", path=self.path, line=line)
            self._cache[value] = code.id
            return
        if not self.create:
            raise CodebookError(f"unknown code {value!r}{self._closest(value)}; fix the name, "
                                "add the code to the codebook, or pass --create-codes",
                                path=self.path, line=line)
        self._plan(value, line)

    def _closest(self, value: str) -> str:
        if not self._paths:
            return " (the codebook is empty)"
        names: dict[str, list[str]] = {}
        for code in self.book:
            full = self._paths[code.id]
            names.setdefault(full, []).append(full)
            names.setdefault(code.name, []).append(full)
        close = difflib.get_close_matches(value, list(names), n=SUGGESTIONS * 2, cutoff=0.5)
        found = list(dict.fromkeys(full for key in close for full in names[key]))[:SUGGESTIONS]
        if not found:
            return " (no similar code in the codebook)"
        return "; closest: " + ", ".join(repr(f) for f in found)

    def _plan(self, value: str, line: int) -> None:
        parts = split_code_path(value, path=self.path, line=line)
        if len(parts) > MAX_PATH_PARTS:
            raise CodebookError(f"cannot create {value!r}: a path has at most "
                                f"{MAX_PATH_PARTS} parts (Theme/Sub-theme/Code)",
                                path=self.path, line=line)
        for depth in range(len(parts) - 1, 0, -1):
            existing = self._folded.get(_folded(parts[:depth]))
            if existing:
                parent = existing[0]
                if parent.kind == CodeKind.CODE:
                    raise CodebookError(f"cannot create {parts[depth]!r} under "
                                        f"{self._paths[parent.id]!r}: that is a code, and codes "
                                        "have no children", path=self.path, line=line)
                break
        self._planned.setdefault(_folded(parts), (parts, line))
        self._cache[value] = None

    def code_id(self, value: str, line: int) -> int:
        """Return the id of the code a cell names; raise CodebookError when there is none."""
        self.check(value, line)
        code_id = self._cache[value]
        if code_id is None:
            raise CodebookError(f"code {value!r} is not in the codebook yet", path=self.path,
                                line=line)
        return code_id

    def planned(self) -> list[str]:
        """Return the paths :meth:`create_missing` would add codes for, in file order."""
        return [PATH_SEPARATOR.join(parts) for parts, _ in self._planned.values()]

    def _check_plan(self) -> None:
        """Refuse a plan where one new code would also have to be another's parent."""
        leaves = {key: line for key, (_, line) in self._planned.items()}
        for key, (parts, line) in self._planned.items():
            for depth in range(1, len(key)):
                if key[:depth] in leaves:
                    leaf = PATH_SEPARATOR.join(parts[:depth])
                    raise CodebookError(
                        f"{PATH_SEPARATOR.join(parts)!r} needs {leaf!r} as a theme or "
                        f"sub-theme, but line {leaves[key[:depth]]} codes with {leaf!r} "
                        "itself; codes have no children, so fix one of the two",
                        path=self.path, line=line)

    def create_missing(self, store: ProjectStore, *,
                       actor_id: int | None = None) -> tuple[str, ...]:
        """Add the planned codes with any missing parents; return the paths created.

        Depth 1 of a longer path becomes a theme, depth 2 of a three-part path a
        sub-theme, and the last part a code. Run it inside the import's transaction.
        """
        self._check_plan()
        created: list[str] = []
        made: dict[Parts, int] = {}
        for key, (parts, line) in self._planned.items():
            parent_id: int | None = None
            for depth in range(1, len(parts) + 1):
                prefix = key[:depth]
                existing = self._folded.get(prefix)
                if existing or prefix in made:
                    parent_id = existing[0].id if existing else made[prefix]
                    continue
                if depth == len(parts):
                    kind = CodeKind.CODE
                else:
                    kind = CodeKind.THEME if depth == 1 else CodeKind.SUBTHEME
                try:
                    code = store.add_code(parts[depth - 1], parent_id=parent_id, kind=kind,
                                          actor_id=actor_id)
                except CodebookError as error:
                    raise CodebookError(error.message, path=self.path, line=line) from None
                made[prefix] = parent_id = code.id
                created.append(PATH_SEPARATOR.join(parts[:depth]))
        return tuple(created)
