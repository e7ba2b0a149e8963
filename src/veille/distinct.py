"""A change applied to a column of text once per distinct value (postal codes, identifiers repeat)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def per_distinct_text(values: pd.Series, change: Callable[[str], str]) -> np.ndarray:
    """``change`` applied to each text of ``values``, computed once per distinct value.

    A cell that is not text (missing) is kept as it is.

    Example:
        >>> per_distinct_text(pd.Series([" 59000", None, "59000 "], dtype=object), str.strip).tolist()
        ['59000', None, '59000']
    """
    codes, uniques = pd.factorize(values, sort=False)
    if (codes < 0).any() or not all(isinstance(value, str) for value in uniques):
        out = np.empty(len(values), dtype=object)
        out[:] = [change(value) if isinstance(value, str) else value for value in values]
        return out
    changed = np.empty(len(uniques), dtype=object)
    changed[:] = [change(value) for value in uniques]
    return changed[codes]
