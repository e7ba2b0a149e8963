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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: what a formula may begin with, plus the tab and carriage return that can hide one
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"

_STARTS = pa.array(list(FORMULA_STARTS), type=pa.string())
#: text that is only a number, in the digits a spreadsheet reads as one (Python's ``\d`` would take
#: any script's digits, which SQL's regular expressions do not)
_NUMBER_PATTERN = r"[+-]?[0-9]+(?:[.,][0-9]+)?(?:[eE][+-]?[0-9]+)?"
_NUMBER = re.compile(_NUMBER_PATTERN)

#: :func:`neutralise`'s first characters as one class of a regular expression (tab and carriage
#: return spelt as escapes, the others taken literally)
_STARTS_CLASS = "[" + "".join({"\t": "\\t", "\r": "\\r"}.get(c, re.escape(c)) for c in FORMULA_STARTS) + "]"

#: :func:`neutralise` of a text column in DuckDB's SQL (``{column}``: the quoted column name), for the
#: files DuckDB writes: the same rule, applied as the rows are written rather than looked for first.
_SQL_PREFIX = PREFIX.replace("'", "''")
NEUTRALISED_SQL = (
    f"CASE WHEN regexp_matches({{column}}, '^{_STARTS_CLASS}') "
    f"AND NOT regexp_full_match({{column}}, '{_NUMBER_PATTERN}') "
    f"THEN '{_SQL_PREFIX}' || {{column}} ELSE {{column}} END"
)


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
    """``frame`` with its text columns neutralised (numeric columns are left as they are).

    The frame given is never changed: the result is a new frame whose changed columns are new, or
    ``frame`` itself when no cell needs an apostrophe (the usual case). A deep copy of the whole
    frame first merged its text columns into one block, which cost more than the check itself.
    """
    changed = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            suspects = _may_need_prefix(values.to_numpy())
            if suspects.any():
                fixed = values.copy()
                fixed[suspects] = values[suspects].map(neutralise)
                changed[column] = fixed
    if not changed:
        return frame
    out = frame.copy(deep=False)
    for column, fixed in changed.items():
        out[column] = fixed
    return out


def _may_need_prefix(values: np.ndarray) -> np.ndarray:
    """Which cells begin with a formula start: the few that :func:`neutralise` must look at.

    Arrow tells it for a whole column at C speed (a column of 100,000 names in milliseconds); a column
    that is not all text (numbers, dates) goes through Python.
    """
    try:
        text = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return np.fromiter(
            (isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values), bool, len(values)
        )
    first = pc.utf8_slice_codeunits(text, 0, 1)
    found = pc.fill_null(pc.is_in(first, value_set=_STARTS), False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
