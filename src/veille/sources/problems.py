"""Problems found while reading source files, and the errors that carry them.

Every message shown to the user is in French and says what is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: How many problems an error message lists before summarising the rest.
SHOWN_PROBLEMS = 20

SKIP_INVALID_HINT = (
    "Corrigez ces lignes dans le fichier source, ou relancez avec --ignorer-lignes-invalides "
    "pour écarter les lignes invalides (elles seront listées dans le fichier des rejets)."
)


@dataclass(frozen=True)
class Problem:
    """One bad row or cell of a source file."""

    fichier: str
    ligne: int | None
    colonne: str | None
    valeur: str | None
    message: str

    def __str__(self) -> str:
        where = self.fichier
        if self.ligne is not None:
            where += f", ligne {self.ligne}"
        if self.colonne is not None:
            # an XML export names elements (<DATE_NAISS>), a table names columns
            where += f", {'élément' if self.colonne.startswith('<') else 'colonne'} {self.colonne}"
        what = f"« {self.valeur} » {self.message}" if self.valeur else self.message
        return f"{where} : {what}"


class SourceError(Exception):
    """A source file cannot be used as it is; the message (French) says why and what to do."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems)

    def __str__(self) -> str:
        return self.message


#: a password, or a function asked for it (with the archive's name) only when an archive needs one
PasswordOption = str | Callable[[str], str | None] | None


class PasswordRequired(SourceError):
    """The archive is encrypted and no password was given."""


class WrongPassword(SourceError):
    """The password given does not open the archive."""


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def invalid_rows_error(problems: Sequence[Problem]) -> SourceError:
    """Build the all-or-nothing error listing the first problems and counting the others."""
    files = list(dict.fromkeys(p.fichier for p in problems))
    rows = {(p.fichier, p.ligne) for p in problems}
    in_files = (
        f"le fichier « {files[0]} »"
        if len(files) == 1
        else f"{len(files)} fichiers ({', '.join(f'« {name} »' for name in files)})"
    )
    lines = [
        f"{_plural(len(rows), 'ligne invalide', 'lignes invalides')} dans {in_files} "
        f"({_plural(len(problems), 'problème', 'problèmes')}) :"
    ]
    lines.extend(f"  - {problem}" for problem in problems[:SHOWN_PROBLEMS])
    hidden = len(problems) - SHOWN_PROBLEMS
    if hidden > 0:
        lines.append(f"  … et {_plural(hidden, 'autre problème', 'autres problèmes')}.")
    lines.append(SKIP_INVALID_HINT)
    return SourceError("\n".join(lines), problems)
