"""One schooling record belongs to one child.

Twins and siblings share a surname, an address and sometimes a birth date: a school record of one twin
scores well against the other. Within one source, each record goes to at most one child and each child
takes at most one record, maximising the total match weight (an exact sparse assignment, SciPy's
LAPJVsp). Across sources a child may hold several records (enrolled at a school and at the CNED),
which is why the assignment is done source by source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching


def assign_one_to_one(pairs: pd.DataFrame, *, min_weight: float) -> pd.DataFrame:
    """Keep, within each source, a one-to-one set of pairs of maximal total weight above the threshold.

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
    eligible = _drop_dominated(pairs[pairs["match_weight"] >= min_weight])
    kept = [_assign_within(group, min_weight) for _, group in eligible.groupby("source", sort=False)]
    if not kept:
        return eligible.iloc[0:0]
    return pd.concat(kept, ignore_index=True)


# A pair this many bits below both its child's best pair and its record's best pair is never worth
# taking: a brother's record scores far below one's own record and below the brother's.
DOMINATED_MARGIN = 8.0


def _drop_dominated(pairs: pd.DataFrame) -> pd.DataFrame:
    """Keep the pairs that could be in an optimal assignment, to keep the problem small.

    Siblings share a surname and an address, so in a large commune the pairs linking each child to a
    brother's or sister's record chain whole neighbourhoods together; they are dominated on both ends.
    """
    weight = pairs["match_weight"]
    best_of_child = weight.groupby(pairs["child_uid"]).transform("max")
    best_of_record = weight.groupby(pairs["record_uid"]).transform("max")
    keep = (weight >= best_of_child - DOMINATED_MARGIN) | (weight >= best_of_record - DOMINATED_MARGIN)
    return pairs[keep]


def _assign_within(pairs: pd.DataFrame, min_weight: float) -> pd.DataFrame:
    """Maximum-gain one-to-one assignment, solved exactly on the sparse graph of pairs.

    The gain of a pair is its weight above the threshold. Each child also gets a private "unassigned"
    column of gain 0, so that every child can be matched (the solver wants a full matching) and the
    solver never pairs an extra child with a weak record just to assign more pairs: the record of one
    twin is not handed to the other to make up the numbers.
    """
    child_codes, children = pd.factorize(pairs["child_uid"])
    record_codes, records = pd.factorize(pairs["record_uid"])
    # A child and a record that have no other candidate need no solver: the common case by far.
    alone = (np.bincount(child_codes)[child_codes] == 1) & (np.bincount(record_codes)[record_codes] == 1)
    contested = pairs[~alone]
    if contested.empty:
        return pairs[alone]
    child_codes, children = pd.factorize(contested["child_uid"])
    record_codes, records = pd.factorize(contested["record_uid"])
    n_children, n_records = len(children), len(records)
    gains = contested["match_weight"].to_numpy() - min_weight
    # The solver minimises a positive cost: cost = ceiling - gain, "unassigned" costs the ceiling.
    ceiling = float(gains.max()) + 1.0
    rows = np.concatenate([child_codes, np.arange(n_children)])
    cols = np.concatenate([record_codes, n_records + np.arange(n_children)])
    costs = np.concatenate([ceiling - gains + 1e-9, np.full(n_children, ceiling)])
    graph = csr_matrix((costs, (rows, cols)), shape=(n_children, n_records + n_children))
    matched = min_weight_full_bipartite_matching(graph)[1]
    return pd.concat([pairs[alone], contested[matched[child_codes] == record_codes]])
