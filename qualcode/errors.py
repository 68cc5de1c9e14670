"""Errors a user can cause and fix; the CLI prints them as one line, without a traceback."""

from __future__ import annotations


class QualcodeError(Exception):
    """Base class of every error caused by user input or project state.

    ``str(error)`` is one line naming where the problem is (file, line, element),
    what is wrong, and what to do about it.
    """

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        return f"{where}{self.message}"


class FormatError(QualcodeError):
    """An input file is unreadable or malformed (encoding, columns, rows, XML, ZIP)."""


class CodebookError(QualcodeError):
    """A codebook is invalid, or a codebook edit would break it."""


class StoreError(QualcodeError):
    """The project file is missing, not a qualcode project, or the request conflicts with it."""


class NotFoundError(StoreError):
    """A named entity (source, code, coder, unit) does not exist in the project."""


class ConfirmationRequired(QualcodeError):
    """A destructive action needs an explicit confirmation (``--yes``)."""
