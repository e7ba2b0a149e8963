"""Pure functions of the indicators: periods, age bands, medians and the masking of small counts.

No database here: what is computed from the cases lives in ``queries.py``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from veille.compulsory import SchoolYear

#: counts from 1 to this bound are masked in anything that leaves the cell (0 is not: nobody to recognise)
SMALL_COUNT_MAX = 4
MASKED = "< 5"

#: age at the opening of the case -> band; ``inconnu`` for cases without an identified child
AGE_BANDS: dict[str, tuple[str, int | None, int | None]] = {
    "3-5": ("3 à 5 ans (maternelle)", 0, 5),
    "6-10": ("6 à 10 ans (élémentaire)", 6, 10),
    "11-15": ("11 à 15 ans (collège)", 11, 15),
    "16+": ("16 ans et plus", 16, None),
    "inconnu": ("Âge inconnu (enfant non identifié)", None, None),
}

#: the four terms of a school year: (first month, last month); each ends on the last month's last day
SCHOOL_TERMS = {1: (9, 11), 2: (12, 2), 3: (3, 5), 4: (6, 8)}
TERM_LABELS = {
    1: "1er trimestre (septembre à novembre)",
    2: "2e trimestre (décembre à février)",
    3: "3e trimestre (mars à mai)",
    4: "4e trimestre (juin à août)",
}


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included, with its French label."""

    start: date
    end: date
    label: str

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def school_year_period(year: SchoolYear) -> Period:
    """The school year from 1 September to 31 August.

    Example:
        >>> school_year_period(SchoolYear(2025)).label
        'année scolaire 2025-2026'
    """
    return Period(year.start, year.end, f"année scolaire {year}")


def _month_end(year: int, month: int) -> date:
    import calendar

    return date(year, month, calendar.monthrange(year, month)[1])


def term_period(year: SchoolYear, term: int) -> Period:
    """One of the four terms of a school year (``SCHOOL_TERMS``).

    Example:
        >>> p = term_period(SchoolYear(2025), 2)
        >>> p.start, p.end
        (datetime.date(2025, 12, 1), datetime.date(2026, 2, 28))
    """
    first_month, last_month = SCHOOL_TERMS[term]
    start_year = year.first if first_month >= 9 else year.first + 1
    end_year = year.first if last_month >= 9 else year.first + 1
    return Period(
        date(start_year, first_month, 1),
        _month_end(end_year, last_month),
        f"{TERM_LABELS[term]} de l'année scolaire {year}",
    )


def custom_period(start: date, end: date) -> Period:
    """Any span of days chosen by the user; raises ``ValueError`` when it ends before it starts."""
    if end < start:
        raise ValueError("La fin de la période est avant son début.")
    return Period(start, end, f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}")


def school_years_between(first: date, last: date) -> list[SchoolYear]:
    """The school years from the one holding ``first`` to the one holding ``last``, in order."""
    start, end = SchoolYear.current(first).first, SchoolYear.current(last).first
    return [SchoolYear(y) for y in range(start, end + 1)]


def age_band(age: int | None) -> str:
    """The key of ``AGE_BANDS`` for an age at opening.

    Example:
        >>> age_band(4), age_band(11), age_band(None)
        ('3-5', '11-15', 'inconnu')
    """
    if age is None:
        return "inconnu"
    for key, (_, low, high) in AGE_BANDS.items():
        if low is not None and age >= low and (high is None or age <= high):
            return key
    return "inconnu"


def median_days(delays: Iterable[int]) -> float | None:
    """Median of delays in days, or ``None`` when there is none.

    Example:
        >>> median_days([3, 10, 4]), median_days([])
        (4, None)
    """
    values = list(delays)
    return statistics.median(values) if values else None


def mask(value: int) -> int | str:
    """A count as it may leave the cell: 1 to 4 become « < 5 », 0 and 5 or more stay as they are.

    Example:
        >>> mask(0), mask(3), mask(5)
        (0, '< 5', 5)
    """
    if value < 0:
        raise ValueError("Un effectif ne peut pas être négatif.")
    return MASKED if 0 < value <= SMALL_COUNT_MAX else value


def is_masked(value: int | str | None) -> bool:
    return value == MASKED


def masked_total(values: Iterable[int | str | None]) -> int | str | None:
    """The total of already masked figures, or ``None`` when a total would give away a masked one.

    A total over figures of which one is masked lets the masked figure be recomputed (total minus the
    others): no total then. A total of unmasked figures is masked in turn (it cannot be 1 to 4 unless
    all are 0, but the rule stays the same everywhere).

    Example:
        >>> masked_total([5, 0, 12]), masked_total([5, "< 5"]), masked_total([])
        (17, None, 0)
    """
    present = [v for v in values if v is not None]
    if any(is_masked(v) for v in present):
        return None
    return mask(sum(v for v in present if isinstance(v, int)))
