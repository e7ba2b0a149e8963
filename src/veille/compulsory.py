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


def age_on(born: date, day: date) -> int:
    """Age in whole years on ``day``: the one age computation of Veille.

    Example:
        >>> age_on(date(2016, 4, 3), date(2026, 4, 2)), age_on(date(2016, 4, 3), date(2026, 4, 3))
        (9, 10)
    """
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def ages_on(birth_dates: pd.Series, day: date) -> pd.Series:
    """``age_on`` over a column of ISO birth dates (``AAAA-MM-JJ``); missing where a date is unreadable."""
    born = pd.to_datetime(birth_dates, format="%Y-%m-%d", errors="coerce")
    had_birthday = (born.dt.month < day.month) | ((born.dt.month == day.month) & (born.dt.day <= day.day))
    return (day.year - born.dt.year - (~had_birthday).astype(int)).astype("Int64")


def is_subject(born: date, year: SchoolYear) -> bool:
    """Whether a child born on ``born`` is subject to compulsory instruction in ``year`` (L131-1).

    From the rentrée of the calendar year of the starting birthday, until the ending birthday: a child
    who reaches the ending age on or before the rentrée is no longer subject to it that year.

    Example:
        >>> is_subject(date(2023, 12, 31), SchoolYear(2026)), is_subject(date(2024, 1, 1), SchoolYear(2026))
        (True, False)
    """
    start_age, end_age = year.rule()
    if born.year > year.first - start_age:
        return False
    return (born.year + end_age, born.month, born.day) > (year.first, year.start.month, year.start.day)


def retention_end(born: date) -> date:
    """The last day of the school year in which the child reaches the ending age (R131-10-4).

    The ending age is the one in force that school year (``RULES``), so a change of law moves the
    purge date, the synthetic truth and the engine together.

    Example:
        >>> retention_end(date(2010, 10, 2)), retention_end(date(2010, 3, 2))
        (datetime.date(2027, 8, 31), datetime.date(2026, 8, 31))
    """
    chosen = RULES[0]
    for rule in RULES:
        if SchoolYear.current(_birthday(born, rule[2])) >= SchoolYear.parse(rule[0]):
            chosen = rule
    return SchoolYear.current(_birthday(born, chosen[2])).end


def _birthday(born: date, age: int) -> date:
    """The day a child reaches ``age`` (28 February for those born on 29 February)."""
    return date(born.year + age, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)


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
