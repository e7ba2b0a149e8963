"""The schools a monthly update names because most of last month's records vanished."""

from __future__ import annotations

import pandas as pd

from veille.matching.vanishing import KEPT_SHARE, MIN_RECORDS, vanished_schools


def _records(*schools: tuple[str, str, str, int]) -> pd.DataFrame:
    rows = [
        {"source": source, "uai": uai, "etablissement": name, "identifiant": f"{source}{uai}{i}"}
        for source, uai, name, count in schools
        for i in range(count)
    ]
    return pd.DataFrame(rows, columns=["source", "uai", "etablissement", "identifiant"])


def test_a_school_that_kept_its_pupils_is_not_named():
    before = _records(("ONDE", "0590001A", "École A", 40))
    now = _records(("ONDE", "0590001A", "École A", 38))

    assert vanished_schools(before, now) == []


def test_a_school_that_lost_more_than_half_its_pupils_is_named_as_incomplete():
    before = _records(("ONDE", "0590001A", "École A", 40), ("ONDE", "0590002B", "École B", 40))
    kept = int(40 * KEPT_SHARE) - 1
    now = _records(("ONDE", "0590001A", "École A", kept), ("ONDE", "0590002B", "École B", 40))

    [school] = vanished_schools(before, now)

    assert (school.uai, school.etablissement, school.before, school.now) == ("0590001A", "École A", 40, kept)
    assert f"n'en compte que {kept} ce mois-ci" in school.message()


def test_a_source_without_uai_counts_as_one_school():
    before = _records(("CNED", "", "", 30), ("ONDE", "0590001A", "École A", 40))
    now = _records(("ONDE", "0590001A", "École A", 40))

    [school] = vanished_schools(before, now)

    assert (school.source, school.uai, school.now) == ("CNED", "", 0)
    assert school.message().startswith("La source CNED (inscriptions sans UAI) comptait 30 inscriptions")


def test_a_small_school_is_not_named_for_a_few_departures():
    before = _records(("PRIVE", "0590003C", "Collège C", MIN_RECORDS - 1))

    assert vanished_schools(before, _records()) == []


def test_the_uai_is_compared_whatever_its_case_and_spaces():
    before = _records(("ONDE", "0590001a ", "École A", 40))
    now = _records(("ONDE", "0590001A", "École A", 40))

    assert vanished_schools(before, now) == []


def test_a_state_written_without_the_schools_names_none():
    before = _records(("ONDE", "0590001A", "École A", 40)).drop(columns=["uai", "etablissement"])

    assert vanished_schools(before, _records()) == []


def test_the_largest_loss_comes_first():
    before = _records(("ONDE", "0590001A", "École A", 30), ("ONDE", "0590002B", "École B", 60))

    schools = vanished_schools(before, _records())

    assert [school.uai for school in schools] == ["0590002B", "0590001A"]


def test_a_missing_uai_counts_as_an_empty_one():
    before = _records(("CNED", "", "", 30)).astype({"uai": "string[pyarrow]"})
    before.loc[:9, "uai"] = pd.NA
    now = _records(("CNED", "", "", 30))

    assert vanished_schools(before, now) == []
