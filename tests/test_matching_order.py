"""The same files in another order give the same crossing (ONDE comes as one file per school, a folder
may be listed in any order, a spreadsheet may have been sorted by hand)."""

import pandas as pd
import pytest

from veille.matching import cross
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("commune")
    write_commune(generate_commune(2000, seed=7), folder)
    children = read_children_files(sorted(folder.glob("enfants_*.csv"))).table
    schooling = read_schooling_files(sorted(folder.glob("scolarite_*.csv"))).table
    return children, schooling


def _outcome(result):
    statuses = result.children.set_index(["organisme", "identifiant"])["statut"].sort_index()
    matches = sorted(
        zip(
            result.matches["identifiant"],
            result.matches["source"],
            result.matches["source_identifiant"],
            strict=True,
        )
    )
    return statuses, matches


def _probabilities(result):
    return [
        level.get(key, 0.0)
        for comparison in result.model["comparisons"]
        for level in comparison["comparison_levels"]
        for key in ("m_probability", "u_probability")
    ]


def test_it_learns_the_same_model_and_gives_the_same_result_whatever_the_order_of_the_rows(tables):
    children, schooling = tables
    as_given = cross(children, schooling, school_year="2026-2027")
    shuffled = cross(
        children.sample(frac=1.0, random_state=3).reset_index(drop=True),
        schooling.sample(frac=1.0, random_state=4).reset_index(drop=True),
        school_year="2026-2027",
    )

    # Sums taken in another order differ in the last bits only.
    assert _probabilities(shuffled) == pytest.approx(_probabilities(as_given), rel=1e-9)
    statuses, matches = _outcome(as_given)
    statuses_shuffled, matches_shuffled = _outcome(shuffled)
    pd.testing.assert_series_equal(statuses, statuses_shuffled)
    assert matches == matches_shuffled


def _pandas_canonical_order(table):
    """The order as pandas gave it: missing values as "", Python's string order, then the id."""
    from veille.matching.comparisons import LIST_COLUMNS, MATCH_COLUMNS

    columns = [c for c in MATCH_COLUMNS if c != "unique_id" and c not in LIST_COLUMNS]
    frame = table.select([*columns, "unique_id"]).to_pandas()
    keys = frame.loc[:, columns].astype("string").fillna("")
    ordered = keys.assign(unique_id=frame["unique_id"].to_numpy()).sort_values(
        [*columns, "unique_id"], kind="stable"
    )
    return ordered["unique_id"].to_numpy()


def test_the_canonical_order_sorts_strings_by_code_point_with_missing_values_first():
    import numpy as np
    import pyarrow as pa

    from veille.matching.comparisons import MATCH_COLUMNS
    from veille.matching.frames import IDENTITY_SCHEMA
    from veille.matching.scoring import canonical_order

    rng = np.random.default_rng(3)
    # Accents, capitals, ligatures, a character beyond the BMP, prefixes and the empty string, which
    # must tie with a missing value and leave the next columns to decide.
    pool = ["", None, "e", "E", "é", "É", "è", "ê", "ez", "œ", "OE", "a", "a b", "a-b", "ab", "Z", "😀", "ß"]
    n = 400
    columns = {}
    for field in IDENTITY_SCHEMA:
        if field.name == "unique_id":
            columns[field.name] = pa.array(rng.permutation(n), type=pa.int64())
        elif pa.types.is_list(field.type):
            columns[field.name] = pa.array([None] * n, type=field.type)
        else:
            # Few values per column, so that rows tie on the first ones and the later ones decide.
            chosen = rng.choice(len(pool), size=n)
            columns[field.name] = pa.array([pool[i] for i in chosen], type=pa.string())
    table = pa.table(columns, schema=IDENTITY_SCHEMA)
    assert table.column_names == list(MATCH_COLUMNS)
    assert np.array_equal(canonical_order(table), _pandas_canonical_order(table))
    assert np.array_equal(canonical_order(table.slice(0, 0)), np.empty(0, dtype=np.int64))
