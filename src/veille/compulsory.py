"""Who is subject to compulsory instruction in a given school year (Code de l'éducation L131-1).

Instruction is compulsory from the rentrée of the calendar year of the 3rd birthday until the 16th
birthday. A child who turns 16 during the school year is still subject to it at the rentrée, so
they are in the list for that year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

# Versioned: a change of law adds a row, it never edits one (the runs of past years must replay).
RULES: tuple[tuple[str, int, int], ...] = (
    # (in force from school year, starting age, age at which it ends)
    ("2019-2020", 3, 16),  # loi 2019-791 "pour une école de la confiance"
)

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{4})\s*$")


@dataclass(frozen=True, order=True)
class SchoolYear:
    """A school year such as 2026-2027, starting at the rentrée of its first year.

    Examples:
        >>> SchoolYear.parse("2026-2027").start
        datetime.date(2026, 9, 1)
    """

    first: int

    @classmethod
    def parse(cls, text: str) -> SchoolYear:
        found = _YEAR.match(text)
        if not found or int(found.group(2)) != int(found.group(1)) + 1:
            raise ValueError(
                f"« {text} » n'est pas une année scolaire (attendu : AAAA-AAAA, par exemple 2026-2027)"
            )
        return cls(int(found.group(1)))

    @classmethod
    def current(cls, today: date | None = None) -> SchoolYear:
        today = today or date.today()
        return cls(today.year if today.month >= 9 else today.year - 1)

    @property
    def start(self) -> date:
        return date(self.first, 9, 1)

    @property
    def end(self) -> date:
        return date(self.first + 1, 8, 31)

    def __str__(self) -> str:
        return f"{self.first}-{self.first + 1}"

    def rule(self) -> tuple[int, int]:
        """The (starting age, ending age) in force this school year."""
        in_force = [r for r in RULES if SchoolYear.parse(r[0]) <= self]
        if not in_force:
            raise ValueError(f"aucune règle d'obligation d'instruction pour l'année {self}")
        _, start_age, end_age = in_force[-1]
        return start_age, end_age


def compulsory_mask(birth_dates: pd.Series, year: SchoolYear) -> pd.Series:
    """True for the ISO birth dates ("AAAA-MM-JJ") subject to compulsory instruction in ``year``."""
    start_age, end_age = year.rule()
    born = pd.to_datetime(birth_dates, format="%Y-%m-%d", errors="coerce")
    # From the calendar year of the 3rd birthday: born in (first year - 3) or before.
    old_enough = born.dt.year <= year.first - start_age
    # Until the 16th birthday: not yet 16 at the rentrée.
    sixteenth = born + pd.DateOffset(years=end_age)
    young_enough = sixteenth > pd.Timestamp(year.start)
    return (old_enough & young_enough).fillna(False).astype(bool)
