"""Problems found in a user's input, reported one line each as ``file:line:column: message``.

Every check collects problems instead of raising at the first one, so a user fixes
everything in one round trip (the octodns habit), and the CLI turns a non-empty list into
one :class:`InputError` (a ``click.ClickException``, so exit code 1 and no traceback).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import IO, Any

import click


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a file, as editors and ``grep -n`` show it."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    def __reduce__(self) -> tuple[type[Location], tuple[str, int, int]]:
        """Pickled as a call to the constructor: the profile cache holds about seventy
        locations per channel, and one made by ``__init__`` keeps its three values
        without a dict of its own (4 MB less per 1,000 cached channels)."""
        return (Location, (self.file, self.line, self.column))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, with where it is and what to do about it."""

    location: Location | None
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    check: str = ""

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location or Location("")
        return (loc.file, loc.line, loc.column, self.message)

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        kind = "warning: " if self.severity is Severity.WARNING else ""
        tag = f" [{self.check}]" if self.check else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{kind}{self.message}{hint}{tag}"


@dataclass
class Problems:
    """A collector that checks append to; ``raise_if_errors`` ends a stage cleanly."""

    items: list[Problem] = field(default_factory=list)

    def error(self, location: Location | None, message: str, hint: str = "") -> None:
        self.items.append(Problem(location, message, hint))

    def warn(self, location: Location | None, message: str, hint: str = "",
             check: str = "") -> None:
        self.items.append(Problem(location, message, hint, Severity.WARNING, check))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.WARNING]

    def raise_if_errors(self, strict: bool = False) -> None:
        failing = self.errors
        if strict:
            failing += [replace(p, severity=Severity.ERROR) for p in self.warnings]
        if failing:
            raise InputError(sorted(set(failing), key=Problem.sort_key))


class KanalprofilError(click.ClickException):
    """Base for failures a user can act on: printed without a traceback, exit code 1."""


class InputError(KanalprofilError):
    """The profiles, templates or project file are invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def show(self, file: IO[Any] | None = None) -> None:
        for problem in self.problems:
            click.echo(str(problem), err=True)
        count = len(self.problems)
        click.echo(
            f"Aborted: {count} problem{'s' if count != 1 else ''} found; output/ was not changed.",
            err=True,
        )
