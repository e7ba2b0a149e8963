"""Dates as the cells' files write them: JJ/MM/AAAA, AAAA-MM-JJ, JJ-MM-AAAA, JJ.MM.AAAA.

One-digit day and month are accepted (``4/1/2016``), two-digit years are not (``04/11/16`` is
ambiguous). A time part is tolerated and ignored (``2015-02-03 00:00:00``, as spreadsheets
export their date cells). Everything is normalised to ISO ``AAAA-MM-JJ``.
"""

from __future__ import annotations

import datetime
import functools
import re

import numpy as np
import pandas as pd

ACCEPTED_FORMATS = "JJ/MM/AAAA, AAAA-MM-JJ, JJ-MM-AAAA, JJ.MM.AAAA"
NOT_A_DATE = f"n'est pas une date (formats acceptés : {ACCEPTED_FORMATS})"

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
# Groups: 1 day, 2 separator, 3 month, 4 year (day first) | 5 year, 6 separator, 7 month, 8 day.
DATE_PATTERN = (
    r"^(?:(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})"
    r"|(\d{4})([/.\-])(\d{1,2})\6(\d{1,2}))" + _TIME + r"$"
)
_DATE_RE = re.compile(DATE_PATTERN)


def parse_date(text: str) -> datetime.date:
    """Parse one date written in an accepted format; raise ``ValueError`` (French message) otherwise."""
    cleaned = str(text).strip()
    match = _DATE_RE.match(cleaned)
    if match is not None:
        if match.group(4) is not None:
            day, month, year = match.group(1), match.group(3), match.group(4)
        else:
            year, month, day = match.group(5), match.group(7), match.group(8)
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise ValueError(f"« {cleaned} » {NOT_A_DATE}")


def parse_date_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`parse_date`: ISO strings ``AAAA-MM-JJ``, ``""`` where the text is not a date.

    The work is done once per distinct value (a birth-date column has few of them), so half a
    million rows cost a few thousand parses.
    """
    codes, uniques = pd.factorize(values, sort=False)
    normalised = np.append(iso_dates(np.asarray(uniques, dtype=object)), "")
    # factorize gives -1 for missing values; they map to the "" appended (not a date).
    return pd.Series(normalised[codes], index=values.index, dtype=object)


def iso_dates(distinct: np.ndarray) -> np.ndarray:
    """The ISO form of each value of ``distinct`` (an object array), ``""`` where it is not a date."""
    out = np.empty(len(distinct), dtype=object)
    out[:] = [_iso(value) for value in distinct]
    return out


@functools.lru_cache(maxsize=1 << 16)
def _iso(text: object) -> str:
    # A loop over the distinct values: pandas' str.extract and to_numeric cost more in fixed overhead
    # than these few thousand regex matches. Cached: every file of a crossing has the same dates.
    if not isinstance(text, str):
        return ""
    match = _DATE_RE.match(text)
    if match is None:
        return ""
    if match.group(4) is not None:
        day, month, year = match.group(1, 3, 4)
    else:
        year, month, day = match.group(5, 7, 8)
    # \d also matches other scripts' digits (Arabic-Indic, full-width): they are not read as a date.
    if not (year.isascii() and month.isascii() and day.isascii()):
        return ""
    try:
        # Proleptic Gregorian calendar: 31/02 fails rather than roll over, years 1 to 9999.
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return ""
    return f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"
