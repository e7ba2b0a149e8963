"""Cells written to CSV or XLSX files are neutralised against formula injection (« CSV injection »).

A spreadsheet opening a CSV or XLSX file runs a cell beginning with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)`` sending data away); a leading tab or carriage
return hides such a cell from a visual check. The names in the children files come from outside (CAF,
MSA, schools): every file Veille writes passes its text cells through :func:`neutralise`.

The chosen prefix is an apostrophe (``'``), as OWASP recommends: the spreadsheet then shows the text as
text, and the apostrophe stays visible, so a reader sees that the value was changed rather than
reading a silently altered name. Numbers written as numbers, and text that is only a number
(``-3.5``, ``+33 6 12 34 56 78`` is not one), are left as they are: they cannot be formulas, and the
weights of ``rapprochements.csv`` stay readable as numbers.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

#: what a formula may begin with, plus the tab and carriage return that can hide one
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value`` with an apostrophe before it when it is text that a spreadsheet would run.

    Example:
        >>> neutralise("=cmd|' /C calc'!A0"), neutralise("@SUM(1+1)"), neutralise("-2.5"), neutralise(3)
        ("'=cmd|' /C calc'!A0", "'@SUM(1+1)", '-2.5', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return PREFIX + value
    return value


def neutralise_row(values: list[Any]) -> list[Any]:
    return [neutralise(value) for value in values]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are neutralised (numeric columns are left as they are)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(neutralise)
    return out
