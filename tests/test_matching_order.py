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
