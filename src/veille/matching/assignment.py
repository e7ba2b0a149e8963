"""One schooling record belongs to one child.

Twins and siblings share a surname, an address and sometimes a birth date: a school record of one twin
scores well against the other. Within one source, each record goes to at most one child and each child
takes at most one record, maximising the total match weight: confident pairs first, then the weaker
ones, each an exact assignment solved on every connected component of the graph of pairs (SciPy's
LAPJVsp, whose import is a fraction of the Hungarian solver's: scipy.optimize weighed a third of a
small crossing's start-up). Across sources a child may hold several
records (enrolled at a school and at the CNED), which is why the assignment is done source by source;
a child holding a record already takes another source's at a handicap (``SECOND_RECORD_BITS``).
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import pandas as pd


def prefetch_solver() -> None:
    """Import SciPy's solver in a thread of its own, while the pairs are compared.

    SciPy's sparse graphs take a sixth of a second to import, a sixteenth of a crossing of 10,000
    children: DuckDB compares the pairs without holding Python's lock, and the import runs beside it.
    Started earlier, with the tables still loading or the model learning, the import fought Python's
    own work for the lock and gained nothing. The assignment then finds SciPy imported (or waits for
    the end of its import).
    """
    global _prefetched
    if _prefetched:
        return
    _prefetched = True
    # Not a daemon: a crossing that fails meanwhile waits for the end of the import before exiting,
    # rather than leaving a thread frozen in the middle of it (holding its modules' import locks).
    threading.Thread(target=_import_solver, name="veille-scipy", daemon=False).start()


_prefetched = False


def _import_solver() -> None:
    # Should it fail, the assignment imports it again and says why.
    with contextlib.suppress(Exception):
        import scipy.sparse.csgraph  # noqa: F401


def assign_one_to_one(
    pairs: pd.DataFrame, *, min_weight: float, confident: float = float("inf")
) -> pd.DataFrame:
    """Keep, within each source, a one-to-one set of pairs of maximal total weight above the threshold.

    Args:
        pairs: columns ``child_uid``, ``record_uid``, ``source``, ``match_weight``.
        min_weight: pairs below this weight are never assigned.
        confident: pairs at or above this weight are assigned first, and the weaker pairs among what
            they leave free (by default, one exact assignment of all pairs).

    Returns:
        The kept rows of ``pairs`` (same columns).

    Examples:
        >>> pairs = pd.DataFrame({"child_uid": [1, 2, 1], "record_uid": [10, 10, 11],
        ...                       "source": ["ONDE"] * 3, "match_weight": [9.0, 8.0, 7.5]})
        >>> sorted(assign_one_to_one(pairs, min_weight=0).itertuples(index=False))[0][:2]
        (1, 11)
    """
    eligible = _drop_dominated(pairs[pairs["match_weight"] >= min_weight])
    kept: list[pd.DataFrame] = []
    # Who holds a record already, by child id (row positions): a sorted union of the holders, source
    # after source, was a fifth of the assignment at 100,000 children.
    holds = np.zeros(int(eligible["child_uid"].max()) + 1 if len(eligible) else 0, dtype=bool)
    for _, group in eligible.groupby("source", sort=True):
        # A child holding a record of another source already competes for this one at a handicap.
        penalty = np.where(holds[group["child_uid"].to_numpy(np.int64)], SECOND_RECORD_BITS, 0.0)
        chosen = _assign_within(group.assign(_penalty=penalty), min_weight, confident)
        kept.append(chosen.drop(columns="_penalty"))
        holds[chosen["child_uid"].to_numpy(np.int64)] = True
    if not kept:
        return eligible.iloc[0:0]
    return pd.concat(kept, ignore_index=True)


# Bits a child gives up to take a second record, in another source, from a child who has none: about
# log2 of 1 / the share of children enrolled twice (a private school that also sends its pupils to
# the public list, the CNED beside a school: about 3 % in the synthetic commune, an assumption for real
# files). Source by source without it, two homonyms born the same day, one at a private school and one
# at a public one, each scoring the same against both records, saw the same child take both and the
# other left non_trouve; with it, a twin enrolled twice still keeps both records when they fit him
# better by more than this (an unschooled twin's first name differs).
SECOND_RECORD_BITS = 5.0


# A pair this many bits below both its child's best pair and its record's best pair is never worth
# taking: a brother's record scores far below one's own record and below the brother's.
DOMINATED_MARGIN = 8.0


def _drop_dominated(pairs: pd.DataFrame) -> pd.DataFrame:
    """Keep the pairs that could be in an optimal assignment, to keep the problem small.

    Siblings share a surname and an address, so in a large commune the pairs linking each child to a
    brother's or sister's record chain whole neighbourhoods together; they are dominated on both ends.
    """
    weight = pairs["match_weight"].to_numpy(np.float64)
    best_of_child = _best_of(pairs["child_uid"].to_numpy(np.int64), weight)
    best_of_record = _best_of(pairs["record_uid"].to_numpy(np.int64), weight)
    keep = (weight >= best_of_child - DOMINATED_MARGIN) | (weight >= best_of_record - DOMINATED_MARGIN)
    return pairs[keep]


def _best_of(ids: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per pair, the highest weight among the pairs of the same id (a groupby's max, in a fifth of the
    time: ids are row positions, each one's best found in place)."""
    best = np.full(int(ids.max(initial=-1)) + 1, -np.inf)
    np.maximum.at(best, ids, weight)
    return best[ids]


def _assign_within(pairs: pd.DataFrame, min_weight: float, confident: float) -> pd.DataFrame:
    """Maximum-gain one-to-one assignment, confident pairs first.

    The confident pairs (at or above ``confident``) are assigned first, then the rest among the
    children and records they left free. A sure match is never undone to make room for weak pairs; it
    also keeps the problem small: in a large commune the weak pairs of the children with no record
    (too young, unschooled) chain hundreds of thousands of children and records into one component,
    on which an exact solver takes minutes.
    """
    first = _solve(pairs[pairs["match_weight"] >= confident], min_weight)
    free = ~pairs["child_uid"].isin(first["child_uid"]) & ~pairs["record_uid"].isin(first["record_uid"])
    return pd.concat([first, _solve(pairs[free], min_weight)])


def _solve(pairs: pd.DataFrame, min_weight: float) -> pd.DataFrame:
    """Exact maximum-gain one-to-one assignment, solved component by component.

    The gain of a pair is its weight above the threshold (plus a hair, so that a pair at the threshold
    beats leaving both unassigned). A child may stay unassigned at gain 0, so the solver never pairs an
    extra child with a weak record just to assign more pairs: the record of one twin is not handed to
    the other to make up the numbers.
    """
    if pairs.empty:
        return pairs
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    child_codes, children = pd.factorize(pairs["child_uid"])
    record_codes, records = pd.factorize(pairs["record_uid"])
    n_children, n_records = len(children), len(records)
    nodes = n_children + n_records
    graph = csr_matrix(
        (np.ones(len(pairs), dtype=np.int8), (child_codes, n_children + record_codes)), shape=(nodes, nodes)
    )
    component = connected_components(graph, directed=False)[1][child_codes]
    # A child and a record that have no other candidate need no solver: the common case by far.
    keep = np.bincount(component)[component] == 1
    contested = np.flatnonzero(~keep)
    gains = pairs["match_weight"].to_numpy() - min_weight + 1e-9
    if "_penalty" in pairs:
        # The handicap decides between competitors, never against the threshold: alone, the pair is
        # still taken.
        gains = np.maximum(gains - pairs["_penalty"].to_numpy(), 1e-9)
    contested = contested[~_solve_small(contested, component, child_codes, record_codes, gains, keep)]
    order = contested[np.argsort(component[contested], kind="stable")]
    for block in np.split(order, np.flatnonzero(np.diff(component[order])) + 1):
        if block.size:
            keep[block] = _solve_component(child_codes[block], record_codes[block], gains[block])
    return pairs[keep]


def _solve_small(
    contested: np.ndarray,
    component: np.ndarray,
    child_codes: np.ndarray,
    record_codes: np.ndarray,
    gains: np.ndarray,
    keep: np.ndarray,
) -> np.ndarray:
    """Solve at once the stars and squares among the contested pairs (``keep``); which it solved.

    Each a solver call of a millisecond: at 100,000 children, 661 of the 714 contested components.
    """
    if not contested.size:
        return np.zeros(0, dtype=bool)
    which = component[contested].astype(np.int64)
    n = int(which.max()) + 1
    child, record, gain = child_codes[contested], record_codes[contested], gains[contested]
    children, records = _distinct_per(which, child, n), _distinct_per(which, record, n)
    star_solved, star_kept = _stars(which, n, gain, (children == 1) | (records == 1))
    square_solved, square_kept = _squares(which, n, child, record, gain, (children == 2) & (records == 2))
    solved = star_solved | square_solved
    keep[contested[solved]] = (star_kept | square_kept)[solved]
    return solved


def _stars(which: np.ndarray, n: int, gain: np.ndarray, star: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, whether its component is a star solved here, and whether the pair is kept.

    A child with several candidate records, or a record with several candidate children, keeps its
    best pair: every gain is positive and only one pair can be taken. That is the solver's unique
    optimum unless two pairs tie for the best, which are left to it.
    """
    best = np.full(n, -np.inf)
    np.maximum.at(best, which, gain)
    top = gain == best[which]
    tied = np.bincount(which[top], minlength=n) > 1
    solved = (star & ~tied)[which]
    return solved, solved & top


#: two totals closer than this (in bits) are left to the solver, whose sums may round otherwise
_TIE = 1e-9

#: the cells of a square (first or second child, first or second record) each way of taking it takes
_SQUARE_WAYS = np.array(
    [
        [[1, 0], [0, 0]],
        [[0, 1], [0, 0]],
        [[0, 0], [1, 0]],
        [[0, 0], [0, 1]],
        [[1, 0], [0, 1]],
        [[0, 1], [1, 0]],
    ],
    dtype=bool,
)


def _squares(
    which: np.ndarray, n: int, child: np.ndarray, record: np.ndarray, gain: np.ndarray, square: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, whether its component is a square solved here, and whether the pair is kept.

    Twins at one address, each with a record: two children, two records, three or four pairs, and six
    ways to take them (``_SQUARE_WAYS``: one pair alone, or two pairs of different children and
    records). The best total is the solver's optimum; totals too close to call are left to it.
    """
    nothing = np.zeros(len(which), dtype=bool)
    if not square.any():
        return nothing, nothing
    # Each pair's place in its square: first or second child, first or second record (by code).
    first_child, first_record = np.full(n, np.iinfo(np.int64).max), np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_child, which, child)
    np.minimum.at(first_record, which, record)
    row = (child != first_child[which]).astype(np.int64)
    column = (record != first_record[which]).astype(np.int64)
    grid = np.full((n, 2, 2), -np.inf)
    grid[which, row, column] = gain
    totals = np.stack(
        [
            grid[:, 0, 0],
            grid[:, 0, 1],
            grid[:, 1, 0],
            grid[:, 1, 1],
            grid[:, 0, 0] + grid[:, 1, 1],
            grid[:, 0, 1] + grid[:, 1, 0],
        ],
        axis=1,
    )
    ranked = np.sort(totals, axis=1)
    with np.errstate(invalid="ignore"):
        # A component that is no square has no total (nothing minus nothing): not clear, not solved.
        clear = ranked[:, -1] - ranked[:, -2] > _TIE
    solved = (square & clear)[which]
    kept = _SQUARE_WAYS[np.argmax(totals, axis=1)][which, row, column]
    return solved, solved & kept


def _distinct_per(groups: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """How many distinct ``codes`` each of the ``n`` groups holds."""
    width = int(codes.max()) + 1
    return np.bincount(np.unique(groups * width + codes) // width, minlength=n)


def _solve_component(child_codes: np.ndarray, record_codes: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """Which pairs of one connected component the optimal assignment keeps."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    rows, row_ids = np.unique(child_codes, return_inverse=True)
    cols, col_ids = np.unique(record_codes, return_inverse=True)
    n_rows, n_cols = len(rows), len(cols)
    # The sparse solver minimises a positive cost over a full matching: cost = ceiling - gain, and each
    # child gets a private "unassigned" column at the ceiling.
    ceiling = float(gains.max()) + 1.0
    graph = csr_matrix(
        (
            np.concatenate([ceiling - gains, np.full(n_rows, ceiling)]),
            (
                np.concatenate([row_ids, np.arange(n_rows)]),
                np.concatenate([col_ids, n_cols + np.arange(n_rows)]),
            ),
        ),
        shape=(n_rows, n_cols + n_rows),
    )
    matched = min_weight_full_bipartite_matching(graph)[1]
    return np.asarray(matched[row_ids] == col_ids)
