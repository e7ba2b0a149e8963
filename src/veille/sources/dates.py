"""Dates as the cells' files write them: JJ/MM/AAAA, AAAA-MM-JJ, JJ-MM-AAAA, JJ.MM.AAAA.

One-digit day and month are accepted (``4/1/2016``), two-digit years are not (``04/11/16`` is
ambiguous). A time part is tolerated and ignored (``2015-02-03 00:00:00``, as spreadsheets
export their date cells). Everything is normalised to ISO ``AAAA-MM-JJ``.
"""

from __future__ import annotations

import datetime
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
    if len(uniques) == 0:
        return pd.Series("", index=values.index, dtype=object)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    parts = distinct.str.extract(DATE_PATTERN)
    day_first = parts[3].notna()
    year = parts[3].where(day_first, parts[4])
    month = parts[2].where(day_first, parts[6])
    day = parts[0].where(day_first, parts[7])
    # Calendar check in numpy (pandas timestamps stop at 2262, and 31/02 must fail, not roll over).
    matched = year.notna().to_numpy()
    y = pd.to_numeric(year, errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    m = pd.to_numeric(month, errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    d = pd.to_numeric(day, errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_lengths = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    days_in_month = month_lengths[np.clip(m, 0, 12)] + ((m == 2) & leap)
    valid = matched & (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= days_in_month)
    normalised = np.full(len(distinct), "", dtype=object)
    if valid.any():
        iso = year[valid].str.zfill(4) + "-" + month[valid].str.zfill(2) + "-" + day[valid].str.zfill(2)
        normalised[valid] = iso.to_numpy(dtype=object)
    # factorize gives -1 for missing values; they map to "" (not a date).
    result = np.where(codes >= 0, normalised[np.maximum(codes, 0)], "")
    return pd.Series(result, index=values.index, dtype=object)
