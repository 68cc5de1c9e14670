"""The codebook's shape rules (depth, placement, codability), checked on every write path.

The store refuses a write that breaks them, ``qualcode check`` reports a codebook that does,
and the screens and the CLI offer only the places they allow.
"""

from __future__ import annotations

from qualcode.model import Code, Codebook, CodeKind


class CodebookShape:
    """The codebook's shape rules, the one place they live: depth, placement, codability.

    A codebook is at most three levels deep (theme > sub-theme > code); a code below the
    top level holds no other nodes (at the top a node is its own theme, whatever its
    kind, as the exports read it); a theme sits at the top level; a sub-theme sits at the top or
    directly under a theme; a code is codable by default, a theme or sub-theme is not (either may be
    made codable). The store checks every write against these rules and ``qualcode check`` reports a
    codebook that breaks them.

    >>> book = Codebook((Code(1, "g1", "Care", CodeKind.THEME),
    ...                  Code(2, "g2", "Time", CodeKind.SUBTHEME, parent_id=1),
    ...                  Code(3, "g3", "Rush", CodeKind.CODE, parent_id=2)))
    >>> CodebookShape.problems(book)
    []
    >>> CodebookShape.placement_problem(book, book.by_id(2), CodeKind.CODE) is None
    True
    >>> print(CodebookShape.placement_problem(book, book.by_id(3), CodeKind.CODE)[:55])
    'Care/Time/Rush' is a code and cannot hold other nodes;
    >>> deep = Codebook(book.codes + (Code(4, "g4", "Late", CodeKind.CODE, parent_id=3),))
    >>> CodebookShape.problems(deep)[0][:60]
    "'Care/Time/Rush/Late' sits 4 levels deep; the codebook holds"
    >>> CodebookShape.default_codable(CodeKind.THEME), CodebookShape.default_codable(CodeKind.CODE)
    (False, True)
    """

    MAX_LEVELS = 3
    """Levels a codebook may have: theme > sub-theme > code."""

    @staticmethod
    def default_codable(kind: CodeKind) -> bool:
        """Return whether a new node of this kind takes codings when nothing says otherwise."""
        return kind is CodeKind.CODE

    @classmethod
    def placement_problem(cls, book: Codebook, parent: Code | None, kind: CodeKind | None,
                          *, moving: Code | None = None) -> str | None:
        """Return why a node (new, or ``moving`` with its subtree) may not go under ``parent``.

        ``kind`` is the new node's kind (``None`` when moving: the node keeps its own);
        ``parent`` ``None`` is the top level. Returns ``None`` when the place is allowed.
        """
        kind = moving.kind if kind is None and moving is not None else kind
        if parent is not None and moving is not None and (
                parent.id == moving.id or parent in book.descendants(moving)):
            return (f"cannot move {book.path(moving)!r} under itself; choose a parent "
                    "outside it")
        if parent is None:
            return None
        if parent.kind is CodeKind.CODE and parent.parent_id is not None:
            return (f"{book.path(parent)!r} is a code and cannot hold other nodes; "
                    "choose a theme or sub-theme as the parent")
        depth = len(book.ancestors(parent)) + 1
        height = cls._height(book, moving) if moving is not None else 0
        if depth + height >= cls.MAX_LEVELS:
            what = book.path(moving) if moving is not None else "the new code"
            return (f"placing {what!r} under {book.path(parent)!r} would nest the codebook "
                    "deeper than theme > sub-theme > code; choose a higher parent")
        if kind is CodeKind.THEME:
            if moving is not None:
                return (f"{book.path(moving)!r} is a theme, which sits at the top level; "
                        "move its sub-themes and codes instead")
            return ("a theme sits at the top level; leave out --parent or use "
                    "--kind subtheme or --kind code")
        if kind is CodeKind.SUBTHEME and depth > 1:
            return f"{book.path(parent)!r} is a sub-theme and holds codes only; use --kind code"
        return None

    @classmethod
    def problems(cls, book: Codebook) -> list[str]:
        """Return one line per node that breaks a rule (empty when the codebook is sound)."""
        found: list[str] = []
        for depth, code in book.walk():
            parent = book.by_id(code.parent_id) if code.parent_id is not None else None
            path = book.path(code)
            if depth >= cls.MAX_LEVELS:
                found.append(f"{path!r} sits {depth + 1} levels deep; the codebook holds "
                             "theme > sub-theme > code: move it up with "
                             "'qualcode codebook move'")
            elif parent is not None and parent.kind is CodeKind.CODE and depth > 1:
                found.append(f"{path!r} sits under a code, which cannot hold other nodes: "
                             "move it under a theme or sub-theme with 'qualcode codebook move'")
            elif code.kind is CodeKind.THEME and depth > 0:
                found.append(f"theme {path!r} is not at the top level: move it with "
                             "'qualcode codebook move --top'")
            elif code.kind is CodeKind.SUBTHEME and depth > 1:
                found.append(f"sub-theme {path!r} sits under a sub-theme: move it under a "
                             "theme with 'qualcode codebook move'")
        return found

    @staticmethod
    def _height(book: Codebook, code: Code) -> int:
        """Return how many levels hang below a code (0 for a leaf)."""
        height, level = 0, book.children(code.id)
        while level:
            height += 1
            level = [kid for node in level for kid in book.children(node.id)]
        return height
