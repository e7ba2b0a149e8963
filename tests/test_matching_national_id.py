"""The national identifier (INE), when the children's files carry it too.

A synthetic commune whose children carry the INE of their public school record (from the ground truth),
plus hand-written cases; the assertion is on the hand-written children only.
"""

import pandas as pd
import pytest

from veille.columns import CHILD_COLUMNS, SCHOOLING_COLUMNS
from veille.matching import Status, cross
from veille.matching.comparisons import NATIONAL_ID_COLLISION
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune


def child(identifiant, nom, prenoms, date, ine, adresse="7 rue des Glycines", code_postal="59100"):
    return {
        "organisme": "CAF",
        "identifiant": identifiant,
        "nom": nom,
        "prenoms": prenoms,
        "date_naissance": date,
        "sexe": "",
        "nom_allocataire": nom,
        "prenom_allocataire": "Camille",
        "adresse": adresse,
        "code_postal": code_postal,
        "commune": "ROUBAIX",
        "ine": ine,
    }


def record(identifiant, nom, prenoms, date, adresse="7 rue des Glycines", code_postal="59100"):
    return {
        "source": "ONDE",
        "identifiant": identifiant,
        "nom": nom,
        "prenoms": prenoms,
        "date_naissance": date,
        "sexe": "",
        "etablissement": "École des Peupliers",
        "uai": "0599999Z",
        "niveau": "CE2",
        "adresse": adresse,
        "code_postal": code_postal,
        "commune": "ROUBAIX",
        "ine": identifiant,
    }


# (child, its record or None, expected status, the record it must be matched to or None)
CASES = [
    # The school kept another surname, no birth date, another number in the street: the identifier.
    (
        child("I-1", "LEFEBVRE", "Jade", "2016-02-11", "900000001AB"),
        record("900000001AB", "MOKRANI", "Jade", "", adresse="15 rue des Glycines"),
        Status.MATCHED,
        "900000001AB",
    ),
    # Identifier with one character mistyped, everything else agrees.
    (
        child("I-2", "VANDAMME", "Louis", "2015-09-30", "900000002CD"),
        record("900000002CE", "VANDAMME", "Louis", "2015-09-30"),
        Status.MATCHED,
        "900000002CE",
    ),
    # Same identifier, but every other field differs: a mistyped identifier, never a sure match.
    (
        child("I-3", "DESCAMPS", "Hugo", "2014-01-05", "900000003EF", "2 rue Pierre Motte", "59200"),
        record("900000003EF", "NGUYEN", "Thi Lan", "2019-08-27", "88 avenue des Nations Unies", "59000"),
        None,
        None,
    ),
]


@pytest.fixture(scope="module")
def crossing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("commune")
    write_commune(generate_commune(3000, seed=11), folder)
    children = read_children_files(sorted(folder.glob("enfants_*.csv"))).table
    schooling = read_schooling_files(sorted(folder.glob("scolarite_*.csv"))).table
    truth = pd.read_csv(folder / "verite.csv", dtype=str, keep_default_na=False)
    public = schooling["source"].isin(["ONDE", "SIECLE"])
    schooling["ine"] = schooling["identifiant"].where(public, "")
    first_id = truth.set_index(["organisme", "identifiant"])["identifiants_scolarite"].str.split("|").str[0]
    keys = pd.MultiIndex.from_frame(children[["organisme", "identifiant"]])
    ine = first_id.reindex(keys).fillna("").to_numpy()
    children["ine"] = pd.Series(ine).where(pd.Series(ine).isin(set(schooling["ine"]) - {""}), "").to_numpy()
    extra_children = pd.DataFrame([c for c, _, _, _ in CASES], columns=[*CHILD_COLUMNS, "ine"])
    extra_records = pd.DataFrame([r for _, r, _, _ in CASES if r], columns=[*SCHOOLING_COLUMNS, "ine"])
    children = pd.concat([children, extra_children], ignore_index=True).fillna("")
    schooling = pd.concat([schooling, extra_records], ignore_index=True).fillna("")
    return cross(children, schooling, school_year="2026-2027")


@pytest.mark.parametrize(("case", "expected", "record_id"), [(c, s, r) for c, _, s, r in CASES])
def test_the_national_identifier_weighs_as_an_identifier(crossing, case, expected, record_id):
    row = crossing.children.set_index("identifiant").loc[case["identifiant"]]
    if expected is None:
        assert row["statut"] != Status.MATCHED.value, row.to_dict()
    else:
        assert row["statut"] == expected.value, row.to_dict()
        assert row["candidat_identifiant"] == record_id


def test_the_identifier_collision_rate_is_fixed_not_sampled(crossing):
    ine = next(c for c in crossing.model["comparisons"] if c["output_column_name"] == "ine")
    exact = next(
        lvl for lvl in ine["comparison_levels"] if lvl.get("label_for_charts") == "même identifiant national"
    )
    assert exact["u_probability"] == NATIONAL_ID_COLLISION
