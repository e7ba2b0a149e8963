"""One schooling record belongs to one child.

Twins and siblings share a surname, an address and sometimes a birth date: a school record of one twin
scores well against the other. Within one source, each record goes to at most one child and each child
takes at most one record, maximising the total match weight (Hungarian algorithm per connected group
of competing pairs). Across sources a child may hold several records (enrolled at a school and at the
CNED), which is why the assignment is done source by source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def assign_one_to_one(pairs: pd.DataFrame, *, min_weight: float) -> pd.DataFrame:
    """Keep, within each source, a one-to-one set of pairs of maximal total weight.

    Args:
        pairs: columns ``child_uid``, ``record_uid``, ``source``, ``match_weight``.
        min_weight: pairs below this weight are never assigned.

    Returns:
        The kept rows of ``pairs`` (same columns).

    Examples:
        >>> pairs = pd.DataFrame({"child_uid": [1, 2, 1], "record_uid": [10, 10, 11],
        ...                       "source": ["ONDE"] * 3, "match_weight": [9.0, 8.0, 7.5]})
        >>> sorted(assign_one_to_one(pairs, min_weight=0).itertuples(index=False))[0][:2]
        (1, 11)
    """
    eligible = pairs[pairs["match_weight"] >= min_weight]
    kept = [_assign_within(group, min_weight) for _, group in eligible.groupby("source", sort=False)]
    if not kept:
        return eligible.iloc[0:0]
    return pd.concat(kept, ignore_index=True)


def _assign_within(pairs: pd.DataFrame, min_weight: float) -> pd.DataFrame:
    child_codes, children = pd.factorize(pairs["child_uid"])
    record_codes, records = pd.factorize(pairs["record_uid"])
    n_children, n_records = len(children), len(records)
    # Pairs whose child and record have no other candidate need no solver: the common case.
    child_degree = np.bincount(child_codes, minlength=n_children)
    record_degree = np.bincount(record_codes, minlength=n_records)
    alone = (child_degree[child_codes] == 1) & (record_degree[record_codes] == 1)
    kept = [pairs[alone]]

    contested = pairs[~alone]
    if len(contested):
        c_codes, r_codes = child_codes[~alone], record_codes[~alone]
        graph = coo_matrix(
            (np.ones(len(contested)), (c_codes, n_children + r_codes)),
            shape=(n_children + n_records, n_children + n_records),
        )
        _, labels = connected_components(graph, directed=False)
        component = labels[c_codes]
        weights = contested["match_weight"].to_numpy()
        order = np.argsort(component, kind="stable")
        bounds = np.flatnonzero(np.diff(component[order])) + 1
        chosen: list[np.ndarray] = []
        for rows in np.split(order, bounds):
            chosen.append(rows[_hungarian(c_codes[rows], r_codes[rows], weights[rows] - min_weight)])
        kept.append(contested.iloc[np.concatenate(chosen)])
    return pd.concat(kept, ignore_index=True)


def _hungarian(child_codes: np.ndarray, record_codes: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """Positions (into the arrays) of the pairs kept by a maximum-gain assignment.

    The gain of a pair is its weight above the threshold. Each child may also stay unassigned (gain 0),
    so the solver never pairs an extra child with a weak record just to assign more pairs: the record
    of one twin is not handed to the other to make up the numbers.
    """
    rows, row_index = np.unique(child_codes, return_inverse=True)
    cols, col_index = np.unique(record_codes, return_inverse=True)
    forbidden = -1e9
    matrix = np.full((len(rows), len(cols) + len(rows)), forbidden)
    matrix[:, len(cols) :] = 0.0
    matrix[row_index, col_index] = gains
    position = np.full(matrix.shape, -1)
    position[row_index, col_index] = np.arange(len(gains))
    r, c = linear_sum_assignment(matrix, maximize=True)
    picked = position[r, c]
    return picked[picked >= 0]
