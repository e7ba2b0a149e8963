"""The level a pair reaches on each comparison, on hand-written identities."""

import duckdb
import pandas as pd
import pytest

from veille.matching.comparisons import FIRST_NAME, MATCH_COLUMNS, SURNAME, Comparison
from veille.matching.frames import match_frame
from veille.matching.scoring import gamma_sql


def identity(nom, prenoms, **extra):
    return {
        "nom": nom,
        "prenoms": prenoms,
        "date_naissance": "2011-07-06",
        "sexe": "F",
        "adresse": "",
        "code_postal": "59100",
        "commune": "ROUBAIX",
        **extra,
    }


def level(comparison: Comparison, child: dict, school: dict) -> str:
    left = match_frame(pd.DataFrame([identity(**child, nom_allocataire="")]), claimant=True)
    right = match_frame(pd.DataFrame([identity(**school)]), claimant=False)
    columns = sorted({*comparison.columns, comparison.null_column})
    connection = duckdb.connect()
    connection.register("l_df", left.loc[:, list(MATCH_COLUMNS)])
    connection.register("r_df", right.loc[:, list(MATCH_COLUMNS)])
    sides = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in columns)
    gamma = connection.sql(
        f"SELECT {gamma_sql(comparison)} FROM (SELECT {sides} FROM l_df AS l, r_df AS r) AS pairs"
    ).fetchall()[0][0]
    return comparison.levels[comparison.top - gamma].label


SWAPPED = {"nom": "EMMA", "prenoms": "Declerck"}


@pytest.mark.parametrize("comparison", [SURNAME, FIRST_NAME], ids=lambda c: c.name)
def test_a_school_that_swapped_the_names_reaches_the_swap_level_of_both_comparisons(comparison):
    assert level(comparison, {"nom": "DECLERCK", "prenoms": "Emma"}, SWAPPED) == "nom et prénom inversés"


def test_a_stranger_sharing_only_the_first_name_with_a_swapped_record_gets_no_surname_evidence():
    # RODRIGUES Emma against EMMA / Declerck: her first name is in the school's surname column, her
    # surname nowhere. Counted on both comparisons, that one name made her a better match than the
    # child the record belongs to.
    stranger = {"nom": "RODRIGUES", "prenoms": "Emma"}
    assert level(FIRST_NAME, stranger, SWAPPED) == "nom et prénom inversés"
    assert level(SURNAME, stranger, SWAPPED) == "nom différent"
