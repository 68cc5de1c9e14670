"""Compose YAML safely: no tags that build objects, no aliases, bounded size and depth.

Callers get the node tree (with line numbers) and build their values from it; every
YAML failure becomes one :class:`~qualcode.errors.FormatError` line naming the file.
"""

from __future__ import annotations

import yaml

from qualcode.errors import FormatError

MAX_NODES = 100_000
# A codebook is at most theme > sub-theme > code, a few YAML levels each; deeper nesting
# is either a mistake or an attempt to exhaust the recursive composer.
MAX_DEPTH = 40


class _Refused(Exception):
    """Raised inside the loader; turned into a FormatError with the file name."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else None


class _GuardedLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases and documents too large or too deep to be sane."""

    what = "codebooks"

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose one node, counting nodes and depth and refusing aliases."""
        if self.check_event(yaml.AliasEvent):
            raise _Refused(f"aliases are not supported in {self.what} (found a '*name'); "
                           "write the value out in full", self.peek_event().start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(f"the document has more than {MAX_NODES:,} YAML nodes; files "
                           f"this large are not supported in {self.what}",
                           self.peek_event().start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"the document is nested more than {MAX_DEPTH} levels deep; "
                           f"{self.what} never need that", self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose_yaml(text: str, path: str, *, what: str = "codebooks") -> yaml.Node | None:
    """Compose one YAML document's node tree; every failure is one FormatError line.

    ``what`` names the kind of file in messages ("aliases are not supported in ...").
    Returns None for a document holding only comments.
    """
    loader = type("Loader", (_GuardedLoader,), {"what": what})
    try:
        return yaml.compose(text, Loader=loader)
    except _Refused as refused:
        raise FormatError(refused.message, path=path, line=refused.line) from None
    except yaml.reader.ReaderError as error:
        raise FormatError(f"contains the control character U+{error.character:04X}, which YAML "
                          "does not allow; remove it", path=path,
                          line=text.count("\n", 0, error.position) + 1) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (error.context, error.problem) if p)
        raise FormatError(f"YAML syntax error: {problem}; {_syntax_hint(problem)}",
                          path=path, line=line) from None
    except yaml.YAMLError as error:
        raise FormatError(f"YAML syntax error: {error}; check the file", path=path) from None


def _syntax_hint(problem: str) -> str:
    """Suggest the usual fix for the common YAML mistakes."""
    if "'\\t'" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "put text containing ': ' in quotes"
    if "single document" in problem:
        return "keep one codebook per file (remove the extra '---')"
    if "found character" in problem:
        return "put text starting with that character in quotes"
    return "check the indentation and quoting near this line"
